"""The record of sent weekly reviews behaves the same on SQLite and PostgreSQL: a week once
recorded stays sent for every later opener of the same storage (a restart, another instance)."""

from __future__ import annotations

from ownmedia.storage import Backend


def test_a_recorded_week_is_sent_for_every_later_opener(backend):
    sent = backend.review_mail
    assert not sent.was_sent("2026-03-23")
    sent.record("2026-03-23", ["team@example.org", "boss@example.org"], when=1_774_857_600.0)
    assert sent.was_sent("2026-03-23") and not sent.was_sent("2026-03-30")
    sent.record("2026-03-23", ["team@example.org"])  # recorded again (a retry): no error
    again = Backend(backend.url, backend.data_dir)  # what a restart or another instance opens
    try:
        assert again.review_mail.was_sent("2026-03-23")
        assert not again.review_mail.was_sent("2026-03-30")
    finally:
        again.close()

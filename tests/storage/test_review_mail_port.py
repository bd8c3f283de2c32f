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


def test_one_sender_at_a_time_claims_a_week(backend):
    """Two instances on one database: one of them sends the week; a claim whose holder died
    (its lease ran out) can be taken again, a released one at once."""
    other = Backend(backend.url, backend.data_dir)
    try:
        mine, theirs = backend.review_mail, other.review_mail
        now = 1_774_857_600.0
        assert mine.claim("2026-03-23", "a", now, 900)
        assert not theirs.claim("2026-03-23", "b", now + 1, 900)
        assert theirs.claim("2026-03-30", "b", now + 1, 900)  # another week is free
        assert not theirs.claim("2026-03-23", "b", now + 899, 900)
        assert theirs.claim("2026-03-23", "b", now + 901, 900)  # a's lease ran out
        theirs.release("2026-03-23", "a")  # not a's any more: nothing released
        assert not mine.claim("2026-03-23", "a", now + 902, 900)
        theirs.release("2026-03-23", "b")
        assert mine.claim("2026-03-23", "a", now + 903, 900)
    finally:
        other.close()

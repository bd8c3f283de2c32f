"""Validation and abuse checks of comment intake, with a real store (SQLite and PostgreSQL)
and a fake clock."""

from __future__ import annotations

import time

import pytest

from ownmedia.comments.intake import Intake, Submission
from ownmedia.config import CommentsConfig
from ownmedia.storage import Backend


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def intake(tmp_path, storage_url):
    clock = Clock()
    backend = Backend(storage_url, tmp_path)
    store = backend.comments
    config = CommentsConfig(min_seconds=3.0, rate_limit=3, rate_window_seconds=600, max_links=2)
    accepted = []
    obj = Intake(store, config, b"k" * 32, b"v" * 32, clock=clock,
                 post_exists=lambda slug: slug in ("a-post", "other"),
                 on_accepted=lambda conn, c: accepted.append(c.id))
    obj.test_clock, obj.accepted = clock, accepted
    yield obj
    backend.close()


def good(intake, **fields) -> Submission:
    """A valid submission whose token was issued 10 s ago."""
    token = intake.issue_token(fields.get("post", "a-post"))
    intake.test_clock.now += 10
    base = dict(post="a-post", name="Ann", body="Nice post.", token=token, lang="en")
    base.update(fields)
    return Submission(**base)


def test_accepted_is_stored_pending_before_answer(intake):
    out = intake.submit(good(intake, email="ann@example.org", notify=True), "192.0.2.1")
    assert out.accepted and out.status_code == 201
    stored = intake.store.get(out.comment.id)
    assert stored.status == "pending" and stored.notify and stored.email == "ann@example.org"
    assert "192.0.2.1" not in repr(stored)  # only a keyed hash of the address
    assert intake.accepted == [stored.id]


def test_field_errors_are_per_field(intake):
    sub = Submission(post="nope", name="", email="not-an-email", website="javascript:alert(1)",
                     body="", lang="en")
    out = intake.submit(sub, "192.0.2.1")
    assert out.kind == "invalid" and out.status_code == 422
    assert set(out.errors) == {"post", "name", "email", "website", "body"}
    assert "http" in out.errors["website"]


def test_body_limit(intake):
    out = intake.submit(good(intake, body="x" * 10_001), "192.0.2.1")
    assert out.errors["body"].startswith("A comment is at most 10000")


def test_missing_token_asks_to_confirm_with_fresh_token(intake):
    out = intake.submit(good(intake, token=""), "192.0.2.1")
    assert out.kind == "confirm" and out.status_code == 200 and out.token
    assert intake.store.counts()["pending"] == 0
    intake.test_clock.now += 5
    again = intake.submit(good(intake, token=out.token), "192.0.2.1")
    assert again.accepted


def test_confirming_at_once_is_never_too_fast(intake):
    """The no-JS path: the form posted without a token, then "confirm" pressed at once."""
    sub = Submission(post="a-post", name="Ann", body="Written slowly.", lang="fr")
    out = intake.submit(sub, "192.0.2.1")
    assert out.kind == "confirm" and out.token
    again = intake.submit(Submission(post="a-post", name="Ann", body="Written slowly.",
                                     lang="fr", token=out.token), "192.0.2.1")
    assert again.accepted, again.message
    # a token fetched by the page's script is not credited: the minimum time still applies
    fetched = intake.issue_token("a-post")
    out = intake.submit(Submission(post="a-post", name="B", body="Too quick.", token=fetched),
                        "192.0.2.2")
    assert out.kind == "confirm" and "trop vite" in out.message


def test_a_form_posted_after_exactly_the_minimum_time_is_not_too_fast(intake):
    """A token's time is kept in milliseconds: one issued at .0006 s must not read as
    .001 s, which made a form posted min_seconds later (or at once, with min_seconds = 0)
    "too fast"."""
    intake.test_clock.now = 1_800_000_000.0006
    token = intake.issue_token("a-post")
    intake.test_clock.now += intake.config.min_seconds
    out = intake.submit(Submission(post="a-post", name="A", body="On time.", token=token), "x")
    assert out.accepted, out.message


def test_too_fast_and_forged_tokens(intake):
    token = intake.issue_token("a-post")
    intake.test_clock.now += 1
    out = intake.submit(Submission(post="a-post", name="A", body="b", token=token), "x")
    assert out.kind == "confirm" and out.status_code == 422 and "trop vite" in out.message
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    intake.test_clock.now += 10
    out = intake.submit(Submission(post="a-post", name="A", body="b", token=forged), "x")
    assert out.kind == "confirm" and "expiré" in out.message
    other = intake.issue_token("other")
    intake.test_clock.now += 10
    out = intake.submit(Submission(post="a-post", name="A", body="b", token=other), "x")
    assert out.kind == "confirm"


def test_honeypot_and_links_go_to_spam_not_lost(intake):
    out = intake.submit(good(intake, company="Acme"), "192.0.2.1")
    assert out.accepted and out.comment.status == "spam" and "honeypot" in out.comment.reason
    body = "see https://a.example https://b.example www.c.example"
    out = intake.submit(good(intake, body=body), "192.0.2.2")
    assert out.accepted and out.comment.status == "spam" and "links" in out.comment.reason
    assert intake.accepted == []  # no moderator mail for spam
    assert intake.store.counts()["spam"] == 2


def test_rate_limit_per_visitor(intake):
    for i in range(3):
        assert intake.submit(good(intake, body=f"comment {i}"), "192.0.2.9").accepted
    out = intake.submit(good(intake, body="one more"), "192.0.2.9")
    assert out.kind == "limited" and out.status_code == 429
    assert intake.submit(good(intake, body="someone else"), "192.0.2.10").accepted
    intake.test_clock.now += 601
    assert intake.submit(good(intake, body="later"), "192.0.2.9").accepted


def test_duplicate(intake):
    assert intake.submit(good(intake, body="Same  words"), "192.0.2.1").accepted
    out = intake.submit(good(intake, body="same words"), "192.0.2.2")
    assert out.kind == "duplicate" and out.status_code == 409 and "body" in out.errors


def test_reply_to_must_be_an_approved_comment_of_the_post(intake):
    out = intake.submit(good(intake, reply_to="20260101-000000-abcdef"), "192.0.2.1")
    assert "reply_to" in out.errors
    first = intake.submit(good(intake, body="parent"), "192.0.2.1").comment
    assert "reply_to" in intake.submit(good(intake, reply_to=first.id, body="r"), "a").errors
    with intake.store.transaction() as tx:
        tx.set_status(first.id, "approved", time.time())
    assert intake.submit(good(intake, reply_to=first.id, body="r"), "a").accepted
    assert "reply_to" in intake.submit(good(intake, post="other", reply_to=first.id), "b").errors


def test_from_form_is_total():
    sub = Submission.from_form({"name": "  A  ", "body": "x\r\ny\x00", "notify": "on",
                                "lang": "en-GB", "junk": "1"})
    assert (sub.name, sub.body, sub.notify, sub.lang) == ("A", "x\ny", True, "en")
    assert Submission.from_form({}).name == ""

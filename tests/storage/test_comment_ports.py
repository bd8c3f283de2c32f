"""The comment, mail, mention and auth ports behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from ownmedia.storage.ports import SentPost, comment_row, new_comment_id


def add(backend, status="pending", **fields):
    now = time.time()
    row = comment_row(id=new_comment_id(now), post="a-post", status=status, author="Ann",
                      body="Hello", created=now, updated=now, **fields)
    with backend.comments.transaction() as tx:
        return tx.insert(row)


def test_add_get_list_counts(backend):
    first = add(backend, email="ann@example.org", notify=1)
    second = add(backend, status="approved", reply_to=first.id)
    store = backend.comments
    got = store.get(first.id)
    assert got == first and got.notify is True and got.email == "ann@example.org"
    assert store.get("nope") is None
    assert {c.id for c in store.list()} == {first.id, second.id}
    assert [c.id for c in store.list(status="approved")] == [second.id]
    assert store.list(post="other") == []
    assert store.counts() == {"pending": 1, "approved": 1, "spam": 0, "rejected": 0}
    assert [c.id for c in store.approved()] == [second.id]
    assert store.approved_replies_of([first.id]) == [second.id]
    assert store.approved_replies_of([]) == []


def test_status_edit_delete_in_one_transaction(backend):
    comment = add(backend)
    store = backend.comments
    with store.transaction() as tx:
        tx.set_status(comment.id, "approved", 5.0)
        tx.queue_file(comment.id, comment.post)
        assert tx.file_pending(comment.id)
        tx.queue_render(comment.post)
    assert store.get(comment.id).status == "approved"
    (seq, cid, post), = store.pending_files()
    assert (cid, post) == (comment.id, "a-post")
    with store.transaction() as tx:
        tx.done_file(seq)
        tx.edit(comment.id, "Bob", "New body", "https://bob.example", 6.0)
    assert store.pending_files() == []
    edited = store.get(comment.id)
    assert (edited.author, edited.body, edited.website, edited.updated) == \
        ("Bob", "New body", "https://bob.example", 6.0)
    (post, queued), = store.pending_renders()
    store.done_render(post, queued + 1)  # queued again meanwhile: kept
    assert store.pending_renders() == [(post, queued)]
    store.done_render(post, queued)
    assert store.pending_renders() == []
    with store.transaction() as tx:
        assert tx.unpublish(comment.id, "removed on disk", 7.0)
        assert not tx.unpublish(comment.id, "removed on disk", 7.0)  # no longer approved
    assert store.get(comment.id).status == "rejected"
    with store.transaction() as tx:
        tx.delete(comment.id)
    assert store.get(comment.id) is None


def test_a_failed_transaction_keeps_nothing(backend):
    comment = add(backend)
    with pytest.raises(RuntimeError), backend.comments.transaction() as tx:
        tx.set_status(comment.id, "approved", 1.0)
        tx.queue_mail("m@example.org", "s", "b")
        raise RuntimeError("crash in the middle")
    assert backend.comments.get(comment.id).status == "pending"
    assert backend.mail.all() == []


def test_rate_hits_and_duplicates(backend):
    comment = add(backend, body_hash="h1")
    with backend.comments.transaction() as tx:
        assert tx.duplicate_exists("a-post", "h1")
        assert not tx.duplicate_exists("other", "h1")
        assert tx.rate_window("v", 0).count == 0
        tx.add_rate_hit("v", 100.0)
        tx.add_rate_hit("v", 200.0)
        tx.add_rate_hit("w", 150.0)
    with backend.comments.transaction() as tx:
        window = tx.rate_window("v", 50.0)
        assert (window.count, window.oldest) == (2, 100.0)
        assert tx.rate_window("v", 150.0).count == 1
        tx.add_rate_hit("v", 300.0, prune_before=160.0)
        assert tx.rate_window("v", 0).count == 2  # 100 and w's 150 pruned
        assert tx.rate_window("w", 0).count == 0
        tx.set_status(comment.id, "rejected", 1.0)
        assert not tx.duplicate_exists("a-post", "h1")  # a rejected one may be sent again


def test_mentions_by_pair_and_update(backend):
    mention = add(backend, type="webmention", source="https://s.example/p",
                  target="https://me.example/a-post/")
    assert backend.comments.by_mention("https://s.example/p", "https://me.example/a-post/") \
        == mention
    with backend.comments.transaction() as tx:
        assert tx.by_mention("https://s.example/p", "https://me.example/a-post/").id == mention.id
        tx.update_mention(mention.id, author="Sam", website="https://s.example/", body="b2",
                          created=10.0, photo="photos/x.jpg", now=11.0)
    got = backend.comments.get(mention.id)
    assert (got.author, got.body, got.created, got.photo) == ("Sam", "b2", 10.0, "photos/x.jpg")


def test_update_from_file_publishes(backend):
    comment = add(backend)
    with backend.comments.transaction() as tx:
        tx.update_from_file(comment.id, {"author": "File", "body": "from disk"}, "b-post", 3.0)
        with pytest.raises(ValueError):
            tx.update_from_file(comment.id, {"status; DROP": "x"}, "b-post", 3.0)
    got = backend.comments.get(comment.id)
    assert (got.author, got.body, got.post, got.status) == ("File", "from disk", "b-post",
                                                            "approved")


def test_mail_queue(backend):
    add(backend, email="Bob@example.org", notify=1)
    with backend.comments.transaction() as tx:
        tx.queue_mail("bob@example.org", "s1", "b1")
        tx.queue_mail("eve@example.org", "s2", "b2")
    mail = backend.mail
    due = mail.due(time.time() + 1, max_attempts=20)
    assert [(j.recipient, j.subject, j.attempts) for j in due] == [
        ("bob@example.org", "s1", 0), ("eve@example.org", "s2", 0)]
    mail.sent(due[0].id)
    mail.failed([due[1].id], 1000.0, "connect: refused")
    (left,) = mail.all()
    assert left.recipient == "eve@example.org" and left.attempts == 1
    assert mail.due(1004.0, max_attempts=20) == []  # backoff: 5 s after the first failure
    assert [j.id for j in mail.due(1006.0, max_attempts=20)] == [left.id]
    assert mail.due(1006.0, max_attempts=1) == []  # used up
    with backend.comments.transaction() as tx:
        tx.forget_email("eve@example.org")
        tx.forget_email("bob@example.org")
    assert mail.all() == []
    assert all(not c.email and not c.notify for c in backend.comments.list())


def test_mention_queue(backend):
    queue = backend.mention_queue
    queue.enqueue("webmention", "https://s/1", "https://t/1", "a-post", 100.0)
    queue.enqueue("pingback", "https://s/2", "https://t/1", "a-post", 101.0)
    (job, other) = queue.due(200.0, limit=10)
    assert (job.kind, job.source, job.state, job.attempts) == ("webmention", "https://s/1",
                                                                "queued", 0)
    queue.failed(job, 1, "timeout", 300.0, final=False, now=201.0)
    assert "https://s/1" not in [j.source for j in queue.due(250.0, limit=10)]  # backoff
    (job,) = [j for j in queue.jobs() if j.source == "https://s/1"]
    assert (job.attempts, job.last_error, job.next_attempt) == (1, "timeout", 300.0)
    queue.failed(job, 2, "gone for good", 400.0, final=True, now=202.0)
    assert [j.source for j in queue.jobs("failed")] == ["https://s/1"]
    assert queue.retry([job.id, 999_999], 500.0) == 1
    assert queue.jobs("failed") == []
    # received again while verified: `done` of the old job keeps the new one
    queue.enqueue("webmention", "https://s/2", "https://t/1", "a-post", 600.0)
    queue.done(other)
    assert [j.received for j in queue.jobs() if j.source == "https://s/2"] == [600.0]
    (new,) = [j for j in queue.jobs() if j.source == "https://s/2"]
    queue.done(new)
    with backend.comments.transaction() as tx:
        tx.drop_mention_job("https://s/1", "https://t/1")
    assert queue.jobs() == []


def test_mention_log(backend):
    log = backend.mention_log
    log.post_sent(SentPost("https://me/p", "d1", False), ["https://x/1", "https://x/2"], 1.0)
    log.pair_sent("https://me/p", "https://x/1", "webmention", "https://x/wm", 202, 1.0)
    log.pair_sent("https://me/p", "https://x/1", "webmention", "https://x/wm", 201, 2.0)
    log.pair_sent("https://me/p", "https://x/3", "error", "", 0, 2.0)
    assert log.sent_pairs() == [("https://me/p", "https://x/1")]
    assert log.links() == [("https://me/p", "https://x/1"), ("https://me/p", "https://x/2")]
    log.post_sent(SentPost("https://me/p", "d2", True), None, 3.0)  # deleted: links kept
    assert log.posts() == [SentPost("https://me/p", "d2", True)]
    assert len(log.links()) == 2
    log.post_sent(SentPost("https://me/p", "d3", False), ["https://x/2"], 4.0)
    assert log.links() == [("https://me/p", "https://x/2")]


def test_admin_sessions_and_login_failures(backend):
    auth = backend.auth
    auth.create_session("old", "c0", created=0.0, expires=10.0)
    auth.create_session("h1", "c1", created=100.0, expires=200.0)
    assert auth.session("old") is None  # expired ones go when a new one is made
    found = auth.session("h1")
    assert (found.csrf, found.expires) == ("c1", 200.0)
    auth.delete_session("h1")
    assert auth.session("h1") is None
    assert auth.login_failures("k") is None
    assert [auth.login_failed("k", t) for t in (1.0, 2.0, 3.0)] == [1, 2, 3]
    assert auth.login_failures("k") == (3, 3.0)
    auth.login_succeeded("k")
    assert auth.login_failures("k") is None


def test_postgres_queues_give_each_job_to_one_instance(postgres_url, tmp_path):
    from ownmedia.storage import Backend

    first, second = Backend(postgres_url, tmp_path), Backend(postgres_url, tmp_path)
    first.migrate()
    try:
        first.mention_queue.enqueue("webmention", "https://s/1", "https://t/1", "p", 100.0)
        with first.comments.transaction() as tx:
            tx.queue_mail("m@example.org", "s", "b")
        now = time.time() + 1
        assert len(first.mention_queue.due(200.0, 10)) == 1
        assert second.mention_queue.due(200.0, 10) == []  # claimed by the first
        assert len(second.mention_queue.due(200.0 + 121, 10)) == 1  # the claim ran out
        assert len(first.mail.due(now, 20)) == 1 and second.mail.due(now, 20) == []
    finally:
        first.close()
        second.close()

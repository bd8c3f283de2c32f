"""Received mentions: queued at once (the HTTP answer does not wait), verified by the
service's background worker, then created, updated or deleted as comments of type
webmention / pingback that go through moderation like any comment."""

from __future__ import annotations

import logging
import time

from ownmedia.comments import notify
from ownmedia.comments.moderation import to_comment
from ownmedia.comments.store import StoredComment, new_comment_id
from ownmedia.mentions.verify import Verification, verify

log = logging.getLogger("ownmedia.mentions")
MAX_ATTEMPTS = 6


def enqueue(store, kind: str, source: str, target: str, post: str) -> None:
    """Remember a mention to verify (a repeat of the same pair is verified again)."""
    now = time.time()
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO mention_queue(kind, source, target, post, received, next_attempt)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(source, target) DO UPDATE SET"
            " kind = excluded.kind, post = excluded.post, received = excluded.received,"
            " attempts = 0, next_attempt = excluded.next_attempt, last_error = NULL",
            (kind, source, target, post, now, now),
        )


def mention_body(v: Verification) -> str:
    if v.title and v.excerpt:
        return f"**{v.title}**\n\n{v.excerpt}"
    return v.excerpt or v.title or v.url


def apply(runtime, kind: str, source: str, target: str, post: str, v: Verification) -> str:
    """Turn a verification into a change of the comments; returns what happened."""
    store, moderator = runtime.store, runtime.moderator
    existing = store.by_mention(source, target)
    if v.state in ("gone", "missing"):
        if existing is None:
            return "ignored"
        moderator.delete([existing.id])
        return "deleted"
    author = v.author if kind == "webmention" else (v.title or v.author)
    body = mention_body(v)
    now = time.time()
    with store.transaction() as conn:
        if existing is not None:
            conn.execute(
                "UPDATE comments SET author = ?, website = ?, body = ?, updated = ? WHERE id = ?",
                (author[:200], v.author_url, body, now, existing.id),
            )
            row = conn.execute("SELECT * FROM comments WHERE id = ?", (existing.id,)).fetchone()
            updated = StoredComment.from_row(row)
            if updated.status == "approved":
                from ownmedia.comment_format import write_comment_file

                write_comment_file(moderator.comments_dir, to_comment(updated))
                store.queue_render(conn, updated.post)
            return "updated"
        comment_id = new_comment_id(now)
        store.insert(conn, id=comment_id, post=post, type=kind, status="pending",
                     author=author[:200] or "?", website=v.author_url, body=body,
                     source=source, target=target, created=now, updated=now)
        row = conn.execute("SELECT * FROM comments WHERE id = ?", (comment_id,)).fetchone()
        notify.queue_moderator_mail(store, conn, runtime.config, StoredComment.from_row(row),
                                    lambda: runtime.site_index.url_of(post))
    return "created"


def process_queue(runtime, limit: int = 20) -> int:
    """Verify what is due (called from the background loop's thread)."""
    store = runtime.store
    now = time.time()
    due = store.query(
        "SELECT * FROM mention_queue WHERE next_attempt <= ? ORDER BY next_attempt LIMIT ?",
        (now, limit),
    )
    for job in due:
        v = verify(job["source"], job["target"], runtime.config.mentions)
        if v.state == "error" and job["attempts"] + 1 < MAX_ATTEMPTS:
            with store.transaction() as conn:
                conn.execute(
                    "UPDATE mention_queue SET attempts = attempts + 1, last_error = ?,"
                    " next_attempt = ? WHERE id = ? AND received = ?",
                    (v.message[:500], now + 30 * 2 ** job["attempts"], job["id"],
                     job["received"]),
                )
            continue
        outcome = "dropped" if v.state == "error" else apply(
            runtime, job["kind"], job["source"], job["target"], job["post"], v)
        log.info("%s %s -> %s: %s %s", job["kind"], job["source"], job["target"], outcome,
                 v.message)
        with store.transaction() as conn:
            conn.execute("DELETE FROM mention_queue WHERE id = ? AND received = ?",
                         (job["id"], job["received"]))
    return len(due)

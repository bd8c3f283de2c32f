"""The statements of one comment transaction, written once for both backends (the `CommentTx`
port). A backend supplies only its dialect: how a statement runs (the SQL here is written with
`?` placeholders), its two table names that differ, and its locking (`_lock`, `FOR_UPDATE`):
none on SQLite, whose BEGIN IMMEDIATE already excludes every other writer; row and advisory
locks on PostgreSQL, where instances write side by side."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ownmedia.storage.comment_reads import SELECT_COMMENTS
from ownmedia.storage.ports import COMMENT_FIELDS, RateWindow, StoredComment


class CommentWrites:
    """Subclassed per backend, which defines `_run` and may override the rest of the dialect."""

    OUTBOX = "outbox"          # the mail queue's table
    RATE_HITS = "submissions"  # one row per comment or mention submission
    FOR_UPDATE = ""            # what locks the row `get` reads until COMMIT

    def _run(self, sql: str, params: Sequence = ()) -> Any:
        """Run `sql` (with `?` placeholders) in this transaction; its cursor."""
        raise NotImplementedError

    def _lock(self, what: str) -> None:
        """Hold `what` (a rate check's visitor, a duplicate check's post) until COMMIT."""

    def _one(self, where: str, params: Sequence) -> StoredComment | None:
        row = self._run(SELECT_COMMENTS + where, params).fetchone()
        return StoredComment.from_mapping(row) if row else None

    def get(self, comment_id: str) -> StoredComment | None:
        """The row, locked; an id not there yet is locked too (the file import of two
        instances: one inserts, the other then finds it)."""
        self._lock(f"comment|{comment_id}")
        return self._one(" WHERE id = ?" + self.FOR_UPDATE, (comment_id,))

    def by_mention(self, source: str, target: str) -> StoredComment | None:
        return self._one(" WHERE source = ? AND target = ?", (source, target))

    def insert(self, row: dict[str, object]) -> StoredComment:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self._run(f"INSERT INTO comments ({names}) VALUES ({marks})", tuple(row.values()))
        return self.get(str(row["id"]))

    def set_status(self, comment_id: str, status: str, now: float) -> None:
        self._run("UPDATE comments SET status = ?, updated = ? WHERE id = ?",
                  (status, now, comment_id))

    def edit(self, comment_id: str, author: str, body: str, website: str, now: float) -> None:
        self._run("UPDATE comments SET author = ?, body = ?, website = ?, updated = ? WHERE id = ?",
                  (author, body, website, now, comment_id))

    def update_mention(self, comment_id: str, *, author: str, website: str, body: str,
                       created: float, photo: str, now: float) -> None:
        self._run(
            "UPDATE comments SET author = ?, website = ?, body = ?, updated = ?, created = ?,"
            " photo = ? WHERE id = ?", (author, website, body, now, created, photo, comment_id))

    def update_from_file(self, comment_id: str, fields: dict[str, object], post: str,
                         now: float) -> None:
        unknown = set(fields) - set(COMMENT_FIELDS)
        if unknown:
            raise ValueError(f"unknown comment fields: {sorted(unknown)}")
        assignments = ", ".join(f"{k} = ?" for k in fields)
        self._run(
            f"UPDATE comments SET {assignments}, post = ?, status = 'approved', updated = ?"
            " WHERE id = ?", (*fields.values(), post, now, comment_id))

    def unpublish(self, comment_id: str, reason: str, now: float) -> bool:
        return bool(self._run(
            "UPDATE comments SET status = 'rejected', reason = ?, updated = ?"
            " WHERE id = ? AND status = 'approved'", (reason, now, comment_id)).rowcount)

    def delete(self, comment_id: str) -> None:
        self._run("DELETE FROM comments WHERE id = ?", (comment_id,))

    def duplicate_exists(self, post: str, body_hash: str) -> bool:
        self._lock(f"comment-body|{post}|{body_hash}")
        return self._run(
            "SELECT 1 FROM comments WHERE post = ? AND body_hash = ? AND status != 'rejected'"
            " LIMIT 1", (post, body_hash)).fetchone() is not None

    def forget_email(self, email: str) -> None:
        self._run("UPDATE comments SET notify = 0, email = '' WHERE lower(email) = ?", (email,))
        self._run(f"DELETE FROM {self.OUTBOX} WHERE lower(recipient) = ?", (email,))

    def rate_window(self, visitor: str, since: float) -> RateWindow:
        self._lock(f"rate|{visitor}")
        row = self._run(
            f"SELECT COUNT(*) AS n, MIN(ts) AS oldest FROM {self.RATE_HITS}"
            " WHERE visitor = ? AND ts > ?", (visitor, since)).fetchone()
        return RateWindow(row["n"], row["oldest"])

    def add_rate_hit(self, visitor: str, now: float, *,
                     prune_before: float | None = None) -> None:
        if prune_before is not None:
            self._run(f"DELETE FROM {self.RATE_HITS} WHERE ts < ?", (prune_before,))
        self._run(f"INSERT INTO {self.RATE_HITS}(visitor, ts) VALUES (?, ?)", (visitor, now))

    def queue_file(self, comment_id: str, post: str) -> None:
        self._run("INSERT INTO file_intents(comment_id, post, queued) VALUES (?, ?, ?)",
                  (comment_id, post, time.time()))

    def file_pending(self, comment_id: str) -> bool:
        return self._run("SELECT 1 FROM file_intents WHERE comment_id = ? LIMIT 1",
                         (comment_id,)).fetchone() is not None

    def done_file(self, seq: int) -> None:
        self._run("DELETE FROM file_intents WHERE seq = ?", (seq,))

    def queue_render(self, post: str) -> None:
        self._run("INSERT INTO render_queue(post, queued) VALUES (?, ?)"
                  " ON CONFLICT (post) DO UPDATE SET queued = excluded.queued",
                  (post, time.time()))

    def queue_mail(self, recipient: str, subject: str, body: str) -> None:
        now = time.time()
        self._run(f"INSERT INTO {self.OUTBOX}(created, recipient, subject, body, next_attempt)"
                  " VALUES (?, ?, ?, ?, ?)", (now, recipient, subject, body, now))

    def drop_mention_job(self, source: str | None, target: str | None) -> None:
        self._run("DELETE FROM mention_queue WHERE source = ? AND target = ?", (source, target))

"""Mentions on SQLite: the queue of received mentions waiting for verification and the log of
what `ownmedia mentions send` already sent, in comments.sqlite3 beside the comments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ownmedia.storage.mention_writes import MentionQueueWrites
from ownmedia.storage.ports import MentionJob, SentPost
from ownmedia.storage.sqlite import Migration

if TYPE_CHECKING:
    from ownmedia.storage.sqlite.comments import CommentsDb

MENTION_MIGRATIONS: list[Migration] = [
    (
        "mentions_0001_queue_state",
        """
        -- a job that used up its attempts stays, failed, with the reason, for the owner
        ALTER TABLE mention_queue ADD COLUMN state TEXT NOT NULL DEFAULT 'queued';
        ALTER TABLE mention_queue ADD COLUMN updated REAL NOT NULL DEFAULT 0;
        CREATE INDEX mention_queue_due ON mention_queue(state, next_attempt);

        -- what each post linked to when `mentions send` last looked, to notify removed links
        CREATE TABLE sent_links (
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            PRIMARY KEY (source, target)
        );
        -- a fingerprint of each post's content as last sent, to re-send on change
        CREATE TABLE sent_posts (
            source TEXT PRIMARY KEY,
            digest TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            sent_at REAL NOT NULL
        );
        """,
    ),
    (
        "mentions_0002_comment_photo",
        """
        -- a webmention author's photo: the local path of our copy (ownmedia.mentions.photos)
        ALTER TABLE comments ADD COLUMN photo TEXT NOT NULL DEFAULT '';
        """,
    ),
]

JOB_COLUMNS = ("id, kind, source, target, post, received, attempts, next_attempt, last_error,"
               " state, updated")


def _job(row) -> MentionJob:
    return MentionJob(*row)


class SqliteMentionQueue(MentionQueueWrites):
    """The `MentionQueue` port on comments.sqlite3 (enqueue, done, failed:
    storage.mention_writes)."""

    def __init__(self, db: CommentsDb):
        self.db = db

    def _write(self, sql: str, params: Sequence = ()) -> None:
        with self.db.transaction() as conn:
            conn.execute(sql, tuple(params))

    def due(self, now: float, limit: int) -> list[MentionJob]:
        rows = self.db.query(
            f"SELECT {JOB_COLUMNS} FROM mention_queue WHERE state = 'queued'"
            " AND next_attempt <= ? ORDER BY next_attempt LIMIT ?", (now, limit))
        return [_job(r) for r in rows]

    def jobs(self, state: str | None = None) -> list[MentionJob]:
        where = "" if state is None else " WHERE state = ?"
        rows = self.db.query(f"SELECT {JOB_COLUMNS} FROM mention_queue{where} ORDER BY received",
                             () if state is None else (state,))
        return [_job(r) for r in rows]

    def retry(self, job_ids: Sequence[int], now: float) -> int:
        changed = 0
        with self.db.transaction() as conn:
            for job_id in job_ids:
                changed += conn.execute(
                    "UPDATE mention_queue SET state = 'queued', attempts = 0, next_attempt = ?,"
                    " updated = ? WHERE id = ?", (now, now, job_id)).rowcount
        return changed


class SqliteMentionLog:
    """The `MentionLog` port on comments.sqlite3."""

    def __init__(self, db: CommentsDb):
        self.db = db

    def sent_pairs(self) -> list[tuple[str, str]]:
        rows = self.db.query("SELECT source, target FROM sent_mentions WHERE kind != 'error'")
        return [(r[0], r[1]) for r in rows]

    def links(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in
                self.db.query("SELECT source, target FROM sent_links ORDER BY rowid")]

    def posts(self) -> list[SentPost]:
        return [SentPost(r[0], r[1], bool(r[2])) for r in
                self.db.query("SELECT source, digest, deleted FROM sent_posts")]

    def post_sent(self, post: SentPost, links: Sequence[str] | None, now: float) -> None:
        """Remember the post as sent; `links` None keeps what it linked to before."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO sent_posts(source, digest, deleted, sent_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(source) DO UPDATE SET digest = excluded.digest,"
                " deleted = excluded.deleted, sent_at = excluded.sent_at",
                (post.source, post.digest, int(post.deleted), now))
            if links is None:
                return
            conn.execute("DELETE FROM sent_links WHERE source = ?", (post.source,))
            conn.executemany("INSERT INTO sent_links(source, target) VALUES (?, ?)",
                             [(post.source, t) for t in dict.fromkeys(links)])

    def pair_sent(self, source: str, target: str, kind: str, endpoint: str, status: int,
                  now: float) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sent_mentions(source, target, kind, endpoint, status,"
                " sent_at) VALUES (?, ?, ?, ?, ?, ?)",
                (source, target, kind, endpoint, status, now))

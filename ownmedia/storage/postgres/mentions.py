"""Mentions on PostgreSQL: the verification queue and the log of sent mentions (tables made
by the comments migration)."""

from __future__ import annotations

from collections.abc import Sequence

from ownmedia.storage.mention_writes import MentionQueueWrites
from ownmedia.storage.ports import MentionJob, SentPost
from ownmedia.storage.postgres.db import PgDatabase, translate

_JOB_COLUMNS = ("id, kind, source, target, post, received, attempts, next_attempt, last_error,"
                " state, updated")


def _job(row: dict) -> MentionJob:
    return MentionJob(**row)


CLAIM_SECONDS = 120.0  # a job taken by one instance is left to it this long


class PgMentionQueue(MentionQueueWrites):
    """The `MentionQueue` port on PostgreSQL. Several instances verify: `due` claims the jobs
    it returns (next_attempt moves on, SKIP LOCKED), so each is verified by one of them; a
    claim of an instance that died runs out and the job is taken again (enqueue, done,
    failed: storage.mention_writes)."""

    def __init__(self, db: PgDatabase):
        self.db = db

    def _write(self, sql: str, params: Sequence = ()) -> None:
        with self.db.transaction() as conn:
            conn.execute(translate(sql), tuple(params))

    def due(self, now: float, limit: int) -> list[MentionJob]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_JOB_COLUMNS} FROM mention_queue WHERE state = 'queued'"
                " AND next_attempt <= %s ORDER BY next_attempt LIMIT %s FOR UPDATE SKIP LOCKED",
                (now, limit)).fetchall()
            if rows:
                conn.execute("UPDATE mention_queue SET next_attempt = %s WHERE id = ANY(%s)",
                             (now + CLAIM_SECONDS, [r["id"] for r in rows]))
        return [_job(r) for r in rows]

    def jobs(self, state: str | None = None) -> list[MentionJob]:
        where = "" if state is None else " WHERE state = %s"
        rows = self.db.query(
            f"SELECT {_JOB_COLUMNS} FROM mention_queue{where} ORDER BY received, id",
            () if state is None else (state,))
        return [_job(r) for r in rows]

    def retry(self, job_ids: Sequence[int], now: float) -> int:
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE mention_queue SET state = 'queued', attempts = 0, next_attempt = %s,"
                " updated = %s WHERE id = ANY(%s)", (now, now, list(job_ids))).rowcount


class PgMentionLog:
    """The `MentionLog` port on PostgreSQL."""

    def __init__(self, db: PgDatabase):
        self.db = db

    def sent_pairs(self) -> list[tuple[str, str]]:
        rows = self.db.query("SELECT source, target FROM sent_mentions WHERE kind != 'error'")
        return [(r["source"], r["target"]) for r in rows]

    def links(self) -> list[tuple[str, str]]:
        rows = self.db.query("SELECT source, target FROM sent_links ORDER BY seq")
        return [(r["source"], r["target"]) for r in rows]

    def posts(self) -> list[SentPost]:
        rows = self.db.query("SELECT source, digest, deleted FROM sent_posts")
        return [SentPost(r["source"], r["digest"], bool(r["deleted"])) for r in rows]

    def post_sent(self, post: SentPost, links: Sequence[str] | None, now: float) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO sent_posts(source, digest, deleted, sent_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (source) DO UPDATE SET"
                " digest = excluded.digest, deleted = excluded.deleted,"
                " sent_at = excluded.sent_at",
                (post.source, post.digest, int(post.deleted), now))
            if links is None:
                return
            conn.execute("DELETE FROM sent_links WHERE source = %s", (post.source,))
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO sent_links(source, target) VALUES (%s, %s)",
                                [(post.source, t) for t in dict.fromkeys(links)])

    def pair_sent(self, source: str, target: str, kind: str, endpoint: str, status: int,
                  now: float) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO sent_mentions(source, target, kind, endpoint, status, sent_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (source, target) DO UPDATE SET"
                " kind = excluded.kind, endpoint = excluded.endpoint,"
                " status = excluded.status, sent_at = excluded.sent_at",
                (source, target, kind, endpoint, status, now))

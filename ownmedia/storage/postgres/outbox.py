"""The forwarding outbox on PostgreSQL (a ForwardOutbox shared by several instances).

`claim` takes due rows with SELECT ... FOR UPDATE SKIP LOCKED and leases them (next_attempt
moves LEASE_SECONDS ahead) in one statement, so whichever instance took an event, exactly one
forwarder delivers it in normal operation; a forwarder that dies mid-delivery leaves its rows
to be taken again once the lease expires (at-least-once, as with SQLite after a crash)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ownmedia.storage.event_ports import OutboxRow
from ownmedia.storage.postgres.db import UNAVAILABLE, PgDatabase, unavailable

LEASE_SECONDS = 120.0
INSERT_OUTBOX = ("INSERT INTO outbox (created, payload, user_agent, client_ip, next_attempt)"
                 " VALUES (%s, %s, %s, %s, %s)")
CLAIM = (
    "UPDATE outbox SET next_attempt = %(now)s + %(lease)s WHERE id IN ("
    " SELECT id FROM outbox WHERE next_attempt <= %(now)s ORDER BY next_attempt, id"
    " LIMIT %(limit)s FOR UPDATE SKIP LOCKED)"
    " RETURNING id, payload, user_agent, client_ip, attempts"
)


class PostgresOutbox:
    def __init__(self, db: PgDatabase):
        self.db = db  # the event sink's (borrowed from the process's pool)

    def _run(self, job):
        try:
            with self.db.borrow() as conn:
                return job(conn)
        except UNAVAILABLE as exc:
            raise unavailable(self.db.url, exc) from exc

    async def claim(self, now: float, limit: int) -> list[OutboxRow]:
        def job(conn) -> list[OutboxRow]:
            rows = conn.execute(CLAIM, {"now": now, "lease": LEASE_SECONDS, "limit": limit})
            return sorted((OutboxRow(*r) for r in rows), key=lambda r: r.id)
        return await asyncio.to_thread(self._run, job)

    async def next_due(self) -> float | None:
        return await asyncio.to_thread(
            self._run, lambda conn: conn.execute("SELECT min(next_attempt) FROM outbox")
            .fetchone()[0])

    async def settle(self, done: Sequence[int], retry: Sequence[tuple]) -> None:
        def job(conn) -> None:
            with conn.cursor() as cur:
                if done:
                    cur.execute("DELETE FROM outbox WHERE id = ANY(%s::bigint[])", [list(done)])
                if retry:
                    cur.executemany("UPDATE outbox SET attempts = %s, next_attempt = %s,"
                                    " last_error = %s WHERE id = %s", retry)
        await asyncio.to_thread(self._run, job)

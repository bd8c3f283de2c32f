"""The forwarding outbox in the events file (a ForwardOutbox), read and written through the
event writer's group commit so it never waits on another writer of the same file."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ownmedia.storage.errors import StorageUnavailable
from ownmedia.storage.event_ports import OutboxRow
from ownmedia.storage.sqlite.writer import GroupCommitWriter

INSERT_OUTBOX = ("INSERT INTO outbox (created, payload, user_agent, client_ip, next_attempt)"
                 " VALUES (?, ?, ?, ?, ?)")


class SqliteOutbox:
    """One process owns an events file, so claiming is reading."""

    def __init__(self, writer: GroupCommitWriter):
        self.writer = writer

    async def _run(self, job):
        try:
            return await self.writer.run_async(job)
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"outbox unavailable: {exc}") from exc

    async def claim(self, now: float, limit: int) -> list[OutboxRow]:
        def job(conn: sqlite3.Connection) -> list[OutboxRow]:
            return [OutboxRow(*r) for r in conn.execute(
                "SELECT id, payload, user_agent, client_ip, attempts FROM outbox"
                " WHERE next_attempt <= ? ORDER BY next_attempt, id LIMIT ?", (now, limit))]
        return await self._run(job)

    async def next_due(self) -> float | None:
        return await self._run(
            lambda conn: conn.execute("SELECT min(next_attempt) FROM outbox").fetchone()[0])

    async def settle(self, done: Sequence[int], retry: Sequence[tuple]) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in done])
            conn.executemany(
                "UPDATE outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE id = ?",
                retry)
        await self._run(job)

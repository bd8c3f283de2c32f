"""The SQLite event sink: data/events.sqlite3 written through one group-commit writer.

`record(event)` enriches an accepted event with its visitor hash and session and stores it
(with its outbox row when forwarding is on) in the same transaction; it returns the stored row
once committed. Only this process writes the file, so the open visits live in memory."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ownmedia.events.model import AcceptedEvent
from ownmedia.events.record import EVENT_COLUMNS, SESSION_COLUMNS, enrich, outbox_payload, touch
from ownmedia.events.salts import SaltBox, utc_day
from ownmedia.events.sessions import SessionTracker
from ownmedia.events.validation import EventValidationError
from ownmedia.storage.errors import StorageUnavailable
from ownmedia.storage.ports import configured_goals
from ownmedia.storage.sqlite import connect, migrate, storage_error
from ownmedia.storage.sqlite import visits as visit_state
from ownmedia.storage.sqlite.events_schema import EVENT_MIGRATIONS
from ownmedia.storage.sqlite.goals import SqliteGoalStorage
from ownmedia.storage.sqlite.outbox import INSERT_OUTBOX, SqliteOutbox
from ownmedia.storage.sqlite.salts import load_salts
from ownmedia.storage.sqlite.writer import GroupCommitWriter, WriterClosed

DB_NAME = "events.sqlite3"


def _as_ours(exc: BaseException) -> BaseException:
    """What the sink raises for a failed write: the StorageError family for the database's
    or the disk's trouble, a validation error for text SQLite cannot encode (bad input)."""
    if isinstance(exc, UnicodeEncodeError):
        return EventValidationError("body", "contains an unpaired surrogate")
    if isinstance(exc, sqlite3.Error):
        return storage_error(exc, "the event store")
    if isinstance(exc, OSError):
        return StorageUnavailable(f"the event store: {exc}")
    return exc


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


INSERT_EVENT = _insert_sql("events", EVENT_COLUMNS)
INSERT_SESSION = _insert_sql("sessions", SESSION_COLUMNS)
COUNT_DROPPED = (
    "INSERT INTO dropped (day, domain, reason, count) VALUES (?, ?, ?, 1)"
    " ON CONFLICT (day, domain, reason) DO UPDATE SET count = count + 1"
)


class SqliteEventSink:
    """Owns the writer, the salts and the live sessions of one events database."""

    def __init__(
        self,
        path: str | Path,
        *,
        commit_mode: str = "group",
        max_batch: int = 512,
        forward: bool = False,
        clock: Callable[[], float] = time.time,
        durable: bool = True,
    ):
        self.path = Path(path)
        self.forward = forward
        self.clock = clock
        self.salts = SaltBox(load_salts)
        self.sessions = SessionTracker()
        self.on_outbox: Callable[[], None] | None = None  # set by the forwarder
        self._outbox_written = False
        conn = connect(self.path)
        try:
            migrate(conn, EVENT_MIGRATIONS)
            if not durable:  # a generated file (the simulator): speed over durability
                conn.execute("PRAGMA synchronous=OFF")
            self._preload(conn)
        except (sqlite3.Error, OSError) as exc:
            conn.close()
            raise _as_ours(exc) from exc
        self.writer = GroupCommitWriter(
            conn,
            mode=commit_mode,
            max_batch=max_batch,
            before_batch=self._before_batch,
            before_commit=self._before_commit,
            after_commit=self._after_commit,
            on_failure=self._on_failure,
        )
        self.outbox = SqliteOutbox(self.writer)

    @classmethod
    def in_dir(cls, data_dir: str | Path, **kwargs) -> SqliteEventSink:
        return cls(Path(data_dir) / DB_NAME, **kwargs)

    def _preload(self, conn: sqlite3.Connection) -> None:
        now = self.clock()
        self.sessions.preload(visit_state.open_visits(conn, self.sessions.horizon(now)),
                              visit_state.max_session_id(conn))

    # writer hooks (inside a batch) -------------------------------------------------------------
    def _before_batch(self, conn: sqlite3.Connection) -> None:
        self._outbox_written = False

    def _before_commit(self, conn: sqlite3.Connection) -> None:
        visit_state.save(conn, self.sessions.flush(self.clock()))

    def _after_commit(self) -> None:
        if self._outbox_written and self.on_outbox is not None:
            self.on_outbox()

    def _on_failure(self) -> None:
        """After a rollback, memory may be ahead of the table: reload it from the table."""
        self.sessions.reset()
        self.salts.reset()
        try:
            self._preload(self.writer.conn)
        except sqlite3.Error:
            pass  # the next batch will fail the same way and we will try again

    # jobs ------------------------------------------------------------------------------------
    def _record_job(
        self, ev: AcceptedEvent, want_row: bool = True
    ) -> Callable[[sqlite3.Connection], dict | bool | None]:
        def job(conn: sqlite3.Connection) -> dict | bool | None:
            return self._insert(conn, ev, want_row)

        job.single_statement = not self.forward  # no savepoint needed: SQLite undoes a failed
        return job                                # statement by itself

    def _insert(
        self, conn: sqlite3.Connection, ev: AcceptedEvent, want_row: bool = True
    ) -> dict | bool | None:
        enriched = enrich(ev, self.salts.ensure(conn, ev.ts), self.sessions)
        if enriched is None:
            self._count(conn, ev.valid.domain, "engagement_without_session", ev.ts)
            return None
        values, session = enriched
        cur = conn.execute(INSERT_EVENT, values)
        if self.forward:
            conn.execute(INSERT_OUTBOX, (ev.ts, outbox_payload(ev), ev.user_agent, ev.ip, ev.ts))
            self._outbox_written = True
        touch(self.sessions, session, ev)
        if not want_row:  # the endpoint only needs to know: a dict per event cost 2 % of it
            return True
        row = dict(zip(EVENT_COLUMNS, values, strict=True))
        row["id"] = cur.lastrowid
        return row

    @staticmethod
    def _count(conn: sqlite3.Connection, domain: str, reason: str, ts: float) -> None:
        conn.execute(COUNT_DROPPED, (utc_day(ts), domain, reason))

    # public API (every failure in the StorageError family) ------------------------------------
    async def _async(self, job: Callable[[sqlite3.Connection], object]) -> object:
        try:
            return await self.writer.run_async(job)
        except (sqlite3.Error, OSError, UnicodeEncodeError) as exc:
            raise _as_ours(exc) from exc

    def _run(self, job: Callable[[sqlite3.Connection], object]) -> object:
        try:
            return self.writer.run(job)
        except (sqlite3.Error, OSError, UnicodeEncodeError) as exc:
            raise _as_ours(exc) from exc

    async def record(self, ev: AcceptedEvent, want_row: bool = True) -> dict | bool | None:
        """Store an event; returns the row once committed (True instead when not `want_row`;
        None if dropped, e.g. an engagement event with no visit to attach to)."""
        return await self._async(self._record_job(ev, want_row))

    def record_sync(self, ev: AcceptedEvent) -> dict | None:
        """`record` for code that is not running in the event loop."""
        return self._run(self._record_job(ev))

    async def count_dropped(self, domain: str, reason: str, ts: float | None = None) -> None:
        when = self.clock() if ts is None else ts
        await self._async(lambda conn: self._count(conn, domain, reason, when))

    def count_dropped_sync(self, domain: str, reason: str, ts: float | None = None) -> None:
        when = self.clock() if ts is None else ts
        self._run(lambda conn: self._count(conn, domain, reason, when))

    def bulk_insert(self, events: Sequence[tuple], sessions: Sequence[tuple], *,
                    event_columns: Sequence[str] = EVENT_COLUMNS,
                    session_columns: Sequence[str] = SESSION_COLUMNS) -> None:
        """Enriched rows in one transaction (the simulator, imports)."""
        ev_sql, se_sql = INSERT_EVENT, INSERT_SESSION
        if tuple(event_columns) != EVENT_COLUMNS:
            ev_sql = _insert_sql("events", event_columns)
        if tuple(session_columns) != SESSION_COLUMNS:
            se_sql = _insert_sql("sessions", session_columns)

        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(ev_sql, events)
            conn.executemany(se_sql, sessions)

        self._run(job)

    def set_dropped(self, rows: Iterable[tuple[str, str, str, int]]) -> None:
        """Dropped counts as (day, domain, reason, count), replacing those of the same key."""
        rows = list(rows)
        self._run(lambda conn: conn.executemany(
            "INSERT OR REPLACE INTO dropped (day, domain, reason, count) VALUES (?, ?, ?, ?)",
            rows))

    def has_events(self) -> bool:
        return self._run(
            lambda conn: conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None)

    def seed_goals(self, goals: Iterable[dict], domains: Iterable[str]) -> int:
        """Create the configured goals that do not exist yet (through the goal port, in the
        writer's transaction); returns how many were added."""
        records = configured_goals(list(goals), list(domains))

        def job(conn: sqlite3.Connection) -> int:
            store = SqliteGoalStorage(conn=conn)
            return sum(store.put(record)[1] for record in records)

        return self._run(job)

    def close(self) -> None:
        """Write what is queued, then close (from outside the event loop)."""
        self.writer.close()

    async def aclose(self) -> None:
        """Write what is queued, then close (graceful shutdown, from the event loop)."""
        await self.writer.aclose()


__all__ = ["DB_NAME", "SqliteEventSink", "WriterClosed"]

"""The PostgreSQL event sink: the shared store of several instances.

Group commit as in the SQLite sink: the requests that arrive while a batch is being written
wait for the next one, and each batch is one transaction, so a 202 means the row is committed
and concurrent requests share one commit. A batch costs two round trips (pipeline mode): the
locks and the open visits it needs to read, then its writes with the COMMIT.

Visit state lives in the database, not in memory: a batch locks its visitors (transaction-level
advisory locks, taken in key order so two batches never deadlock), reads their open visits,
continues or starts them and writes them back before committing. A visitor whose requests
alternate between two instances is thus one visitor with one visit; salts are shared the same
way (the first instance to need a day's salt makes it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pycountry

from ownmedia.events.model import AcceptedEvent
from ownmedia.events.record import (
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    enrich,
    outbox_payload,
    touch,
    visitor_ids,
)
from ownmedia.events.salts import SaltBox, utc_day
from ownmedia.events.sessions import SessionTracker
from ownmedia.events.validation import EventValidationError
from ownmedia.storage.drain import LoopDrain
from ownmedia.storage.event_ports import SinkClosed
from ownmedia.storage.ports import configured_goals
from ownmedia.storage.postgres.db import UNAVAILABLE, PgDatabase, migrate, unavailable
from ownmedia.storage.postgres.events_schema import EVENT_MIGRATIONS
from ownmedia.storage.postgres.outbox import INSERT_OUTBOX, PostgresOutbox
from ownmedia.storage.postgres.rollups import dirty_days, mark

log = logging.getLogger("ownmedia.events")

SESSION_SELECT = ", ".join('"end"' if c == "end" else c for c in SESSION_COLUMNS)
UPSERT_SESSION = (
    f"INSERT INTO sessions ({SESSION_SELECT}) VALUES ({', '.join(['%s'] * len(SESSION_COLUMNS))})"
    ' ON CONFLICT (session_id) DO UPDATE SET "end" = excluded."end",'
    " exit_page = excluded.exit_page, entry_page = excluded.entry_page,"
    " pageviews = excluded.pageviews, events = excluded.events,"
    " interactive_events = excluded.interactive_events, last_seen = excluded.last_seen"
)
COUNT_DROPPED = (
    "INSERT INTO dropped (day, domain, reason, count) VALUES (%s, %s, %s, %s)"
    " ON CONFLICT (day, domain, reason) DO UPDATE SET count = dropped.count + excluded.count"
)
LOCK_VISITORS = ("SELECT pg_advisory_xact_lock(k) FROM"
                 " (SELECT DISTINCT unnest(%s::bigint[]) AS k ORDER BY 1) AS keys")
# one index probe per visitor (OFFSET 0 keeps the probe a subquery): on a table the planner
# thinks small, `visitor_id = ANY(...)` is a sequential scan of every visit, in every batch
OPEN_VISITS = ("SELECT v.* FROM unnest(%s::bigint[]) AS k(visitor) CROSS JOIN LATERAL"
               f" (SELECT {SESSION_SELECT} FROM sessions WHERE visitor_id = k.visitor"
               ' AND last_seen > %s OFFSET 0) AS v ORDER BY v."end"')
SESSION_ID_BLOCK = 1024  # the session_ids sequence's increment


def _insert_sql(table: str, columns: Sequence[str], returning: bool = False) -> str:
    cols = ", ".join('"end"' if c == "end" else c for c in columns)
    marks = ", ".join("%s::jsonb" if c == "props" else "%s" for c in columns)
    return (f"INSERT INTO {table} ({cols}) VALUES ({marks})"
            + (" RETURNING id" if returning else ""))


INSERT_EVENT = _insert_sql("events", EVENT_COLUMNS)
INSERT_EVENT_RETURNING = _insert_sql("events", EVENT_COLUMNS, returning=True)


def load_salts(conn: psycopg.Connection, today: str, yesterday: str,
               new_salt: bytes) -> dict[str, bytes]:
    """SaltStore on PostgreSQL: the first instance's salt for a day wins."""
    conn.execute("INSERT INTO salts (day, salt) VALUES (%s, %s) ON CONFLICT (day) DO NOTHING",
                 [today, new_salt])
    conn.execute("DELETE FROM salts WHERE day < %s", [yesterday])
    rows = conn.execute("SELECT day, salt FROM salts WHERE day IN (%s, %s)", [today, yesterday])
    return {day: bytes(salt) for day, salt in rows}


def fill_geo_names(conn: psycopg.Connection) -> None:
    """ISO 3166 names of countries and regions, for visit:country_name and region_name (what
    the SQLite backend asks pycountry for in a SQL function)."""
    if conn.execute("SELECT 1 FROM geo_names LIMIT 1").fetchone():
        return
    rows = [(c.alpha_2, c.name) for c in pycountry.countries]
    rows += [(s.code, s.name) for s in pycountry.subdivisions]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO geo_names (code, name) VALUES (%s, %s)"
                        " ON CONFLICT (code) DO NOTHING", rows)


class SessionIds:
    """Session ids from the shared sequence, a block of SESSION_ID_BLOCK at a time."""

    def __init__(self) -> None:
        self._next = self._end = 0
        self._lock = threading.Lock()

    def take(self, conn: psycopg.Connection) -> Callable[[float], int]:
        def new_id(_now: float) -> int:
            with self._lock:
                if self._next >= self._end:
                    start = conn.execute("SELECT nextval('session_ids')").fetchone()[0]
                    self._next, self._end = start, start + SESSION_ID_BLOCK
                self._next += 1
                return self._next - 1
        return new_id


class PostgresEventSink(LoopDrain):
    """An EventSink on PostgreSQL (see the module's docstring)."""

    def __init__(
        self,
        url: str | PgDatabase,
        *,
        commit_mode: str = "group",
        max_batch: int = 512,
        forward: bool = False,
        clock: Callable[[], float] = time.time,
        durable: bool = True,
        inflight: int = 2,
    ):
        """`url`: the process's pool of that URL is borrowed (PgDatabase.shared), or the
        PgDatabase given (the composition root's) is used; closing the sink gives it back."""
        if commit_mode not in ("group", "each"):
            raise ValueError("commit_mode must be 'group' or 'each'")
        self.db = PgDatabase.shared(url) if isinstance(url, str) else url.borrowed()
        self.url = self.db.url
        self.forward = forward
        self.clock = clock
        self.durable = durable
        self.max_batch = max_batch if commit_mode == "group" else 1
        # batches in flight leave at least one connection to the other stores of the process
        self.max_inflight = max(1, min(inflight, self.db.max_size - 1))
        try:
            self.db.check_reachable()
            self._transaction(lambda conn: (migrate(conn, EVENT_MIGRATIONS, "events"),
                                            fill_geo_names(conn)))
        except BaseException:
            self.db.close()
            raise
        self.salts = SaltBox(load_salts)
        self._salt_lock = threading.Lock()
        self.ids = SessionIds()
        self.outbox = PostgresOutbox(self.db)
        self.on_outbox: Callable[[], None] | None = None
        self.closed = False
        self.batches = self.jobs = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[tuple, asyncio.Future]] = []
        self._inflight = 0
        self._scheduled = False
        self._idle: asyncio.Event | None = None
        self._executor = ThreadPoolExecutor(self.max_inflight, thread_name_prefix="pg-events")

    # one batch, in a worker thread -------------------------------------------------------------
    def _write(self, jobs: list[tuple]) -> list[tuple[bool, Any]]:
        """Write a batch in one transaction; a row the database refuses (bad input) sinks only
        its own request: the batch is then written again one request at a time."""
        try:
            return self._write_once(jobs)
        except UNAVAILABLE as exc:
            raise unavailable(self.url, exc) from exc
        except (psycopg.DataError, psycopg.IntegrityError, UnicodeEncodeError) as exc:
            if len(jobs) == 1:
                return [(False, _bad_input(exc))]
        out: list[tuple[bool, Any]] = []
        for job in jobs:
            out += self._write([job])
        return out

    def _write_once(self, jobs: list[tuple]) -> list[tuple[bool, Any]]:
        """One transaction in two round trips: BEGIN, the visitors' locks and their open
        visits; then every write and COMMIT, pipelined (the ids are read once committed)."""
        outcomes: list[tuple[bool, Any]] = [(True, None)] * len(jobs)
        drops: Counter = Counter()
        wrote_outbox, settle = False, None
        with self.db.connection() as conn, conn.pipeline(), conn.transaction():
            if not self.durable:
                conn.execute("SET LOCAL synchronous_commit = off")
            events = [(i, j[1], j[2]) for i, j in enumerate(jobs) if j[0] == "event"]
            for j in jobs:
                if j[0] == "drop":
                    drops[(utc_day(j[3]), j[1], j[2])] += 1
            if events:
                settle, wrote_outbox = self._write_events(conn, events, outcomes, drops)
            if drops:
                conn.cursor().executemany(COUNT_DROPPED, [(*k, n) for k, n in drops.items()])
        if settle is not None:
            settle()
        self.batches += 1
        self.jobs += len(jobs)
        if wrote_outbox and self.on_outbox is not None:
            self.on_outbox()
        return outcomes

    def _write_events(self, conn: psycopg.Connection, events: list, outcomes: list,
                      drops: Counter) -> tuple[Callable[[], None], bool]:
        """Queue the batch's writes on `conn` (in a pipeline); returns what fills `outcomes`
        once they are committed, and whether the outbox got rows."""
        with self._salt_lock:
            salts = [self.salts.ensure(conn, ev.ts) for _, ev, _ in events]
        keys = sorted({k for (_, ev, _), s in zip(events, salts, strict=True)
                       for k in visitor_ids(ev, s)})
        conn.execute(LOCK_VISITORS, [keys])
        tracker = SessionTracker(new_id=self.ids.take(conn))
        horizon = tracker.horizon(min(self.clock(), min(ev.ts for _, ev, _ in events)))
        # read after the locks are held: its own statement, so its own snapshot
        tracker.preload(conn.execute(OPEN_VISITS, [keys, horizon]).fetchall())
        rows, stored, outbox = [], [], []
        for (i, ev, want_row), ev_salts in zip(events, salts, strict=True):
            enriched = enrich(ev, ev_salts, tracker)
            if enriched is None:
                drops[(utc_day(ev.ts), ev.valid.domain, "engagement_without_session")] += 1
                continue
            values, session = enriched
            touch(tracker, session, ev)
            rows.append(values)
            stored.append((i, want_row, values))
            if self.forward:
                outbox.append((ev.ts, outbox_payload(ev), ev.user_agent, ev.ip, ev.ts))
        returning = any(want for _, want, _ in stored)
        inserted = conn.cursor()
        if rows:
            inserted.executemany(INSERT_EVENT_RETURNING if returning else INSERT_EVENT, rows,
                                 returning=returning)
        cur = conn.cursor()  # results not read: one cursor for the rest
        cur.executemany(UPSERT_SESSION, tracker.flush(self.clock()))
        mark(cur, dirty_days(rows))
        if outbox:
            cur.executemany(INSERT_OUTBOX, outbox)

        def settle() -> None:
            ids: list[Any] = [None] * len(rows)
            if rows and returning:
                ids = []
                while True:
                    ids.append(inserted.fetchone()[0])
                    if not inserted.nextset():
                        break
            for (i, want_row, values), row_id in zip(stored, ids, strict=True):
                if want_row:
                    row = dict(zip(EVENT_COLUMNS, values, strict=True))
                    row["id"] = row_id
                    outcomes[i] = (True, row)
                else:
                    outcomes[i] = (True, True)
        return settle, bool(outbox)

    # asynchronous path (the service) ----------------------------------------------------------
    async def _submit(self, job: tuple) -> Any:
        if self.closed:
            raise SinkClosed("the event store is closed")
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            self.loop, self._idle = loop, asyncio.Event()
            self._idle.set()
        fut = loop.create_future()
        self._pending.append((job, fut))
        assert self._idle is not None
        self._idle.clear()
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)  # the requests parsed in this iteration join the batch
        return await fut

    def _flush(self) -> None:
        self._scheduled = False
        loop = self.loop
        assert loop is not None
        while self._pending and self._inflight < self.max_inflight:
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            self._inflight += 1
            done = loop.run_in_executor(self._executor, self._write, [j for j, _ in batch])
            done.add_done_callback(lambda f, batch=batch: self._settle(batch, f))

    def _settle(self, batch: list, f: asyncio.Future) -> None:
        self._inflight -= 1
        exc = f.exception()
        if exc is not None:
            log.error("events not stored: %s", exc)
        outcomes = [(False, exc)] * len(batch) if exc is not None else f.result()
        for (_, fut), (ok, value) in zip(batch, outcomes, strict=True):
            if fut.done():
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
        if self._pending:
            self._flush()
        elif not self._inflight and self._idle is not None:
            self._idle.set()

    def _run_sync(self, job: tuple) -> Any:
        if self.closed:
            raise SinkClosed("the event store is closed")
        if self._loop_running_elsewhere():
            return self._on_loop(self._submit(job))
        [(ok, value)] = self._write([job])
        if not ok:
            raise value
        return value

    # EventSink --------------------------------------------------------------------------------
    async def record(self, ev: AcceptedEvent, want_row: bool = True) -> dict | bool | None:
        return await self._submit(("event", ev, want_row))

    def record_sync(self, ev: AcceptedEvent) -> dict | None:
        return self._run_sync(("event", ev, True))

    async def count_dropped(self, domain: str, reason: str, ts: float | None = None) -> None:
        await self._submit(("drop", domain, reason, self.clock() if ts is None else ts))

    def count_dropped_sync(self, domain: str, reason: str, ts: float | None = None) -> None:
        self._run_sync(("drop", domain, reason, self.clock() if ts is None else ts))

    def _transaction(self, job: Callable[[psycopg.Connection], Any]) -> Any:
        try:
            with self.db.borrow(durable=self.durable) as conn:
                return job(conn)
        except UNAVAILABLE as exc:
            raise unavailable(self.url, exc) from exc

    def bulk_insert(self, events: Sequence[tuple], sessions: Sequence[tuple], *,
                    event_columns: Sequence[str] = EVENT_COLUMNS,
                    session_columns: Sequence[str] = SESSION_COLUMNS) -> None:
        """Enriched rows in one transaction, through COPY (the simulator, imports)."""
        def job(conn: psycopg.Connection) -> None:
            with conn.cursor() as cur:
                session_rows: Iterable[tuple] = sessions
                session_cols = list(session_columns)
                if "last_seen" not in session_cols:  # a visit's last activity is its end
                    end = session_cols.index("end")
                    session_cols.append("last_seen")
                    session_rows = ((*row, row[end]) for row in sessions)
                for table, columns, rows in (("events", event_columns, events),
                                             ("sessions", session_cols, session_rows)):
                    cols = ", ".join('"end"' if c == "end" else c for c in columns)
                    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                ts, domain = list(event_columns).index("ts"), list(event_columns).index("domain")
                mark(cur, dirty_days(events, ts, domain))
        self._transaction(job)
        # fresh statistics now, not at autovacuum's next pass: the planner otherwise sees
        # empty tables and nests loops over a bulk load (minutes instead of milliseconds)
        self._transaction(lambda conn: conn.execute("ANALYZE events, sessions"))

    def set_dropped(self, rows: Iterable[tuple[str, str, str, int]]) -> None:
        rows = list(rows)

        def job(conn: psycopg.Connection) -> None:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO dropped (day, domain, reason, count) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (day, domain, reason) DO UPDATE SET count = excluded.count",
                    rows)
        self._transaction(job)

    def has_events(self) -> bool:
        return self._transaction(
            lambda conn: conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None)

    def seed_goals(self, goals: Iterable[dict], domains: Iterable[str]) -> int:
        """Create the configured goals that do not exist yet, through the goal port (the
        Stats API and `ownmedia goals` write the same table); how many were added."""
        from ownmedia.storage.postgres.goals import PgGoalStorage

        store = PgGoalStorage(self.db, schema_ready=True)
        return sum(store.put(record)[1]
                   for record in configured_goals(list(goals), list(domains)))

    # shutdown (aclose, close: storage.drain) --------------------------------------------------
    release_blocks = True  # the batches in flight finish in their threads first

    def _release(self) -> None:
        self._executor.shutdown(wait=True)
        with contextlib.suppress(Exception):
            self.db.close()


def _bad_input(exc: BaseException) -> BaseException:
    """What the database refused in one event is the request's fault: a 400, not a 503."""
    if isinstance(exc, UnicodeEncodeError):
        return exc
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return EventValidationError("body", f"refused by the database: {first}")

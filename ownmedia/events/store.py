"""The event store: data/events.sqlite3 written through one group-commit writer.

`EventStore.record(event)` enriches an accepted event with its visitor hash and session and
stores it (with its outbox row when forwarding is on) in the same transaction; it returns
the stored row once committed. Other parts of the service (comments recording a server-side
"Comment" event) use it through `ownmedia.events.ingest`."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ownmedia.events.channels import channel
from ownmedia.events.model import AcceptedEvent
from ownmedia.events.salts import SaltBox, utc_day, visitor_id
from ownmedia.events.sessions import VISIT_FIELDS, SessionTracker
from ownmedia.events.writer import GroupCommitWriter
from ownmedia.storage.events_schema import EVENT_MIGRATIONS
from ownmedia.storage.sqlite import connect, migrate

DB_NAME = "events.sqlite3"

EVENT_COLUMNS = (
    "ts", "domain", "name", "hostname", "pathname", "referrer", "referrer_source",
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "visitor_id", "session_id", *VISIT_FIELDS, "v_entry_page",
    "browser", "browser_version", "os", "os_version", "device", "props",
    "revenue_amount", "revenue_currency", "interactive", "scroll_depth", "engagement_ms",
)
INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
)
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
NO_UTM = ("",) * len(UTM)


class EventStore:
    """Owns the writer, the salts and the live sessions of one events database."""

    def __init__(
        self,
        path: str | Path,
        *,
        commit_mode: str = "group",
        max_batch: int = 512,
        forward: bool = False,
        clock: Callable[[], float] = time.time,
    ):
        self.path = Path(path)
        self.forward = forward
        self.clock = clock
        self.salts = SaltBox()
        self.sessions = SessionTracker()
        self.on_outbox: Callable[[], None] | None = None  # set by the forwarder
        self._outbox_written = False
        conn = connect(self.path)
        migrate(conn, EVENT_MIGRATIONS)
        self.sessions.preload(conn, clock())
        self.writer = GroupCommitWriter(
            conn,
            mode=commit_mode,
            max_batch=max_batch,
            before_batch=self._before_batch,
            before_commit=self._before_commit,
            after_commit=self._after_commit,
            on_failure=self._on_failure,
        )

    @classmethod
    def in_dir(cls, data_dir: str | Path, **kwargs) -> EventStore:
        return cls(Path(data_dir) / DB_NAME, **kwargs)

    # writer hooks (inside a batch) -------------------------------------------------------------
    def _before_batch(self, conn: sqlite3.Connection) -> None:
        self._outbox_written = False

    def _before_commit(self, conn: sqlite3.Connection) -> None:
        self.sessions.flush(conn, self.clock())

    def _after_commit(self) -> None:
        if self._outbox_written and self.on_outbox is not None:
            self.on_outbox()

    def _on_failure(self) -> None:
        """After a rollback, memory may be ahead of the table: reload it from the table."""
        self.sessions.reset()
        self.salts.reset()
        try:
            self.sessions.preload(self.writer.conn, self.clock())
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
        v = ev.valid
        utm = tuple(v.utm.get(k, "") for k in UTM) if v.utm else NO_UTM
        salts = self.salts.ensure(conn, ev.ts)
        visitor = visitor_id(salts[0], ev.user_agent, ev.ip, v.domain, v.hostname)
        session = self.sessions.find(v.domain, visitor, ev.ts)
        if session is None and len(salts) > 1:  # a visit that started before midnight
            previous = visitor_id(salts[1], ev.user_agent, ev.ip, v.domain, v.hostname)
            session = self.sessions.find(v.domain, previous, ev.ts)
            if session is not None:
                visitor = previous
        if session is None:
            if v.name == "engagement":  # like Plausible: engagement never opens a visit
                self._count(conn, v.domain, "engagement_without_session", ev.ts)
                return None
            visit = (ev.source, ev.referrer, *utm, channel(ev.source, v.utm, v.paid_click),
                     *ev.geo)
            session = self.sessions.start(
                v.domain, visitor, ev.ts, v.pathname if v.name == "pageview" else "", visit
            )
        c = ev.client
        values = (
            ev.ts, v.domain, v.name, v.hostname, v.pathname, ev.referrer, ev.source, *utm,
            visitor, session.session_id, *session.visit,
            session.entry_page or (v.pathname if v.name == "pageview" else ""),
            c.browser, c.browser_version, c.os, c.os_version, c.device,
            json.dumps(v.props, ensure_ascii=False, separators=(",", ":")) if v.props else "{}",
            v.revenue_amount, v.revenue_currency, int(v.interactive), v.scroll_depth,
            v.engagement_ms,
        )
        cur = conn.execute(INSERT_EVENT, values)
        if self.forward:
            conn.execute(
                "INSERT INTO outbox (created, payload, user_agent, client_ip, next_attempt)"
                " VALUES (?, ?, ?, ?, ?)",
                (ev.ts, json.dumps(v.payload(), ensure_ascii=False), ev.user_agent, ev.ip, ev.ts),
            )
            self._outbox_written = True
        self.sessions.touch(
            session, ev.ts, name=v.name, pathname=v.pathname, interactive=v.interactive
        )
        if not want_row:  # the endpoint only needs to know: a dict per event cost 2 % of it
            return True
        row = dict(zip(EVENT_COLUMNS, values, strict=True))
        row["id"] = cur.lastrowid
        return row

    @staticmethod
    def _count(conn: sqlite3.Connection, domain: str, reason: str, ts: float) -> None:
        conn.execute(
            "INSERT INTO dropped (day, domain, reason, count) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (day, domain, reason) DO UPDATE SET count = count + 1",
            (utc_day(ts), domain, reason),
        )

    # public API -------------------------------------------------------------------------------
    async def record(self, ev: AcceptedEvent, want_row: bool = True) -> dict | bool | None:
        """Store an event; returns the row once committed (True instead when not `want_row`;
        None if dropped, e.g. an engagement event with no visit to attach to)."""
        return await self.writer.run_async(self._record_job(ev, want_row))

    def record_sync(self, ev: AcceptedEvent) -> dict | None:
        """`record` for code that is not running in the event loop."""
        return self.writer.run(self._record_job(ev))

    async def count_dropped(self, domain: str, reason: str, ts: float | None = None) -> None:
        when = self.clock() if ts is None else ts
        await self.writer.run_async(lambda conn: self._count(conn, domain, reason, when))

    def count_dropped_sync(self, domain: str, reason: str, ts: float | None = None) -> None:
        when = self.clock() if ts is None else ts
        self.writer.run(lambda conn: self._count(conn, domain, reason, when))

    def seed_goals(self, goals: Iterable[dict], domains: Iterable[str]) -> int:
        """Create the configured goals that do not exist yet; returns how many were added."""
        goals, domains = list(goals), list(domains)

        def job(conn: sqlite3.Connection) -> int:
            added = 0
            for goal in goals:
                event_name, page_path = goal.get("event_name"), goal.get("page_path")
                goal_type = "event" if event_name else "page"
                display = goal.get("display_name") or event_name or f"Visit {page_path}"
                for domain in [goal["domain"]] if goal.get("domain") else domains:
                    cur = conn.execute(
                        "INSERT INTO goals (domain, goal_type, event_name, page_path,"
                        " display_name) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM"
                        " goals WHERE domain = ? AND goal_type = ? AND event_name IS ?"
                        " AND page_path IS ?)",
                        (domain, goal_type, event_name, page_path, display,
                         domain, goal_type, event_name, page_path),
                    )
                    added += cur.rowcount
            return added

        return self.writer.run(job)

    def close(self) -> None:
        """Write what is queued, then close (from outside the event loop)."""
        self.writer.close()

    async def aclose(self) -> None:
        """Write what is queued, then close (graceful shutdown, from the event loop)."""
        await self.writer.aclose()

"""Sessions: a visitor's events on one domain belong to the same visit while they arrive less
than 30 minutes apart.

Live sessions are kept in memory (the writer thread is their only user); the `sessions` table is
the durable record, read back on a cache miss so a restart does not split visits. Changes are
written once per batch, in the batch's transaction."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass, field

SESSION_TIMEOUT = 30 * 60
VISIT_FIELDS = (
    "v_source",
    "v_referrer",
    "v_utm_source",
    "v_utm_medium",
    "v_utm_campaign",
    "v_utm_content",
    "v_utm_term",
)


@dataclass
class Session:
    session_id: int
    domain: str
    visitor_id: int
    start: float
    end: float
    entry_page: str = ""
    exit_page: str = ""
    pageviews: int = 0
    events: int = 0
    interactive_events: int = 0
    visit: dict[str, str] = field(default_factory=dict)  # the v_* attributes


class SessionTracker:
    def __init__(self, timeout: float = SESSION_TIMEOUT):
        self.timeout = timeout
        self.live: dict[tuple[str, int], Session] = {}
        self.dirty: dict[int, Session] = {}
        self._last_sweep = 0.0

    def find(self, conn: sqlite3.Connection, domain: str, visitor: int, now: float
             ) -> Session | None:
        """The visitor's session still open at `now`, from memory or the table."""
        key = (domain, visitor)
        session = self.live.get(key)
        if session is None:
            session = self._load(conn, domain, visitor, now)
            if session is not None:
                self.live[key] = session
        if session is not None and now - session.end < self.timeout:
            return session
        return None

    def _load(self, conn: sqlite3.Connection, domain: str, visitor: int, now: float
              ) -> Session | None:
        row = conn.execute(
            "SELECT session_id, start, end, entry_page, exit_page, pageviews, events,"
            " interactive_events, " + ", ".join(VISIT_FIELDS) + " FROM sessions"
            " WHERE domain = ? AND visitor_id = ? AND end > ? ORDER BY end DESC LIMIT 1",
            (domain, visitor, now - self.timeout),
        ).fetchone()
        if row is None:
            return None
        return Session(
            session_id=row[0], domain=domain, visitor_id=visitor, start=row[1], end=row[2],
            entry_page=row[3], exit_page=row[4], pageviews=row[5], events=row[6],
            interactive_events=row[7], visit=dict(zip(VISIT_FIELDS, row[8:], strict=True)),
        )

    def start(self, domain: str, visitor: int, now: float, entry_page: str,
              visit: dict[str, str]) -> Session:
        session = Session(
            session_id=secrets.randbits(63), domain=domain, visitor_id=visitor, start=now,
            end=now, entry_page=entry_page, visit=visit,
        )
        self.live[(domain, visitor)] = session
        return session

    def touch(self, session: Session, now: float, *, name: str, pathname: str,
              interactive: bool) -> None:
        """Count an event in its session (engagement events do not extend a visit)."""
        if name != "engagement":
            session.end = max(session.end, now)
            session.events += 1
            if name == "pageview":
                session.pageviews += 1
                session.exit_page = pathname
                if not session.entry_page:
                    session.entry_page = pathname
            if interactive:
                session.interactive_events += 1
        self.dirty[session.session_id] = session

    def flush(self, conn: sqlite3.Connection, now: float) -> None:
        """Write the sessions changed in this batch; drop expired ones from memory."""
        if self.dirty:
            cols = ("session_id", "domain", "visitor_id", "start", "end", "entry_page",
                    "exit_page", "pageviews", "events", "interactive_events", *VISIT_FIELDS)
            conn.executemany(
                f"INSERT INTO sessions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                " ON CONFLICT(session_id) DO UPDATE SET end = excluded.end,"
                " exit_page = excluded.exit_page, entry_page = excluded.entry_page,"
                " pageviews = excluded.pageviews, events = excluded.events,"
                " interactive_events = excluded.interactive_events",
                [
                    (s.session_id, s.domain, s.visitor_id, s.start, s.end, s.entry_page,
                     s.exit_page, s.pageviews, s.events, s.interactive_events,
                     *(s.visit.get(f, "") for f in VISIT_FIELDS))
                    for s in self.dirty.values()
                ],
            )
            self.dirty.clear()
        if now - self._last_sweep > 60:
            self._last_sweep = now
            horizon = now - self.timeout
            for key in [k for k, s in self.live.items() if s.end < horizon]:
                del self.live[key]

    def reset(self) -> None:
        """Forget memory after a rolled-back transaction; the table is the truth."""
        self.live.clear()
        self.dirty.clear()

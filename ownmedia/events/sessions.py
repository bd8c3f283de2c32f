"""Sessions: a visitor's events on one domain belong to the same visit while they arrive at most
30 whole minutes apart (Plausible's rule: the gap in whole minutes, so 30 min 59 s still
continues a visit), and an engagement event keeps the visit alive.

Live sessions are kept in memory (only the writer touches them); the store's visit state is
the durable record, written once per batch in the batch's transaction, and the open sessions
are read back at start so a restart does not split visits (a shared store reads them back per
batch, so several instances continue each other's visits)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

SESSION_TIMEOUT = 30 * 60
VISIT_FIELDS = (
    "v_source",
    "v_referrer",
    "v_utm_source",
    "v_utm_medium",
    "v_utm_campaign",
    "v_utm_content",
    "v_utm_term",
    "v_channel",
    "v_country",
    "v_region",
    "v_city",
)


@dataclass
class Session:
    session_id: int
    domain: str
    visitor_id: int
    start: float
    end: float  # the last event's time (the visit's duration is end - start)
    entry_page: str = ""
    exit_page: str = ""
    pageviews: int = 0
    events: int = 0
    interactive_events: int = 0
    visit: tuple = ("",) * (len(VISIT_FIELDS) - 1) + (0,)  # the v_* values, VISIT_FIELDS order
    last_seen: float = 0.0  # the last activity, engagement included: what keeps it alive


class SessionTracker:
    def __init__(self, timeout: float = SESSION_TIMEOUT,
                 new_id: Callable[[float], int] | None = None):
        self.timeout = timeout
        if new_id is not None:  # ids handed out by a shared store, unique across instances
            self._new_id = new_id
        self.live: dict[tuple[str, int], Session] = {}
        self.dirty: dict[int, Session] = {}
        self._last_sweep = 0.0
        self._next_id = 0

    def preload(self, rows: Iterable[tuple], max_id: int = 0) -> int:
        """Take the sessions still open (SESSION_COLUMNS order, oldest first: a visitor's
        latest session wins), so no request ever waits on a lookup."""
        self._next_id = max(self._next_id, max_id + 1)
        n = 0
        for row in rows:
            self.live[(row[1], row[2])] = self.from_row(row)
            n += 1
        return n

    @staticmethod
    def from_row(row: tuple) -> Session:
        return Session(
            session_id=row[0], domain=row[1], visitor_id=row[2], start=row[3], end=row[4],
            entry_page=row[5], exit_page=row[6], pageviews=row[7], events=row[8],
            interactive_events=row[9], last_seen=row[10], visit=tuple(row[11:]),
        )

    def horizon(self, now: float) -> float:
        """Sessions whose last activity is older than this are closed for good."""
        return now - self.timeout - 60

    def find(self, domain: str, visitor: int, now: float) -> Session | None:
        """The visitor's session still open at `now`."""
        session = self.live.get((domain, visitor))
        if session is not None and self.continues(session, now):
            return session
        return None

    def continues(self, session: Session, now: float) -> bool:
        """Whole minutes between whole seconds, as Plausible's session cache compares them."""
        last = max(session.end, session.last_seen)
        return (int(now) - int(last)) // 60 <= self.timeout // 60

    def start(self, domain: str, visitor: int, now: float, entry_page: str,
              visit: tuple[str, ...]) -> Session:
        session = Session(
            session_id=self._new_id(now), domain=domain, visitor_id=visitor, start=now,
            end=now, entry_page=entry_page, visit=visit, last_seen=now,
        )
        self.live[(domain, visitor)] = session
        return session

    def _new_id(self, now: float) -> int:
        """Increasing ids (milliseconds << 16 or the next free one): new sessions append to
        the end of the table instead of writing a random page each."""
        self._next_id = max(self._next_id, int(now * 1000) << 16)
        session_id, self._next_id = self._next_id, self._next_id + 1
        return session_id

    def touch(self, session: Session, now: float, *, name: str, pathname: str,
              interactive: bool) -> None:
        """Count an event in its session (an engagement event keeps the visit alive, but is
        not one of its events, does not lengthen it and never ends a bounce)."""
        session.last_seen = max(session.last_seen, now)
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

    def flush(self, now: float) -> list[tuple]:
        """The sessions changed since the last flush, as rows to save (SESSION_COLUMNS order);
        expired ones leave memory."""
        rows = [
            (s.session_id, s.domain, s.visitor_id, s.start, s.end, s.entry_page, s.exit_page,
             s.pageviews, s.events, s.interactive_events, s.last_seen, *s.visit)
            for s in self.dirty.values()
        ]
        self.dirty.clear()
        if now - self._last_sweep > 60:
            self._last_sweep = now
            horizon = self.horizon(now)
            for key in [k for k, s in self.live.items() if s.last_seen < horizon]:
                del self.live[key]
        return rows

    def reset(self) -> None:
        """Forget memory after a rolled-back transaction; the table is the truth."""
        self.live.clear()
        self.dirty.clear()

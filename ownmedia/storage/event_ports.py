"""The interfaces of the analytics side of storage: what the collector, the forwarder and the
Stats API need from a database, whichever one is behind (SQLite files or PostgreSQL).

Each concern is one small Protocol, so the code above them (ownmedia.events, ownmedia.stats,
ownmedia.service, the review's simulator) never imports a database driver. Failures come out
as the one family of ownmedia.storage.errors, which the HTTP layer maps to 503s."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ownmedia.storage.errors import StorageUnavailable


class SinkClosed(StorageUnavailable):
    """The event sink is shutting down and takes no more writes."""


class EventSink(Protocol):
    """Where accepted events go: one committed row per event before the 202."""

    on_outbox: Callable[[], None] | None  # called after a commit that queued forwarding rows

    async def record(self, ev: Any, want_row: bool = True) -> dict | bool | None:
        """Store an enriched event (visitor hash, visit); the row once committed (True when
        not `want_row`), None when dropped (an engagement event without a visit)."""

    def record_sync(self, ev: Any) -> dict | None:
        """`record` for code outside the event loop."""

    async def count_dropped(self, domain: str, reason: str, ts: float | None = None) -> None:
        """Count an event answered 202 but not stored (a bot...), per UTC day."""

    def count_dropped_sync(self, domain: str, reason: str, ts: float | None = None) -> None:
        """`count_dropped` for code outside the event loop."""

    def bulk_insert(self, events: Sequence[tuple], sessions: Sequence[tuple], *,
                    event_columns: Sequence[str] = ..., session_columns: Sequence[str] = ...
                    ) -> None:
        """Rows already enriched (EVENT_COLUMNS and SESSION_COLUMNS order of
        ownmedia.events.record), in one transaction: imports and the simulator."""

    def seed_goals(self, goals: Iterable[dict], domains: Iterable[str]) -> int:
        """Create the configured goals that do not exist yet; how many were added."""

    def close(self) -> None: ...

    async def aclose(self) -> None: ...


@dataclass
class OutboxRow:
    """An event waiting to be forwarded upstream, with what the upstream needs to hash it."""

    id: int
    payload: str
    user_agent: str
    client_ip: str
    attempts: int


class ForwardOutbox(Protocol):
    """The durable queue of events to forward. `claim` hands a row to one caller at a time,
    even across several instances sharing the store, so each event is delivered once."""

    async def claim(self, now: float, limit: int) -> list[OutboxRow]: ...

    async def next_due(self) -> float | None: ...

    async def settle(self, done: Sequence[int], retry: Sequence[tuple[int, float, str, int]]
                     ) -> None:
        """Delete the delivered (or given-up) rows; reschedule the others as
        (attempts, next_attempt, last_error, id)."""


class SaltStore(Protocol):
    """The daily salts of visitor hashes, shared by every instance on the same store."""

    def load(self, conn: Any, today: str, yesterday: str, new_salt: bytes) -> dict[str, bytes]:
        """Create today's salt unless it exists, forget those before yesterday, and return
        {day: salt} for today and (if kept) yesterday."""


class VisitState(Protocol):
    """The durable record of visits (sessions), read back so a visit continues across a
    restart, or across instances when the store is shared."""

    def open_visits(self, conn: Any, since: float) -> list[tuple]:
        """Sessions whose last activity is after `since` (SESSION_COLUMNS order)."""

    def save(self, conn: Any, sessions: Sequence[tuple]) -> None:
        """Insert or update sessions (SESSION_COLUMNS order)."""


class SqlReader(Protocol):
    """A read connection the stats engine sends its compiled SQL to (`?` placeholders)."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...


class StatsDialect(Protocol):
    """The SQL that differs between databases, for the stats engine's compiler."""

    name: str

    def day(self, ts: str) -> str: ...
    def hour(self, ts: str) -> str: ...
    def week(self, ts: str) -> str: ...
    def month(self, ts: str) -> str: ...
    def json_text(self, col: str, key: str) -> str: ...
    def json_text_in(self, col: str, key: str, values: list[str]) -> tuple[str, list]: ...
    def json_has(self, col: str, key: str) -> str: ...
    def contains(self, expr: str) -> str: ...
    def regex(self, expr: str) -> str: ...
    def glob(self, expr: str, pattern: str) -> str: ...
    def count_if(self, cond: str) -> str: ...
    def as_number(self, cond: str) -> str: ...
    def geo_name(self, expr: str) -> str: ...
    def city(self, col: str) -> str: ...
    def ids_in(self, col: str) -> str: ...
    def ids_param(self, ids: list[int]) -> Any: ...
    # one row that changes whenever the events the stored funnel steps were made from change;
    # None: the events' highest id, which the store reads before every query (StatsBackend.top)
    steps_version: str | None


# a backend's stored funnel steps: (conn, site, first day, day after, step sql, params) ->
# the step's (session, ts, id) rows (ownmedia.storage.sqlite.visit_steps.step_rows)
StepRows = Callable[[SqlReader, str, int, int, str, list], list[tuple]]


class StatsBackend(Protocol):
    """What the Stats API reads: a checked query runs on `reader()` in `dialect`; rollups,
    where the backend has them, are brought up to date before answering."""

    dialect: StatsDialect
    has_rollups: bool
    step_rows: StepRows | None  # funnel steps kept next to the rollups; None: the events

    def exists(self) -> bool:
        """Whether the store holds an event database at all (the review checks it)."""

    def reader(self, *, rollups: bool) -> SqlReader:
        """This thread's connection; with `rollups`, the rollups are readable as `st.*`."""

    def top(self, conn: SqlReader) -> int:
        """A number that changes whenever an event is committed (cache key, watermark)."""

    def refresh(self, conn: SqlReader) -> bool:
        """Bring the rollups up to date (a no-op when no event came since); False when they
        cannot be used for this answer (busy), which is then read from the events."""

    def write(self, job: Callable[[SqlReader], Any]) -> Any:
        """Run `job` in one write transaction (goals)."""

    def warm(self) -> None:
        """Bring the rollups up to date now (service start), raising StorageError."""

    def close(self) -> None: ...

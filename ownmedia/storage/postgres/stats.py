"""The Stats API over PostgreSQL: its SQL dialect, a reader that borrows the process's pool
(PgDatabase.shared) statement by statement, and the daily rollups
(ownmedia.storage.postgres.rollups) brought up to date before each answer."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from ownmedia.storage.postgres.db import UNAVAILABLE, PgDatabase, Reader, migrate, unavailable
from ownmedia.storage.postgres.events import fill_geo_names
from ownmedia.storage.postgres.events_schema import EVENT_MIGRATIONS
from ownmedia.storage.postgres.rollups import pending, refresh
from ownmedia.storage.postgres.visit_steps import step_rows


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _utc(ts: str, fmt: str) -> str:
    return f"to_char(to_timestamp({ts}) AT TIME ZONE 'UTC', '{fmt}')"


def glob_regex(page_path: str) -> str:
    """Plausible's page wildcards (* and **, both any characters here as in the SQLite
    backend's GLOB) as an anchored regular expression."""
    parts = page_path.replace("**", "*").split("*")
    return "^" + ".*".join(re.escape(p) for p in parts) + "$"


class PostgresDialect:
    name = "postgresql"

    def day(self, ts: str) -> str:
        return _utc(ts, "YYYY-MM-DD")

    def hour(self, ts: str) -> str:
        return _utc(ts, "YYYY-MM-DD HH24:00:00")

    def week(self, ts: str) -> str:  # ISO weeks start on Monday, as the SQLite expression's
        return f"to_char(date_trunc('week', to_timestamp({ts}) AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"

    def month(self, ts: str) -> str:
        return _utc(ts, "YYYY-MM-01")

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})"

    def json_text(self, col: str, key: str) -> str:
        return f"({col} ->> {literal(key)})"

    def json_text_in(self, col: str, key: str, values: list[str]) -> tuple[str, list]:
        return f"{self.json_text(col, key)} IN ({', '.join('?' * len(values))})", list(values)

    def json_has(self, col: str, key: str) -> str:
        return f"(({col} -> {literal(key)}) IS NOT NULL)"

    def contains(self, expr: str) -> str:
        return f"strpos({expr}, ?) > 0"

    def regex(self, expr: str) -> str:
        return f"{expr} ~ ?"

    def glob(self, expr: str, pattern: str) -> str:
        return f"{expr} ~ {literal(glob_regex(pattern))}"

    def count_if(self, cond: str) -> str:
        return f"COUNT(*) FILTER (WHERE {cond})"

    def as_number(self, cond: str) -> str:
        return f"({cond})::int"

    def geo_name(self, expr: str) -> str:
        return f"COALESCE((SELECT g.name FROM geo_names g WHERE g.code = {expr}), {expr})"

    def city(self, col: str) -> str:
        return f"CASE WHEN {col} = 0 THEN '(not set)' ELSE {col}::text END"

    def ids_in(self, col: str) -> str:
        return f"{col} = ANY(CAST(? AS BIGINT[]))"

    def ids_param(self, ids: list[int]) -> Any:
        return ids

    # several writers commit ids out of order: the refresh counts the times it forgot days
    steps_version = "SELECT generation FROM st.r_state"


DIALECT = PostgresDialect()


class PostgresStatsBackend:
    """Every connection it uses is the process's pool's, schema and rollup work included, so
    however many threads answer queries the process opens at most the pool's size."""

    dialect = DIALECT
    has_rollups = True
    step_rows = staticmethod(step_rows)  # funnel steps kept per day next to the rollups

    def __init__(self, url: str, *, pool_size: int | None = None):
        self.url = url
        self.pool_size = pool_size
        self._reader: Reader | None = None
        self._migrated = False
        self._lock = threading.Lock()

    def _open(self) -> Reader:
        """The reader over this backend's share of the pool (taken on first use). A pool not
        yet open is tried once first: a database that is down is reported at once, in one
        line, not after the pool's timeout and its log."""
        with self._lock:
            if self._reader is None:
                db = PgDatabase.shared(self.url, max_size=self.pool_size)
                try:
                    if not db.opened:
                        db.check_reachable()
                except BaseException:
                    db.close()
                    raise
                self._reader = Reader(db)
            return self._reader

    def _ensure_schema(self) -> Reader:
        reader = self._open()
        if self._migrated:
            return reader
        with self._lock:
            if not self._migrated:
                try:
                    with reader.db.connection() as conn:
                        migrate(conn, EVENT_MIGRATIONS, "events")
                        with conn.transaction():
                            fill_geo_names(conn)
                except UNAVAILABLE as exc:
                    raise unavailable(self.url, exc) from exc
                self._migrated = True
        return reader

    def exists(self) -> bool:
        return self._open().execute("SELECT to_regclass('events') IS NOT NULL").fetchone()[0]

    def reader(self, *, rollups: bool = False) -> Reader:
        return self._ensure_schema()

    def top(self, conn: Reader) -> int:
        """Several writers commit ids out of order, so not the highest id: the refreshes'
        generation while no day is marked, else a number never returned before (the events
        since the last refresh are then in no cached answer)."""
        generation, marked = conn.execute(
            "SELECT generation, EXISTS (SELECT 1 FROM st.rollup_dirty) FROM st.r_state"
        ).fetchone()
        return -time.monotonic_ns() if marked else generation

    def refresh(self, conn: Reader) -> bool:
        """Recompute the days marked since the last refresh (usually none: one cheap read)."""
        try:
            if pending(conn):
                with conn.db.connection() as pg:
                    refresh(pg)
        except UNAVAILABLE as exc:
            raise unavailable(self.url, exc) from exc
        return True

    def warm(self) -> None:
        self.refresh(self.reader())

    def write(self, job: Callable[[Reader], Any]) -> Any:
        reader = self.reader()
        try:
            with reader.db.borrow() as conn:
                return job(reader.pinned(conn))
        except UNAVAILABLE as exc:
            raise unavailable(self.url, exc) from exc

    def close(self) -> None:
        """Give back this backend's share of the pool; a later use takes a new one."""
        with self._lock:
            reader, self._reader = self._reader, None
        if reader is not None:
            reader.db.close()

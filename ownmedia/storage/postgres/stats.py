"""The Stats API over PostgreSQL: its SQL dialect, per-thread autocommit readers, and the
daily rollups (ownmedia.storage.postgres.rollups) brought up to date before each answer."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from ownmedia.storage.postgres.db import UNAVAILABLE, Reader, connect, migrate, unavailable
from ownmedia.storage.postgres.events import fill_geo_names
from ownmedia.storage.postgres.events_schema import EVENT_MIGRATIONS
from ownmedia.storage.postgres.rollups import pending, refresh


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


DIALECT = PostgresDialect()


class PostgresStatsBackend:
    dialect = DIALECT
    has_rollups = True

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()
        self._migrated = False
        self._lock = threading.Lock()

    def _ensure_schema(self) -> None:
        if self._migrated:
            return
        with self._lock:
            if not self._migrated:
                conn = connect(self.url, autocommit=False)
                try:
                    migrate(conn, EVENT_MIGRATIONS, "events")
                    with conn.transaction():
                        fill_geo_names(conn)
                finally:
                    conn.close()
                self._migrated = True

    def exists(self) -> bool:
        conn = connect(self.url)
        try:
            return conn.execute("SELECT to_regclass('events') IS NOT NULL").fetchone()[0]
        finally:
            conn.close()

    def reader(self, *, rollups: bool = False) -> Reader:
        self._ensure_schema()
        conn = getattr(self._local, "reader", None)
        if conn is None:
            conn = self._local.reader = Reader(self.url)
        return conn

    def top(self, conn: Reader) -> int:
        return conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]

    def refresh(self, conn: Reader) -> bool:
        """Recompute the days marked since the last refresh (usually none: one cheap read)."""
        try:
            if pending(conn):
                refresh(conn.conn)
        except UNAVAILABLE as exc:
            raise unavailable(self.url, exc) from exc
        return True

    def warm(self) -> None:
        self.refresh(self.reader())

    def write(self, job: Callable[[Reader], Any]) -> Any:
        reader = self.reader()
        try:
            with reader.conn.transaction():
                return job(reader)
        except UNAVAILABLE as exc:
            raise unavailable(self.url, exc) from exc

    def close(self) -> None:
        reader = getattr(self._local, "reader", None)
        if reader is not None:
            reader.close()
            self._local.reader = None

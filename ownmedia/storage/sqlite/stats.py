"""The Stats API over the SQLite events file: its SQL dialect, per-thread read connections,
and the rollups (data/stats.sqlite3, ownmedia.storage.sqlite.rollups) attached as `st`."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ownmedia.stats.engine import geo_name
from ownmedia.storage.errors import StorageUnavailable
from ownmedia.storage.sqlite import connect, migrate
from ownmedia.storage.sqlite.events_schema import EVENT_MIGRATIONS
from ownmedia.storage.sqlite.rollups import attach, refresh, watermarks
from ownmedia.storage.sqlite.visit_steps import step_rows

EVENTS_FILE = "events.sqlite3"
_MIGRATE_LOCK = threading.Lock()
_PLAIN = re.compile(r'[ !#-\[\]-~]+')  # JSON writes these characters as themselves


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _regexp(pattern: str, value: object) -> bool:
    return value is not None and _regex(pattern).search(str(value)) is not None


def glob(page_path: str) -> str:
    """Plausible page goals use * and ** wildcards; GLOB's other specials are escaped."""
    out = page_path.replace("[", "[[]").replace("?", "[?]")
    return out.replace("**", "*")


class SqliteDialect:
    name = "sqlite"

    def day(self, ts: str) -> str:
        return f"date({ts}, 'unixepoch')"

    def hour(self, ts: str) -> str:
        return f"strftime('%Y-%m-%d %H:00:00', {ts}, 'unixepoch')"

    def week(self, ts: str) -> str:
        return f"date({ts}, 'unixepoch', 'weekday 0', '-6 days')"

    def month(self, ts: str) -> str:
        return f"strftime('%Y-%m-01', {ts}, 'unixepoch')"

    def greatest(self, a: str, b: str) -> str:
        return f"max({a}, {b})"

    def json_text(self, col: str, key: str) -> str:
        return f"CAST(json_extract({col}, {literal(f'$.{chr(34)}{key}{chr(34)}')}) AS TEXT)"

    def json_text_in(self, col: str, key: str, values: list[str]) -> tuple[str, list]:
        """`key`'s text is one of `values`. Parsing JSON costs more than finding text: when each
        value is written as itself in JSON (printable ASCII, no quote or backslash), instr()
        on the props text rejects most rows before json_extract reads them."""
        member = f"{self.json_text(col, key)} IN ({', '.join('?' * len(values))})"
        if not values or not all(_PLAIN.fullmatch(v) for v in values):
            return member, list(values)
        found = " OR ".join(f"instr({col}, ?) > 0" for _ in values)
        return f"(({found}) AND {member})", [*values, *values]

    def json_has(self, col: str, key: str) -> str:
        return f"json_type({col}, {literal(f'$.{chr(34)}{key}{chr(34)}')}) IS NOT NULL"

    def contains(self, expr: str) -> str:
        return f"instr({expr}, ?) > 0"

    def regex(self, expr: str) -> str:
        return f"{expr} REGEXP ?"

    def glob(self, expr: str, pattern: str) -> str:
        return f"{expr} GLOB {literal(glob(pattern))}"

    def count_if(self, cond: str) -> str:
        return f"SUM({cond})"

    def as_number(self, cond: str) -> str:
        return f"({cond})"

    def geo_name(self, expr: str) -> str:
        return f"geo_name({expr})"

    def city(self, col: str) -> str:
        return f"CASE {col} WHEN 0 THEN '(not set)' ELSE {col} END"

    def ids_in(self, col: str) -> str:
        return f"{col} IN (SELECT value FROM json_each(?))"

    def ids_param(self, ids: list[int]) -> Any:
        return json.dumps(ids)

    steps_version = None  # the events' highest id (one writer: ids grow in commit order)


DIALECT = SqliteDialect()


def prepare(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Functions and pragmas the engine relies on, set once per connection."""
    conn.create_function("regexp", 2, _regexp, deterministic=True)
    conn.create_function("geo_name", 1, geo_name, deterministic=True)
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute("PRAGMA mmap_size=1073741824")
    return conn


class SqliteStatsBackend:
    """Reads data/events.sqlite3 (one connection per thread); the rollups are a cache in
    data/stats.sqlite3 that can be deleted at any time."""

    dialect = DIALECT
    has_rollups = True
    step_rows = staticmethod(step_rows)  # funnel steps kept per day next to the rollups

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / EVENTS_FILE
        self._local = threading.local()
        self._migrated = False

    def exists(self) -> bool:
        return self.path.exists()

    def _ensure_schema(self) -> None:
        if self._migrated:
            return
        with _MIGRATE_LOCK:
            if not self._migrated:
                conn = connect(self.path)
                try:
                    try:
                        migrate(conn, EVENT_MIGRATIONS)
                    except sqlite3.OperationalError:  # another process migrated meanwhile
                        migrate(conn, EVENT_MIGRATIONS)
                finally:
                    conn.close()
                self._migrated = True

    def reader(self, *, rollups: bool = False) -> sqlite3.Connection:
        self._ensure_schema()
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        conn = conns.get(rollups)
        if conn is None:
            conn = prepare(connect(self.path))
            if rollups:
                attach(conn, self.data_dir)
            conns[rollups] = conn
        return conn

    def top(self, conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT COALESCE(MAX(id), 0) FROM main.events").fetchone()[0]

    def refresh(self, conn: sqlite3.Connection) -> bool:
        top, mark = watermarks(conn)
        if top == mark:
            return True
        try:
            refresh(conn)
        except sqlite3.OperationalError:  # busy: the caller answers from the events
            return False
        return True

    def write(self, job: Callable[[sqlite3.Connection], Any]) -> Any:
        conn = self.reader()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = job(conn)
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        return result

    def warm(self) -> None:
        """Bring the rollups up to date (at service start, in a background thread)."""
        try:
            if self.path.exists():
                refresh(self.reader(rollups=True))
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"rollup warm-up failed: {exc}") from exc

    def close(self) -> None:
        for conn in (getattr(self._local, "conns", None) or {}).values():
            conn.close()
        self._local.conns = None

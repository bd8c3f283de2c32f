"""The Stats API's access to the event store: connections, goals, answering a query.

One object per service (in ctx.state["stats"]) so that connections are reused per thread and
the schema is migrated once, whichever of the collector or the Stats API opens the file first."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

from ownmedia.config import Config
from ownmedia.stats.engine import prepare, run_query
from ownmedia.stats.goals import Goal, put_goal, site_goals
from ownmedia.stats.query import parse_query
from ownmedia.stats.rollup import attach, refresh, watermarks
from ownmedia.storage.events_schema import EVENT_MIGRATIONS
from ownmedia.storage.sqlite import connect, migrate

log = logging.getLogger(__name__)
EVENTS_FILE = "events.sqlite3"
PAGE_CACHE_SECONDS = 5.0
_MIGRATE_LOCK = threading.Lock()


class StatsStore:
    """Reads the event store for the Stats API; writes only goals."""

    def __init__(self, data_dir: str | Path, config: Config | None = None, *,
                 rollups: bool = True):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / EVENTS_FILE
        self.config = config
        self.rollups = rollups
        self._cache: dict[str, tuple[float, dict]] = {}
        self._cache_lock = threading.Lock()
        self._local = threading.local()
        self._migrated = False

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

    def reader(self) -> sqlite3.Connection:
        """This thread's connection (read-only use)."""
        self._ensure_schema()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = prepare(connect(self.path))
            if self.rollups:
                attach(conn, self.data_dir)
            self._local.conn = conn
        return conn

    def goals(self, domain: str) -> list[Goal]:
        return site_goals(self.reader(), domain, self.config)

    def query(self, body: object) -> dict:
        """Parse, check and answer one Stats API v2 request body (QueryError -> 400).

        Read-your-writes: every event committed before the query started is counted. The
        rollups are brought up to the events' highest id first (a no-op when nothing was
        written), so an answer from the rollups and one from the events never disagree; the
        pages of a big answer share one computation only while no event arrives."""
        domain = body.get("site_id") if isinstance(body, dict) else None
        goals = self.goals(domain) if isinstance(domain, str) else []
        q = parse_query(body, {g.display_name for g in goals})
        conn = self.reader()
        use_rollups = self.rollups
        if use_rollups:
            top, mark = watermarks(conn)
            if top != mark:
                try:
                    refresh(conn)
                except sqlite3.OperationalError as exc:  # busy: answer from the events
                    log.warning("rollup refresh failed (%s); reading the events", exc)
                    use_rollups = False
        else:
            top = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
        key = json.dumps([top, {k: v for k, v in body.items() if k != "pagination"}],
                         sort_keys=True)
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(key)
        if hit is None or now - hit[0] > PAGE_CACHE_SECONDS:
            limit, offset = q.limit, q.offset
            q.limit, q.offset = 10**12, 0
            full = run_query(conn, q, goals, rollups=use_rollups)
            q.limit, q.offset = limit, offset
            hit = (now, full)
            if len(full["results"]) > q.limit:  # more pages will be asked for
                with self._cache_lock:
                    self._cache[key] = hit
                    while len(self._cache) > 16:
                        self._cache.pop(next(iter(self._cache)))
        full = hit[1]
        return {"results": full["results"][q.offset: q.offset + q.limit], "meta": full["meta"],
                "query": q.echo()}

    def warm(self) -> None:
        """Bring the rollups up to date now (at service start, in a background thread), so the
        first review after a bulk import does not wait for them."""
        if not self.rollups:
            return
        try:
            if not self.path.exists():
                return
            refresh(self.reader())
        except sqlite3.Error as exc:
            log.warning("rollup warm-up failed (%s); queries will retry", exc)
        finally:
            self.close()

    def put_goal(self, domain: str, goal: Goal) -> tuple[Goal, bool]:
        conn = self.reader()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = put_goal(conn, domain, goal)
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        return result

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

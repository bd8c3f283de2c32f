"""The Stats API's access to the event store: goals, answering a query.

One object per service (in ctx.state["stats"]) so that connections are reused per thread and
the schema is migrated once, whichever of the collector or the Stats API opens the store first.
The database behind is the configured stats backend (ownmedia.storage.event_backend)."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from ownmedia.config import Config
from ownmedia.stats.engine import run_query
from ownmedia.stats.goals import Goal, put_goal, site_goals
from ownmedia.stats.query import parse_query
from ownmedia.stats.sequence import StepCache
from ownmedia.storage.errors import StorageError
from ownmedia.storage.event_backend import open_stats_backend
from ownmedia.storage.event_ports import SqlReader, StatsBackend

log = logging.getLogger(__name__)
PAGE_CACHE_SECONDS = 5.0


class StatsStore:
    """Reads the event store for the Stats API; writes only goals."""

    def __init__(self, data_dir: str | Path, config: Config | None = None, *,
                 rollups: bool = True, backend: StatsBackend | None = None):
        self.data_dir = Path(data_dir)
        self.config = config
        self.backend = backend or open_stats_backend(config, self.data_dir)
        self.rollups = rollups
        self._cache: dict[str, tuple[float, dict]] = {}
        self._cache_lock = threading.Lock()
        self._steps = StepCache()  # funnel steps' events, shared by this store's queries

    def _use_rollups(self) -> bool:
        return self.rollups and self.backend.has_rollups

    def reader(self) -> SqlReader:
        """This thread's connection (read-only use)."""
        return self.backend.reader(rollups=self._use_rollups())

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
        use_rollups = self._use_rollups()
        top = self.backend.top(conn)
        if use_rollups and not self.backend.refresh(conn):
            log.warning("rollup refresh failed; reading the events")
            use_rollups = False
        key = json.dumps([top, {k: v for k, v in body.items() if k != "pagination"}],
                         sort_keys=True)
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(key)
        if hit is None or now - hit[0] > PAGE_CACHE_SECONDS:
            limit, offset = q.limit, q.offset
            q.limit, q.offset = 10**12, 0
            full = run_query(conn, q, goals, dialect=self.backend.dialect, rollups=use_rollups,
                             step_cache=self._steps,
                             step_rows=self.backend.step_rows, top=top)
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
        if not self._use_rollups():
            return
        try:
            self.backend.warm()
        except StorageError as exc:
            log.warning("%s; queries will retry", exc)
        finally:
            self.close()

    def put_goal(self, domain: str, goal: Goal) -> tuple[Goal, bool]:
        return self.backend.write(lambda conn: put_goal(conn, domain, goal))

    def close(self) -> None:
        self.backend.close()

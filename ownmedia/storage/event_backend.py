"""Open the analytics stores (event sink, stats backend) the configuration names: the SQLite
files of the data directory by default, PostgreSQL when `[storage] url` is a postgresql:// URL.
Kept apart from ownmedia.storage.Backend: the sink takes per-service options (commit mode,
batch size, clock) and lives as long as the collector."""

from __future__ import annotations

from pathlib import Path

from ownmedia.config import Config
from ownmedia.storage import Backend, is_postgres
from ownmedia.storage.event_ports import EventSink, StatsBackend


def open_event_sink(config: Config, *, forward: bool | None = None, backend: Backend | None = None,
                    **kwargs) -> EventSink:
    """The configured event sink, migrated and ready (kwargs: commit_mode, max_batch, clock).
    On PostgreSQL it borrows the pool of `backend` (the service's), else the process's pool of
    the URL: one pool per process and database."""
    cfg = config.analytics
    kwargs.setdefault("commit_mode", cfg.commit_mode)
    kwargs.setdefault("max_batch", cfg.max_batch)
    forward = bool(cfg.forward_url) if forward is None else forward
    if is_postgres(config.storage.url):
        from ownmedia.storage.postgres.events import PostgresEventSink

        if backend is not None:
            return PostgresEventSink(backend.pg, forward=forward, **kwargs)
        from ownmedia.storage.postgres.db import PgDatabase

        db = PgDatabase.shared(config.storage.url, max_size=config.storage.pool_size)
        try:
            return PostgresEventSink(db, forward=forward, **kwargs)
        finally:
            db.close()  # the sink holds its own share
    from ownmedia.storage.sqlite.events import SqliteEventSink

    return SqliteEventSink.in_dir(config.data_dir, forward=forward, **kwargs)


def open_stats_backend(config: Config | None, data_dir: str | Path | None = None) -> StatsBackend:
    """The configured Stats API backend (the data directory's events file by default)."""
    url = config.storage.url if config is not None else ""
    if is_postgres(url):
        from ownmedia.storage.postgres.stats import PostgresStatsBackend

        return PostgresStatsBackend(url, pool_size=config.storage.pool_size)
    from ownmedia.storage.sqlite.stats import SqliteStatsBackend

    return SqliteStatsBackend(Path(data_dir) if data_dir is not None else config.data_dir)

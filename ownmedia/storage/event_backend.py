"""Open the analytics stores (event sink, stats backend) the configuration names: the SQLite
files of the data directory by default, PostgreSQL when `[storage] url` is a postgresql:// URL.
Kept apart from ownmedia.storage.Backend: the sink takes per-service options (commit mode,
batch size, clock) and lives as long as the collector."""

from __future__ import annotations

from pathlib import Path

from ownmedia.config import Config
from ownmedia.storage.event_ports import EventSink, StatsBackend


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def open_event_sink(config: Config, *, forward: bool | None = None, **kwargs) -> EventSink:
    """The configured event sink, migrated and ready (kwargs: commit_mode, max_batch, clock)."""
    cfg = config.analytics
    kwargs.setdefault("commit_mode", cfg.commit_mode)
    kwargs.setdefault("max_batch", cfg.max_batch)
    forward = bool(cfg.forward_url) if forward is None else forward
    if is_postgres(config.storage.url):
        from ownmedia.storage.postgres.events import PostgresEventSink

        return PostgresEventSink(config.storage.url, forward=forward, **kwargs)
    from ownmedia.storage.sqlite.events import SqliteEventSink

    return SqliteEventSink.in_dir(config.data_dir, forward=forward, **kwargs)


def open_stats_backend(config: Config | None, data_dir: str | Path | None = None) -> StatsBackend:
    """The configured Stats API backend (the data directory's events file by default)."""
    url = config.storage.url if config is not None else ""
    if is_postgres(url):
        from ownmedia.storage.postgres.stats import PostgresStatsBackend

        return PostgresStatsBackend(url)
    from ownmedia.storage.sqlite.stats import SqliteStatsBackend

    return SqliteStatsBackend(Path(data_dir) if data_dir is not None else config.data_dir)

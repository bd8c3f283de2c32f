"""The default event sink under its historical name: `EventStore` is the SQLite sink
(ownmedia.storage.sqlite.events); ownmedia.storage.event_backend opens the configured one."""

from __future__ import annotations

from ownmedia.storage.sqlite.events import DB_NAME, SqliteEventSink

EventStore = SqliteEventSink

__all__ = ["DB_NAME", "EventStore"]

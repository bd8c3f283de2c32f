"""Event collection: validation, enrichment (visitor hash, sessions, sources, user agents,
bots), and the forwarding outbox; the rows go to an event sink (ownmedia.storage.event_ports).

Public API: `EventCollector.ingest(payload, user_agent, ip)` (see ownmedia.events.ingest),
`EventValidationError` (with `.field`)."""

from ownmedia.events.ingest import Dropped, EventCollector, accept
from ownmedia.events.validation import EventValidationError

__all__ = ["Dropped", "EventCollector", "EventStore", "EventValidationError", "accept"]


def __getattr__(name: str):
    """`EventStore` (the SQLite sink) on first use: the storage package imports this one."""
    if name == "EventStore":
        from ownmedia.storage.sqlite.events import SqliteEventSink

        return SqliteEventSink
    raise AttributeError(name)

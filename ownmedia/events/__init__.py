"""Event collection: validation, enrichment (visitor hash, sessions, sources, user agents,
bots), the SQLite event store with group commit, and the forwarding outbox.

Public API: `EventCollector.ingest(payload, user_agent, ip)` (see ownmedia.events.ingest),
`EventValidationError` (with `.field`)."""

from ownmedia.events.ingest import Dropped, EventCollector, accept
from ownmedia.events.store import EventStore
from ownmedia.events.validation import EventValidationError

__all__ = ["Dropped", "EventCollector", "EventStore", "EventValidationError", "accept"]

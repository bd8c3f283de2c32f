"""The accepted event handed from the endpoint (or another part of the service) to the store."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ownmedia.events.useragent import Client
from ownmedia.events.validation import ValidEvent


@dataclass
class AcceptedEvent:
    """A valid event with what the request adds: time, client, and where the visit came from.

    `user_agent` and `ip` are only used for the visitor hash (and the forwarding outbox);
    they are never stored in the events table."""

    valid: ValidEvent
    ts: float
    user_agent: str
    ip: str
    client: Client
    source: str      # referrer source name, utm_source winning; "Direct / None" when empty
    referrer: str    # cleaned referrer ('' when internal)
    geo: tuple[str, str, int] = ("", "", 0)  # country code, region code, city geoname id

    def for_other_domains(self) -> list[AcceptedEvent]:
        """The same event for each further site of a comma-separated `domain`."""
        return [replace(self, valid=replace(self.valid, domain=d))
                for d in self.valid.domains[1:]]

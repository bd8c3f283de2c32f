"""The one entry point for recording an event: validate, classify the client, drop bots,
work out the source, and store.

Used by POST /api/event and by other parts of the service that record server-side events:

    collector = ctx.state["events"]          # an EventCollector
    row = await collector.ingest({"name": "Comment", "url": url, "domain": domain,
                                  "props": {"post": slug}}, user_agent, ip)

`ingest` returns the stored row (a dict of the events columns plus "id"), None when the
event was dropped (a bot), and raises EventValidationError (with `.field`) when invalid."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ownmedia.events.geo import NO_PLACE, GeoLookup
from ownmedia.events.model import AcceptedEvent
from ownmedia.events.referrers import referrer_source
from ownmedia.events.useragent import NO_CLIENT, classify
from ownmedia.events.validation import EventValidationError, validate
from ownmedia.storage.event_ports import EventSink

MAX_USER_AGENT_CHARS = 1000


class Dropped(Exception):
    """Not an error: the event is answered 202 but not stored (reason: 'bot', ...)."""

    def __init__(self, reason: str, domain: str):
        super().__init__(reason)
        self.reason = reason
        self.domain = domain


def accept(
    payload: dict, user_agent: str | None, ip: str, domains: frozenset[str], now: float,
    geo: GeoLookup | None = None,
) -> AcceptedEvent:
    """Pure part of ingestion; raises EventValidationError or Dropped."""
    if not isinstance(payload, dict):
        raise EventValidationError("body", "must be a JSON object")
    valid = validate(payload, domains)
    # Plausible hashes a missing User-Agent as "" and records the event without browser, OS
    # or device ("(not set)")
    ua = (user_agent or "").strip()[:MAX_USER_AGENT_CHARS]
    client = classify(ua) if ua else NO_CLIENT
    if client.is_bot:
        raise Dropped("bot", valid.domain)
    source, referrer = referrer_source(
        valid.referrer, valid.hostname, valid.utm.get("utm_source", "")
    )
    place = geo.lookup(ip) if geo is not None else NO_PLACE
    return AcceptedEvent(valid, now, ua, ip, client, source, referrer, place)


class EventCollector:
    """The live collector of a running service (published as ctx.state["events"])."""

    def __init__(self, store: EventSink, domains: Iterable[str],
                 clock: Callable[[], float] = time.time, geo: GeoLookup | None = None):
        self.store = store
        self.domains = frozenset(d.strip().lower() for d in domains)
        self.clock = clock
        self.geo = geo

    async def ingest(
        self, payload: dict, user_agent: str | None, ip: str, *, want_row: bool = True
    ) -> dict | bool | None:
        """The stored row (or True when `want_row` is false), None when dropped."""
        try:
            event = accept(payload, user_agent, ip, self.domains, self.clock(), self.geo)
        except Dropped as drop:
            await self.store.count_dropped(drop.domain, drop.reason, self.clock())
            return None
        first = await self.store.record(event, want_row)
        for other in event.for_other_domains():  # `domain: "a.org,b.org"`: one event per site
            await self.store.record(other, want_row)
        return first

    def ingest_sync(self, payload: dict, user_agent: str | None, ip: str) -> dict | None:
        """`ingest` for threads outside the event loop."""
        try:
            event = accept(payload, user_agent, ip, self.domains, self.clock(), self.geo)
        except Dropped as drop:
            self.store.count_dropped_sync(drop.domain, drop.reason, self.clock())
            return None
        first = self.store.record_sync(event)
        for other in event.for_other_domains():
            self.store.record_sync(other)
        return first

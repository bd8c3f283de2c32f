"""POST /api/event: the Plausible-compatible collector endpoint (and its CORS preflight).

Answers 202 `ok` once the event is committed (or dropped as a bot, with x-plausible-dropped: 1),
400 {"errors": {field: [message]}} when invalid, 413 over 64 KB, 503 while shutting down or
when the disk refuses the write. Publishes the live EventCollector as ctx.state["events"]."""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from ownmedia.events.forward import Forwarder
from ownmedia.events.geo import open_geo
from ownmedia.events.ingest import EventCollector
from ownmedia.events.useragent import warm_up
from ownmedia.events.validation import MAX_BODY_BYTES, EventValidationError, decode_body
from ownmedia.service.app import ServiceContext
from ownmedia.storage.errors import StorageError
from ownmedia.storage.event_backend import open_event_sink
from ownmedia.storage.event_ports import SinkClosed

log = logging.getLogger("ownmedia.events")

CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


class TrustedProxies:
    """Which peers may tell us the visitor's address in X-Forwarded-For."""

    def __init__(self, entries: list[str]):
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries]
        self._trusted = lru_cache(maxsize=1024)(self._check_peer)

    def client_ip(self, peer: str, forwarded_for: str | None) -> str:
        """The first valid address of X-Forwarded-For when the peer is trusted, else the peer."""
        if forwarded_for and self.networks and self._trusted(peer):
            for part in forwarded_for.split(","):
                address = _normalise_ip(part.strip())
                if address:
                    return address
        return peer

    def _check_peer(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in net for net in self.networks)


@lru_cache(maxsize=16384)
def _normalise_ip(candidate: str) -> str:
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return ""


def _error(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": {field: [message]}}, status_code=status, headers=CORS)


_ACCEPTED = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"2"),
             (b"access-control-allow-origin", b"*")]
_DROPPED = [*_ACCEPTED, (b"x-plausible-dropped", b"1")]


class EventEndpoint:
    """A plain ASGI app rather than a Starlette function endpoint: this is the hot path, and
    skipping the Request/Response objects is a measurable part of its cost."""

    def __init__(self, collector: EventCollector, proxies: TrustedProxies):
        self.collector = collector
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = await self._handle(scope, receive, send)
        if error is not None:
            await error(scope, receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> JSONResponse | None:
        length = user_agent = forwarded = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"user-agent":
                user_agent = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                forwarded = value.decode("latin-1")
        if length is not None:
            if not length.isdigit():
                return _error(400, "body", "invalid Content-Length")
            if int(length) > MAX_BODY_BYTES:
                return _error(413, "body", f"larger than {MAX_BODY_BYTES} bytes")
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None  # the client left: nothing to answer, nothing stored
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return _error(413, "body", f"larger than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
            more = message.get("more_body", False)
        try:
            payload = decode_body(chunks[0] if len(chunks) == 1 else b"".join(chunks))
            client = scope.get("client")
            ip = self.proxies.client_ip(client[0] if client else "", forwarded)
            row = await self.collector.ingest(payload, user_agent, ip, want_row=False)
        except EventValidationError as exc:  # the stores report text they cannot hold so too
            return _error(400, exc.field, exc.message)
        except SinkClosed:
            return _error(503, "service", "shutting down, retry later")
        except StorageError as exc:
            log.error("event not stored: %s", exc)
            return _error(503, "storage", "the event could not be stored, retry later")
        await send({"type": "http.response.start", "status": 202,
                    "headers": _ACCEPTED if row is not None else _DROPPED})
        await send({"type": "http.response.body", "body": b"ok"})
        return None


async def preflight(request: Request) -> Response:
    return Response(status_code=204, headers=PREFLIGHT)


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    cfg = ctx.config.analytics
    store = open_event_sink(ctx.config, backend=ctx.backend)
    store.seed_goals(cfg.goals, cfg.domains)
    warm_up()
    collector = EventCollector(store, cfg.domains, geo=open_geo(cfg.geoip_database))
    ctx.state["events"] = collector
    ctx.state["event_store"] = store
    forwarder = Forwarder(store, cfg) if cfg.forward_url else None

    async def start() -> None:
        if forwarder is not None:
            forwarder.start()

    async def stop() -> None:
        if forwarder is not None:
            await forwarder.stop()
        await store.aclose()  # in-flight requests are done (uvicorn waited): write what is queued

    ctx.startup.append(start)
    ctx.shutdown.append(stop)
    proxies = TrustedProxies(ctx.config.server.trusted_proxies)
    endpoint = EventEndpoint(collector, proxies)
    ctx.fast_paths[("POST", "/api/event")] = endpoint  # before Starlette's middleware stack
    return [
        Route("/api/event", endpoint, methods=["POST"]),
        Route("/api/event", preflight, methods=["OPTIONS"]),
    ]

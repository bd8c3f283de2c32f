"""POST /api/event: the Plausible-compatible collector endpoint (and its CORS preflight).

Answers 202 `ok` once the event is committed (or dropped as a bot, with x-plausible-dropped: 1),
400 {"errors": {field: [message]}} when invalid, 413 over 64 KB, 503 while shutting down or
when the disk refuses the write. Publishes the live EventCollector as ctx.state["events"]."""

from __future__ import annotations

import ipaddress
import logging
import sqlite3

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ownmedia.events.forward import Forwarder
from ownmedia.events.ingest import EventCollector
from ownmedia.events.store import EventStore
from ownmedia.events.validation import MAX_BODY_BYTES, EventValidationError, decode_body
from ownmedia.events.writer import WriterClosed
from ownmedia.service.app import ServiceContext

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

    def client_ip(self, peer: str, forwarded_for: str | None) -> str:
        """The first valid address of X-Forwarded-For when the peer is trusted, else the peer."""
        if forwarded_for and self.networks and self._trusted(peer):
            for part in forwarded_for.split(","):
                candidate = part.strip()
                try:
                    return str(ipaddress.ip_address(candidate))
                except ValueError:
                    continue
        return peer

    def _trusted(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in net for net in self.networks)


def _error(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": {field: [message]}}, status_code=status, headers=CORS)


def make_endpoint(collector: EventCollector, proxies: TrustedProxies):
    async def post_event(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            if not length.isdigit():
                return _error(400, "body", "invalid Content-Length")
            return _error(413, "body", f"larger than {MAX_BODY_BYTES} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return _error(413, "body", f"larger than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
        try:
            payload = decode_body(b"".join(chunks))
            peer = request.client.host if request.client else ""
            ip = proxies.client_ip(peer, request.headers.get("x-forwarded-for"))
            row = await collector.ingest(payload, request.headers.get("user-agent"), ip)
        except EventValidationError as exc:
            return _error(400, exc.field, exc.message)
        except WriterClosed:
            return _error(503, "service", "shutting down, retry later")
        except sqlite3.Error as exc:
            log.error("event not stored: %s", exc)
            return _error(503, "storage", "the event could not be stored, retry later")
        if row is None:
            return Response("ok", 202, headers={**CORS, "x-plausible-dropped": "1"},
                            media_type="text/plain")
        return Response("ok", 202, headers=CORS, media_type="text/plain")

    return post_event


async def preflight(request: Request) -> Response:
    return Response(status_code=204, headers=PREFLIGHT)


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    cfg = ctx.config.analytics
    store = EventStore.in_dir(
        ctx.data_dir,
        commit_mode=cfg.commit_mode,
        max_batch=cfg.max_batch,
        forward=bool(cfg.forward_url),
    )
    store.seed_goals(cfg.goals, cfg.domains)
    collector = EventCollector(store, cfg.domains)
    ctx.state["events"] = collector
    ctx.state["event_store"] = store
    forwarder = Forwarder(store, cfg) if cfg.forward_url else None

    async def start() -> None:
        if forwarder is not None:
            forwarder.start()

    async def stop() -> None:
        if forwarder is not None:
            await forwarder.stop()
        store.close()  # in-flight requests are done (uvicorn waited): write what is queued

    ctx.startup.append(start)
    ctx.shutdown.append(stop)
    proxies = TrustedProxies(ctx.config.server.trusted_proxies)
    return [
        Route("/api/event", make_endpoint(collector, proxies), methods=["POST"]),
        Route("/api/event", preflight, methods=["OPTIONS"]),
    ]

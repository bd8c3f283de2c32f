"""Mention receivers.

    POST /api/webmention   W3C Webmention: source + target (form-encoded) -> 202 Accepted,
                           verified asynchronously by the background worker
    POST /api/pingback     XML-RPC pingback.ping(sourceURI, targetURI), verified before the
                           answer as the Pingback 1.0 spec expects; fault codes in
                           ownmedia.mentions.pingback (16 source missing, 17 no link, 32
                           target missing, 33 target not a post or not ours, 48 already
                           registered, 49 access denied, 50 upstream error)

Both are advertised on article pages by <link rel="webmention|pingback"> (theme) and by the
Link / X-Pingback headers (ownmedia.service.site)."""

from __future__ import annotations

import logging
import time
from urllib.parse import unquote, urlsplit

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ownmedia.comments import tokens
from ownmedia.comments.api import MAX_BODY_BYTES, BadRequest, read_form
from ownmedia.comments.runtime import CommentsRuntime, get_runtime
from ownmedia.mentions import pingback as pb
from ownmedia.mentions import receive
from ownmedia.mentions.fetch import FetchError, check_url, resolve
from ownmedia.mentions.tombstones import TombstoneRoute
from ownmedia.mentions.verify import verify

log = logging.getLogger("ownmedia.mentions")
RATE_LIMIT, RATE_WINDOW = 30, 600  # mentions per sending address per window
NETWORK_THREADS = 8  # DNS checks of webmention sources, and pingback verifications, at once


def _own_netlocs(runtime: CommentsRuntime, request: Request) -> set[str]:
    netlocs = {request.url.netloc.lower()}
    if runtime.config.server.public_url:
        netlocs.add(urlsplit(runtime.config.server.public_url).netloc.lower())
    return netlocs


def _rate_limited(runtime: CommentsRuntime, request: Request) -> bool:
    visitor = tokens.keyed_hash(runtime.secrets.visitor_key,
                                f"mention|{runtime.client_address(request)}")
    now = time.time()
    with runtime.store.transaction() as tx:
        if tx.rate_window(visitor, now - RATE_WINDOW).count >= RATE_LIMIT:
            return True
        tx.add_rate_hit(visitor, now)
    return False


def _target_exists(runtime: CommentsRuntime, target: str) -> bool:
    """A page of the built site answers at this URL (the home page, a page, a tag...)."""
    path = unquote(urlsplit(target).path or "/").lstrip("/")
    try:  # a stranger's path: NUL bytes, names too long, `..` are all "does not exist"
        site = runtime.config.site_dir.resolve()
        candidate = (site / path).resolve()
        if not candidate.is_relative_to(site):
            return False
        return (candidate / "index.html").is_file() or candidate.is_file()
    except (OSError, ValueError):
        return False


def check_pair(runtime: CommentsRuntime, request: Request, source: str,
               target: str) -> tuple[str | None, str, str]:
    """(post slug or None, failing field, message)."""
    for name, value in (("source", source), ("target", target)):
        if not value:
            return None, name, f"{name}: missing"
        try:
            check_url(value)
        except FetchError as exc:
            return None, name, f"{name}: {exc}"
    if source.split("#")[0] == target.split("#")[0]:
        return None, "source", "source: must differ from target"
    if urlsplit(target).netloc.lower() not in _own_netlocs(runtime, request):
        return None, "target_foreign", "target: not a URL of this site"
    post = runtime.site_index.slug_for_url(target)
    if post is None:
        if _target_exists(runtime, target):
            return None, "target_not_post", "target: this page is not a post; only posts " \
                                             "take mentions"
        return None, "target", "target: no post of this site has this URL"
    return post, "", ""


def _source_refused(source: str, config) -> str:
    """Why the source's address is refused by the SSRF guard, or "" (a resolver failure is
    not a refusal: the mention is queued and tried again)."""
    _scheme, host, port = check_url(source)
    try:
        resolve(host, port, config.allow_private_addresses)
    except FetchError as exc:
        return str(exc) if exc.kind == "refused" else ""
    return ""


def routes(ctx) -> list[BaseRoute]:
    runtime = get_runtime(ctx)
    runtime.workers.append(lambda: receive.process_queue(runtime))
    parsers = anyio.CapacityLimiter(ctx.config.mentions.pingback_parsers)
    # strangers' requests that wait on the network get their own few threads, so that many of
    # them cannot take every worker thread of the service
    resolvers = anyio.CapacityLimiter(NETWORK_THREADS)
    verifiers = anyio.CapacityLimiter(NETWORK_THREADS)

    async def webmention(request: Request) -> Response:
        try:
            form = await read_form(request)
        except BadRequest as exc:
            return PlainTextResponse(exc.message, exc.status)
        source, target = form.get("source", "").strip(), form.get("target", "").strip()
        post, _field, message = check_pair(runtime, request, source, target)
        if post is None:
            return PlainTextResponse(message, 400)
        if _rate_limited(runtime, request):
            return PlainTextResponse("too many mentions from this address; try later", 429)
        refused = await anyio.to_thread.run_sync(_source_refused, source, ctx.config.mentions,
                                                 limiter=resolvers)
        if refused:
            return PlainTextResponse(f"source: refused: {refused}", 400)
        receive.enqueue(runtime.backend.mention_queue, "webmention", source, target, post)
        runtime.kick()
        return PlainTextResponse("Accepted: the webmention will be verified, then moderated.",
                                 202)

    async def pingback(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _fault(pb.PARSE_ERROR, "request too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return _fault(pb.PARSE_ERROR, "request too large")
        try:
            method, params = await anyio.to_thread.run_sync(pb.parse_call, bytes(body),
                                                            limiter=parsers)
        except pb.CallError as exc:
            return _fault(exc.code, str(exc))
        if method != "pingback.ping":
            return _fault(pb.NO_METHOD, f"method not found: {str(method)[:100]}")
        if len(params) != 2 or not all(isinstance(p, str) for p in params):
            return _fault(pb.BAD_PARAMS, "pingback.ping takes two strings: sourceURI, targetURI")
        source, target = params[0].strip(), params[1].strip()
        post, field, message = check_pair(runtime, request, source, target)
        if post is None:
            code = {"source": pb.SOURCE_MISSING, "target": pb.TARGET_MISSING,
                    "target_foreign": pb.TARGET_NOT_USABLE,
                    "target_not_post": pb.TARGET_NOT_USABLE}[field]
            return _fault(code, message)
        if runtime.store.by_mention(source, target) is not None:
            return _fault(pb.ALREADY_REGISTERED, "the pingback has already been registered")
        if _rate_limited(runtime, request):
            return _fault(pb.ACCESS_DENIED, "access denied: too many pingbacks from this address")
        try:
            v = await anyio.to_thread.run_sync(verify, source, target, ctx.config.mentions,
                                               limiter=verifiers)
            if v.state != "ok":
                return _fault(*pb.verification_fault(v.state, v.kind, v.message))
            await anyio.to_thread.run_sync(receive.apply, runtime, "pingback", source, target,
                                           post, v)
        except Exception:  # noqa: BLE001 - a source we cannot read is the source's error
            log.exception("pingback %s -> %s could not be verified", source, target)
            return _fault(pb.UPSTREAM_ERROR, "upstream error: the source could not be read")
        runtime.kick()
        return _xml(pb.success_response("Pingback registered; it awaits moderation."))

    async def webmention_get(request: Request) -> Response:
        return PlainTextResponse("Webmention endpoint: POST source and target "
                                 "(application/x-www-form-urlencoded).", 200)

    return [
        Route("/api/webmention", webmention, methods=["POST"]),
        Route("/api/webmention", webmention_get, methods=["GET"]),
        Route("/api/pingback", pingback, methods=["POST"]),
        TombstoneRoute(ctx.config.site_dir, ctx.config.data_dir),  # 410 for deleted posts
    ]


def _xml(text: str) -> Response:
    return Response(text, 200, media_type="text/xml")


def _fault(code: int, message: str) -> Response:
    return _xml(pb.fault_response(code, message))

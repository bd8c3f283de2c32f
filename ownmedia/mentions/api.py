"""Mention receivers.

    POST /api/webmention   W3C Webmention: source + target (form-encoded) -> 202 Accepted,
                           verified asynchronously by the background worker
    POST /api/pingback     XML-RPC pingback.ping(sourceURI, targetURI), verified before the
                           answer as the Pingback 1.0 spec expects; faults 0x0010 (source
                           missing), 0x0011 (no link to target), 0x0020 (target missing),
                           0x0021 (target not ours), 0x0030 (already registered),
                           0x0031 (access denied: rate limit or refused address), 0x0032

Both are advertised on article pages by <link rel="webmention|pingback"> (theme) and by the
Link / X-Pingback headers (ownmedia.service.site)."""

from __future__ import annotations

import time
import xmlrpc.client
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ownmedia.comments import tokens
from ownmedia.comments.api import MAX_BODY_BYTES, BadRequest, read_form
from ownmedia.comments.runtime import CommentsRuntime, get_runtime
from ownmedia.mentions import receive
from ownmedia.mentions.fetch import FetchError, check_url
from ownmedia.mentions.verify import verify

RATE_LIMIT, RATE_WINDOW = 30, 600  # mentions per sending address per window


def _own_netlocs(runtime: CommentsRuntime, request: Request) -> set[str]:
    netlocs = {request.url.netloc.lower()}
    if runtime.config.server.public_url:
        netlocs.add(urlsplit(runtime.config.server.public_url).netloc.lower())
    return netlocs


def _rate_limited(runtime: CommentsRuntime, request: Request) -> bool:
    visitor = tokens.keyed_hash(runtime.secrets.visitor_key,
                                f"mention|{runtime.client_address(request)}")
    now = time.time()
    with runtime.store.transaction() as conn:
        count = conn.execute("SELECT COUNT(*) FROM submissions WHERE visitor = ? AND ts > ?",
                             (visitor, now - RATE_WINDOW)).fetchone()[0]
        if count >= RATE_LIMIT:
            return True
        conn.execute("INSERT INTO submissions(visitor, ts) VALUES (?, ?)", (visitor, now))
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
        return None, "target", "target: no post of this site has this URL"
    return post, "", ""


def routes(ctx) -> list[BaseRoute]:
    runtime = get_runtime(ctx)
    runtime.workers.append(lambda: receive.process_queue(runtime))

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
        receive.enqueue(runtime.store, "webmention", source, target, post)
        runtime.kick()
        return PlainTextResponse("Accepted: the webmention will be verified, then moderated.",
                                 202)

    async def pingback(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _fault(-32700, "request too large")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return _fault(-32700, "request too large")
        try:
            params, method = xmlrpc.client.loads(body)
        except (ExpatError, ValueError, TypeError, IndexError, AttributeError,
                xmlrpc.client.ResponseError):
            return _fault(-32700, "parse error: not an XML-RPC request")
        if method != "pingback.ping":
            return _fault(-32601, f"method not found: {str(method)[:100]}")
        if len(params) != 2 or not all(isinstance(p, str) for p in params):
            return _fault(-32602, "pingback.ping takes two strings: sourceURI, targetURI")
        source, target = params[0].strip(), params[1].strip()
        post, field, message = check_pair(runtime, request, source, target)
        if post is None:
            code = {"source": 0x0010, "target": 0x0020, "target_foreign": 0x0021}[field]
            return _fault(code, message)
        if runtime.store.by_mention(source, target) is not None:
            return _fault(0x0030, "the pingback has already been registered")
        if _rate_limited(runtime, request):
            return _fault(0x0031, "access denied: too many pingbacks from this address")
        v = await anyio.to_thread.run_sync(verify, source, target, ctx.config.mentions)
        if v.state == "error":
            refused = "refused" in v.message
            return _fault(0x0031 if refused else 0x0010, f"source: {v.message}")
        if v.state == "missing":
            return _fault(0x0010, f"source does not exist: {v.message}")
        if v.state == "gone":
            return _fault(0x0011, "the source does not contain a link to the target")
        await anyio.to_thread.run_sync(receive.apply, runtime, "pingback", source, target, post,
                                       v)
        runtime.kick()
        return _xml(xmlrpc.client.dumps(("Pingback registered; it awaits moderation.",),
                                        methodresponse=True))

    async def webmention_get(request: Request) -> Response:
        return PlainTextResponse("Webmention endpoint: POST source and target "
                                 "(application/x-www-form-urlencoded).", 200)

    return [
        Route("/api/webmention", webmention, methods=["POST"]),
        Route("/api/webmention", webmention_get, methods=["GET"]),
        Route("/api/pingback", pingback, methods=["POST"]),
    ]


def _xml(text: str) -> Response:
    return Response(text, 200, media_type="text/xml")


def _fault(code: int, message: str) -> Response:
    return _xml(xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), methodresponse=True))

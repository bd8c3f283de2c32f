"""HTTP intake of comments.

    GET  /api/comments/token?post=SLUG   {"token": ...} signed timestamp for the form (JS)
    POST /api/comments                   the comment form (urlencoded, multipart or JSON)
    GET|POST /api/comments/unsubscribe   stop reply notifications (signed link)

The answer depends on who asks. `Accept: application/json` (comments.js): 201 with a message,
or a 4xx with field-level errors and a token for the next attempt. A plain form post (no
JavaScript): 303 back to the post with ?comment=pending#comment-pending once stored, or a
server-rendered page keeping what was typed with each error next to its field.

No-JavaScript path and the minimum-time check: a static page cannot embed a fresh signed
token, so a form posted without one is answered with a confirmation page carrying a fresh
token (and everything typed); the commenter presses "confirm" and the usual minimum time
applies between that page and its submission."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ownmedia.comment_format import SLUG_RE
from ownmedia.comments import notify
from ownmedia.comments.intake import Outcome, Submission
from ownmedia.comments.messages import pick_lang, t
from ownmedia.comments.page_shell import read_shell
from ownmedia.comments.runtime import CommentsRuntime, get_runtime

log = logging.getLogger("ownmedia.comments")
MAX_BODY_BYTES = 64 * 1024
TEMPLATES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(["html"]),
)
# No cookies are used by the comment API, so any origin may call it (ENGAGEMENT_URL may be
# another origin than the static site); the answer is never cached.
NO_STORE = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


async def read_form(request: Request) -> dict[str, str]:
    """The submitted fields as strings; refuses bodies over MAX_BODY_BYTES."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(413, "request body too large")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        try:
            form = await request.form(max_files=0, max_fields=50, max_part_size=MAX_BODY_BYTES)
        except Exception as exc:  # MultiPartException and malformed bodies
            raise BadRequest(400, f"malformed multipart body: {exc}") from None
        return _no_surrogates({k: v for k, v in form.items() if isinstance(v, str)})
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BadRequest(413, "request body too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(400, "the body is not UTF-8") from None
    if ctype == "application/json":
        try:
            data = json.loads(text or "{}")
        except RecursionError:  # [[[[... a thousand deep: the parser gives up, so do we
            raise BadRequest(400, "the JSON body is nested too deeply") from None
        except ValueError:
            raise BadRequest(400, "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise BadRequest(400, "the JSON body must be an object")
        return _no_surrogates(
            {str(k): (v if isinstance(v, str) else str(v)) for k, v in data.items()
             if isinstance(v, str | int | float | bool)})
    try:
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=50)
    except ValueError:
        raise BadRequest(400, "too many form fields") from None
    return _no_surrogates({k: v[0] for k, v in parsed.items()})


def _no_surrogates(fields: dict[str, str]) -> dict[str, str]:
    """JSON's "\\ud800" escapes decode to lone surrogates, which no UTF-8 store, page or mail
    can hold: refuse them here rather than fail later (the comment would be half-accepted)."""
    for name, value in fields.items():
        for text in (name, value):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest(400, f"{name[:40]!a}: contains an unpaired surrogate") from None
    return fields


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    ctype = request.headers.get("content-type", "")
    return "application/json" in accept or ctype.startswith("application/json")


def safe_return_url(runtime: CommentsRuntime, request: Request, sub: Submission) -> str:
    """Where to send the commenter back: the form's own URL if it is on this site."""
    url = sub.url
    if any(ord(c) < 33 or ord(c) == 127 for c in url):  # browsers drop tabs: "/\t/evil"
        url = ""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url.split("#")[0].split("?")[0]
    if url:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:  # "http://[x/": not a URL, so not ours; go back to the post
            parts = urlsplit("")
        allowed = {request.url.netloc}
        public = runtime.config.server.public_url
        if public:
            allowed.add(urlsplit(public).netloc)
        if parts.scheme in ("http", "https") and parts.netloc in allowed:
            return f"{parts.scheme}://{parts.netloc}{parts.path}"
    return (runtime.site_index.url_of(sub.post) if SLUG_RE.match(sub.post or "") else None) or "/"


def routes(ctx) -> list[BaseRoute]:
    runtime = get_runtime(ctx)

    async def token(request: Request) -> Response:
        post = request.query_params.get("post", "")
        if not SLUG_RE.match(post):
            return JSONResponse({"error": "post: not a post slug"}, 400, headers=NO_STORE)
        return JSONResponse({"token": runtime.intake.issue_token(post)}, headers=NO_STORE)

    async def submit(request: Request) -> Response:
        as_json = wants_json(request)
        try:
            form = await read_form(request)
        except BadRequest as exc:
            if as_json:
                return JSONResponse({"message": exc.message, "errors": {}}, exc.status,
                                    headers=NO_STORE)
            return Response(exc.message, exc.status, media_type="text/plain")
        sub = Submission.from_form(form)
        if not sub.reply_to:
            sub.reply_to = _reply_from_referer(request)
        address = runtime.client_address(request)
        if runtime.backend.kind == "sqlite":  # a local file: faster than a thread hop
            outcome = runtime.intake.submit(sub, address)
        else:  # the network, and a database that may be down: never on the event loop
            outcome = await anyio.to_thread.run_sync(runtime.intake.submit, sub, address)
        if outcome.accepted:
            runtime.kick()
            if outcome.comment.status == "pending":
                await _record_event(ctx, runtime, request, sub)
        if as_json:
            return _json_answer(outcome)
        return _html_answer(runtime, request, sub, outcome)

    async def unsubscribe(request: Request) -> Response:
        lang = pick_lang(request.query_params.get("lang"))
        tok = request.query_params.get("token", "")
        if request.method == "POST":
            try:
                form = await read_form(request)
            except BadRequest as exc:
                return Response(exc.message, exc.status, media_type="text/plain")
            tok = form.get("token", tok)
            ok = notify.unsubscribe(runtime.store, runtime.secrets.signing_key, tok)
            return _message_page(lang, t(lang, "unsubscribe_title"),
                                 t(lang, "unsubscribed" if ok else "unsubscribe_bad"),
                                 200 if ok else 400)
        from ownmedia.comments import tokens

        if tokens.unsign(runtime.secrets.signing_key, "unsubscribe", tok) is None:
            return _message_page(lang, t(lang, "unsubscribe_title"), t(lang, "unsubscribe_bad"),
                                 400)
        return _message_page(lang, t(lang, "unsubscribe_title"), t(lang, "unsubscribe_ask"), 200,
                             form_action="/api/comments/unsubscribe", token=tok,
                             button=t(lang, "unsubscribe_button"))

    return [
        Route("/api/comments", submit, methods=["POST"]),
        Route("/api/comments/token", token, methods=["GET"]),
        Route("/api/comments/unsubscribe", unsubscribe, methods=["GET", "POST"]),
    ]


def _reply_from_referer(request: Request) -> str:
    """No-JS reply links put ?reply_to=ID in the page URL; the form post's Referer has it."""
    referer = request.headers.get("referer", "")
    if not referer:
        return ""
    try:
        query = urlsplit(referer).query
    except ValueError:  # "http://[x/": not a URL, no reply_to in it
        return ""
    values = parse_qs(query).get("reply_to", [""])
    return values[0][:64]


def _json_answer(outcome: Outcome) -> JSONResponse:
    data: dict = {"status": outcome.kind, "message": outcome.message, "errors": outcome.errors}
    if outcome.token:
        data["token"] = outcome.token
    if outcome.accepted:
        data["status"] = "pending"
        data["id"] = outcome.comment.id
    elif outcome.kind == "confirm" and not outcome.errors:
        data["errors"] = {"form": outcome.message}
    code = 422 if outcome.kind == "confirm" else outcome.status_code
    return JSONResponse(data, code, headers=NO_STORE)


def _html_answer(runtime: CommentsRuntime, request: Request, sub: Submission,
                 outcome: Outcome) -> Response:
    back = safe_return_url(runtime, request, sub)
    if outcome.accepted:
        return RedirectResponse(f"{back}?comment=pending#comment-pending", 303)
    lang = sub.lang
    confirm = outcome.kind == "confirm"
    shell = None
    if SLUG_RE.match(sub.post or ""):  # the site's header and look, from the post's page
        shell = read_shell(runtime.site_index.site_dir, sub.post, urlsplit(back).path,
                           runtime.site_index.url_of(sub.post))
    parent = runtime.store.get(sub.reply_to) if sub.reply_to and len(sub.reply_to) < 64 else None
    html = TEMPLATES.get_template("form_page.html").render(
        lang=lang, t=lambda key: t(lang, key),
        title=t(lang, "title_confirm" if confirm else "title_errors"),
        message=outcome.message, errors=outcome.errors, sub=sub, token=outcome.token,
        confirm=confirm, action=str(request.url.path), back=back, shell=shell,
        reply_author=parent.author if parent is not None and parent.post == sub.post else "",
    )
    return HTMLResponse(html, outcome.status_code, headers=NO_STORE)


def _message_page(lang: str, title: str, message: str, status: int, **extra) -> HTMLResponse:
    html = TEMPLATES.get_template("message_page.html").render(
        lang=lang, t=lambda key: t(lang, key), title=title, message=message, back="/",
        shell=None, **extra
    )
    return HTMLResponse(html, status, headers=NO_STORE)


async def _record_event(ctx, runtime: CommentsRuntime, request: Request, sub: Submission) -> None:
    """The server-side "Comment" event {post: slug} (counted once, here)."""
    collector = ctx.state.get("events")
    if collector is None:
        return
    domains = ctx.config.analytics.domains
    host = request.url.hostname or ""
    domain = host if host in domains else (domains[0] if domains else host)
    path = runtime.site_index.url_of(sub.post) or "/"
    payload = {"name": "Comment", "url": f"{request.url.scheme}://{host}{path}",
               "domain": domain, "props": {"post": sub.post}}
    try:
        await collector.ingest(payload, request.headers.get("user-agent") or "ownmedia",
                               runtime.client_address(request))
    except Exception:  # the comment is stored; analytics must not turn it into an error
        log.warning("could not record the Comment event for %s", sub.post, exc_info=True)

"""Web moderation at /admin/: login, the queue by status, approve / reject / spam / delete,
and reply as the site owner.

Security: the password is checked against a scrypt hash (`ownmedia comments set-password`);
a server-side session whose cookie is HttpOnly, SameSite=Strict, Path=/admin, Secure over
https; every form carries a CSRF token (the login form's is bound to a pre-session cookie, the
others to the session); failed logins make the next attempt wait longer and longer."""

from __future__ import annotations

import asyncio
import hmac
import secrets
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ownmedia.admin.auth import (
    LoginBusy,
    LoginThrottle,
    PasswordChecker,
    Sessions,
    has_password,
)
from ownmedia.comments import tokens
from ownmedia.comments.api import BadRequest, read_form
from ownmedia.comments.runtime import CommentsRuntime, get_runtime
from ownmedia.comments.store import STATUSES

SESSION_COOKIE = "om_admin"
LOGIN_COOKIE = "om_login"
TEMPLATES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(["html"]),
)
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "same-origin",
}

TEXTS = {
    "fr": dict(
        login_title="Modération — connexion", password="Mot de passe", login="Se connecter",
        logout="Se déconnecter", bad_password="Mot de passe incorrect.",
        no_password="Aucun mot de passe défini : lancez « ownmedia comments set-password ».",
        wait="Trop d’essais : réessayez dans {s} secondes.", bad_csrf="Jeton CSRF absent ou "
        "invalide : rechargez la page et recommencez.", queue_title="Modération",
        status_pending="En attente", status_approved="Approuvés", status_spam="Indésirables",
        status_rejected="Refusés", empty="Rien ici.", approve="Approuver", reject="Refuser",
        spam="Indésirable", delete="Supprimer", reply="Répondre", reply_send="Publier la réponse",
        reply_author="Signé", source="Source :", reply_to="En réponse à", reason="Motif :",
        type_comment="commentaire", type_webmention="webmention", type_pingback="pingback",
        done="{n} élément(s) : {action}.", not_found="Commentaire introuvable.",
        bad_action="Action inconnue.", replied="Réponse publiée.",
        busy="Trop de connexions en cours : réessayez dans quelques secondes.",
    ),
    "en": dict(
        login_title="Moderation — log in", password="Password", login="Log in",
        logout="Log out", bad_password="Wrong password.",
        no_password="No password set: run `ownmedia comments set-password`.",
        wait="Too many attempts: try again in {s} seconds.", bad_csrf="Missing or invalid CSRF "
        "token: reload the page and try again.", queue_title="Moderation",
        status_pending="Pending", status_approved="Approved", status_spam="Spam",
        status_rejected="Rejected", empty="Nothing here.", approve="Approve", reject="Reject",
        spam="Spam", delete="Delete", reply="Reply", reply_send="Publish the reply",
        reply_author="Signed", source="Source:", reply_to="Replying to", reason="Reason:",
        type_comment="comment", type_webmention="webmention", type_pingback="pingback",
        done="{n} item(s): {action}.", not_found="No such comment.",
        bad_action="Unknown action.", replied="Reply published.",
        busy="Too many logins in progress: try again in a few seconds.",
    ),
}


def _lang(request: Request) -> str:
    accept = request.headers.get("accept-language", "").lower()
    first = accept.split(",")[0].strip()[:2]
    return first if first in TEXTS else "fr"


def routes(ctx) -> list[BaseRoute]:
    runtime: CommentsRuntime = get_runtime(ctx)
    sessions = Sessions(runtime.store)
    throttle = LoginThrottle(runtime.store)
    passwords = PasswordChecker(ctx.data_dir)
    key = runtime.secrets.signing_key

    def secure(request: Request) -> bool:
        return request.url.scheme == "https" or ctx.config.server.public_url.startswith("https")

    def page(request: Request, name: str, code: int = 200, **values) -> HTMLResponse:
        lang = _lang(request)
        html = TEMPLATES.get_template(name).render(lang=lang, T=TEXTS[lang], **values)
        return HTMLResponse(html, code, headers=HEADERS)

    def session_of(request: Request):
        return sessions.get(request.cookies.get(SESSION_COOKIE), runtime.clock())

    def throttle_key(request: Request) -> str:
        return tokens.keyed_hash(runtime.secrets.visitor_key,
                                 f"admin-login|{runtime.client_address(request)}")

    def login_page(request: Request, error: str = "", status: int = 200) -> HTMLResponse:
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        response = page(request, "login.html", status, error=error,
                        csrf=tokens.sign(key, "admin-login", nonce),
                        has_password=has_password(ctx.data_dir), title="login")
        response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict",
                            secure=secure(request), path="/admin")
        return response

    async def login_get(request: Request) -> Response:
        if session_of(request):
            return RedirectResponse("/admin/", 303)
        return login_page(request)

    async def login_post(request: Request) -> Response:
        T = TEXTS[_lang(request)]
        try:
            form = await read_form(request)
        except BadRequest as exc:
            return Response(exc.message, exc.status, media_type="text/plain")
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if not nonce or tokens.unsign(key, "admin-login", form.get("csrf", "")) != nonce:
            return login_page(request, T["bad_csrf"], 403)
        now = runtime.clock()
        who = throttle_key(request)
        wait = throttle.wait_seconds(who, now)
        if wait > 0:
            response = login_page(request, T["wait"].format(s=int(wait + 0.999)), 429)
            response.headers["Retry-After"] = str(int(wait + 0.999))
            return response
        password = form.get("password", "")
        try:
            good = bool(password) and await passwords.check(password)
        except LoginBusy:
            response = login_page(request, T["busy"], 503)
            response.headers["Retry-After"] = "5"
            return response
        # the writes below commit (fsync) too: in a thread as well, the loop keeps serving
        if not good:
            await asyncio.to_thread(throttle.failed, who, now)
            return login_page(request, T["bad_password"], 401)
        await asyncio.to_thread(throttle.succeeded, who)
        session_id, _ = await asyncio.to_thread(sessions.create, now)
        response = RedirectResponse("/admin/", 303)
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict",
                            secure=secure(request), path="/admin",
                            max_age=int(sessions_max_age()))
        response.delete_cookie(LOGIN_COOKIE, path="/admin")
        return response

    def sessions_max_age() -> float:
        from ownmedia.admin.auth import SESSION_SECONDS

        return SESSION_SECONDS

    async def queue(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse("/admin/login", 303)
        status = request.query_params.get("status", "pending")
        if status not in STATUSES:
            status = "pending"
        notice = request.query_params.get("notice", "")[:200]
        return page(
            request, "queue.html", status=status, statuses=STATUSES,
            counts=runtime.store.counts(), comments=runtime.store.list(status=status, limit=200),
            csrf=session.csrf, notice=notice, owner="Admin", title="queue",
            when=lambda ts: datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )

    async def checked_form(request: Request):
        """(session, form) or an error response: no session -> 401, bad CSRF -> 403."""
        session = session_of(request)
        if session is None:
            return None, Response("not logged in (or the session expired)", 401,
                                  media_type="text/plain", headers=HEADERS)
        try:
            form = await read_form(request)
        except BadRequest as exc:
            return None, Response(exc.message, exc.status, media_type="text/plain")
        # bytes: compare_digest refuses a str with non-ASCII characters (TypeError)
        sent = form.get("csrf", "").encode("utf-8", "replace")
        if not hmac.compare_digest(sent, session.csrf.encode()):
            return None, Response(TEXTS[_lang(request)]["bad_csrf"], 403,
                                  media_type="text/plain", headers=HEADERS)
        return form, None

    def back(form: dict, notice: str) -> RedirectResponse:
        status = form.get("status", "pending")
        status = status if status in STATUSES else "pending"
        return RedirectResponse(f"/admin/?status={status}&notice={quote(notice)}", 303)

    async def action(request: Request) -> Response:
        form, error = await checked_form(request)
        if error is not None:
            return error
        T = TEXTS[_lang(request)]
        name = form.get("action", "")
        ids = [form.get("id", "")]
        handlers = {"approve": runtime.moderator.approve, "reject": runtime.moderator.reject,
                    "spam": runtime.moderator.spam, "delete": runtime.moderator.delete}
        if name not in handlers:
            return Response(T["bad_action"], 400, media_type="text/plain")
        results = handlers[name](ids)
        runtime.kick()
        if not all(r.ok for r in results):
            return back(form, T["not_found"])
        return back(form, T["done"].format(n=len(results), action=T[name]))

    async def reply(request: Request) -> Response:
        form, error = await checked_form(request)
        if error is not None:
            return error
        T = TEXTS[_lang(request)]
        body = form.get("body", "").strip()
        if not body or len(body) > 10_000:
            return Response("body: required, at most 10,000 characters", 422,
                            media_type="text/plain")
        author = (form.get("author", "").strip() or "Admin")[:200]
        result = runtime.moderator.reply(form.get("id", ""), author, body)
        runtime.kick()
        return back(form, T["replied"] if result.ok else T["not_found"])

    async def logout(request: Request) -> Response:
        form, error = await checked_form(request)
        if error is not None:
            return error
        sessions.delete(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/admin/login", 303)
        response.delete_cookie(SESSION_COOKIE, path="/admin")
        return response

    async def bare(request: Request) -> Response:
        return RedirectResponse("/admin/", 308)

    return [
        Route("/admin", bare, methods=["GET"]),
        Route("/admin/", queue, methods=["GET"]),
        Route("/admin/login", login_get, methods=["GET"]),
        Route("/admin/login", login_post, methods=["POST"]),
        Route("/admin/logout", logout, methods=["POST"]),
        Route("/admin/action", action, methods=["POST"]),
        Route("/admin/reply", reply, methods=["POST"]),
    ]

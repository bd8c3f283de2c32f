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
from markupsafe import Markup
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
from ownmedia.comment_format import CommentFormatError, render_body_html
from ownmedia.comments import tokens
from ownmedia.comments.api import BadRequest, read_form
from ownmedia.comments.runtime import CommentsRuntime, get_runtime
from ownmedia.comments.store import STATUSES
from ownmedia.review.site_info import page_title

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
        edit="Modifier", edit_title="Modifier le commentaire", author="Auteur",
        website="Site web", body="Texte (Markdown)", save="Enregistrer", cancel="Annuler",
        saved="Commentaire modifié.", on_post="sur", by="par",
        approve_reply="Approuver et répondre", reply_held="Réponse enregistrée : elle attend "
        "que vous approuviez le commentaire auquel elle répond, puis elle-même.",
        confirm_title="Confirmer", confirm_delete="Supprimer définitivement ce commentaire "
        "de {author} ? Son fichier est retiré et la page publiée mise à jour.",
        confirm_reject="Ce commentaire de {author} a {n} réponse(s) approuvée(s). Que faire "
        "de ces réponses ?", keep_replies="Refuser le commentaire, garder les réponses "
        "publiées (affichées sans lui)", reject_replies="Refuser le commentaire et ses "
        "réponses", main_label="Commentaires", skip="Aller au contenu", review="Bilan",
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
        edit="Edit", edit_title="Edit the comment", author="Author", website="Website",
        body="Text (Markdown)", save="Save", cancel="Cancel", saved="Comment edited.",
        on_post="on", by="by", approve_reply="Approve and reply",
        reply_held="Reply saved: it waits until you approve the comment it answers, then it.",
        confirm_title="Confirm", confirm_delete="Delete this comment by {author} for good? "
        "Its file is removed and the published page updated.",
        confirm_reject="This comment by {author} has {n} approved repl(ies). What happens to "
        "them?", keep_replies="Reject the comment, keep the replies published (shown "
        "without it)", reject_replies="Reject the comment and its replies",
        main_label="Comments", skip="Skip to content", review="Review",
    ),
}


class PostTitles:
    """A post's title as its built page shows it (first <h1>, else <title>), cached by the
    page's mtime: the queue names posts the way readers see them, without a Pelican run."""

    def __init__(self, site_index):
        self.site_index = site_index
        self._cache: dict[str, tuple[int, str]] = {}

    def title(self, slug: str) -> tuple[str, str | None]:
        url = self.site_index.url_of(slug)
        if url is None:
            return slug, None
        page = self.site_index.site_dir / url.strip("/") / "index.html"
        try:
            mtime = page.stat().st_mtime_ns
        except OSError:
            return slug, url
        cached = self._cache.get(slug)
        if cached is None or cached[0] != mtime:
            cached = (mtime, page_title(page) or slug)
            self._cache[slug] = cached
        return cached[1], url


def _lang(request: Request) -> str:
    accept = request.headers.get("accept-language", "").lower()
    first = accept.split(",")[0].strip()[:2]
    return first if first in TEXTS else "fr"


def routes(ctx) -> list[BaseRoute]:
    runtime: CommentsRuntime = get_runtime(ctx)
    sessions = Sessions(runtime.backend.auth)
    throttle = LoginThrottle(runtime.backend.auth)
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
            csrf=session.csrf, notice=notice, owner=owner_name(), title="queue",
            when=when, post_of=titles.title, body_html=body_html,
        )

    def owner_name() -> str:
        return ctx.config.comments.owner_name.strip() or "Admin"

    def when(ts: float) -> str:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")

    def body_html(text: str) -> Markup:
        return Markup(render_body_html(text))  # nh3 allow-list: safe to insert

    async def confirm_page(request: Request) -> Response:
        """What a Delete (or a Reject of a comment with approved replies) asks first: a page
        with the choice as plain forms, so it works without JavaScript under the CSP."""
        session = session_of(request)
        if session is None:
            return RedirectResponse("/admin/login", 303)
        comment = runtime.store.get(request.query_params.get("id", "")[:64])
        name = request.query_params.get("action", "")
        if comment is None or name not in ("delete", "reject"):
            return page(request, "message.html", 404, title="confirm",
                        message=TEXTS[_lang(request)]["not_found"])
        status = request.query_params.get("status", "pending")
        return page(request, "confirm.html", title="confirm", c=comment, action=name,
                    replies=runtime.moderator.approved_replies(comment.id), csrf=session.csrf,
                    status=status if status in STATUSES else "pending", when=when,
                    post_of=titles.title, body_html=body_html)

    async def edit_get(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse("/admin/login", 303)
        comment = runtime.store.get(request.query_params.get("id", "")[:64])
        if comment is None:
            return page(request, "message.html", 404, title="edit",
                        message=TEXTS[_lang(request)]["not_found"])
        status = request.query_params.get("status", "pending")
        return page(request, "edit.html", title="edit", c=comment, csrf=session.csrf,
                    status=status if status in STATUSES else "pending", error="",
                    post_of=titles.title)

    async def edit_post(request: Request) -> Response:
        form, error = await checked_form(request)
        if error is not None:
            return error
        T = TEXTS[_lang(request)]
        comment_id = form.get("id", "")[:64]
        body = form.get("body", "")
        if len(body) > 10_000 or len(form.get("author", "")) > 200:
            return Response("body: at most 10,000 characters; author: at most 200", 422,
                            media_type="text/plain")
        try:
            result = runtime.moderator.edit(comment_id, author=form.get("author"), body=body,
                                            website=form.get("website"))
        except (CommentFormatError, ValueError) as exc:
            comment = runtime.store.get(comment_id)
            if comment is None:
                return back(form, T["not_found"])
            comment.author, comment.body = form.get("author", ""), body
            comment.website = form.get("website", "")
            session = session_of(request)
            return page(request, "edit.html", 422, title="edit", c=comment, csrf=session.csrf,
                        status=form.get("status", "pending"), error=str(exc).split(": ", 1)[-1],
                        post_of=titles.title)
        runtime.kick()
        return back(form, T["saved"] if result.ok else T["not_found"])

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
        confirmed = form.get("confirm") == "yes"
        if name == "delete" and not confirmed:
            return RedirectResponse(f"/admin/confirm?action=delete&id={quote(ids[0])}"
                                    f"&status={quote(form.get('status', ''))}", 303)
        if name == "reject":
            replies = form.get("replies", "")
            if replies not in ("keep", "reject"):
                if runtime.moderator.approved_replies(ids[0]):
                    return RedirectResponse(f"/admin/confirm?action=reject&id={quote(ids[0])}"
                                            f"&status={quote(form.get('status', ''))}", 303)
                replies = "keep"
            results = runtime.moderator.reject(ids, replies=replies)
        else:
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
        author = (form.get("author", "").strip() or owner_name())[:200]
        result = runtime.moderator.reply(form.get("id", ""), author, body,
                                         approve_parent=form.get("approve_parent") == "yes")
        runtime.kick()
        if not result.ok or not result.message.startswith("reply"):
            return back(form, T["not_found"])
        return back(form, T["replied"] if result.message == "reply published" else T["reply_held"])

    async def logout(request: Request) -> Response:
        form, error = await checked_form(request)
        if error is not None:
            return error
        sessions.delete(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/admin/login", 303)
        response.delete_cookie(SESSION_COOKIE, path="/admin")
        return response

    titles = PostTitles(runtime.site_index)

    async def bare(request: Request) -> Response:
        return RedirectResponse("/admin/", 308)

    async def review(request: Request) -> Response:
        if session_of(request) is None:
            return RedirectResponse("/admin/login", 303)
        from ownmedia.admin import review_page

        return await review_page.respond(request, ctx, HEADERS, runtime.clock)

    return [
        Route("/admin", bare, methods=["GET"]),
        Route("/admin/", queue, methods=["GET"]),
        Route("/admin/login", login_get, methods=["GET"]),
        Route("/admin/login", login_post, methods=["POST"]),
        Route("/admin/logout", logout, methods=["POST"]),
        Route("/admin/action", action, methods=["POST"]),
        Route("/admin/reply", reply, methods=["POST"]),
        Route("/admin/confirm", confirm_page, methods=["GET"]),
        Route("/admin/edit", edit_get, methods=["GET"]),
        Route("/admin/edit", edit_post, methods=["POST"]),
        Route("/admin/review", review, methods=["GET"]),
    ]

"""Security headers for the built site's files: `X-Content-Type-Options: nosniff` on every
file, and on HTML pages a Content-Security-Policy that the site's own scripts satisfy.

The theme puts two inline scripts in every page's <head> (plugins/analytics/head.py: the
`plausible()` queue stub and the opt-out button; with provider "plausible" a third one); they
are allowed by their SHA-256, computed from those very constants, so any other inline script
(one that slipped into a page) is refused. Styles may be inline (the comment form and print
view carry a <style> block): a CSS injection cannot run code. Everything else comes from the
site itself: scripts, the tracker's and comments.js's requests (same origin when the service
serves the site), images, fonts, forms. `[server] content_security_policy` replaces the
policy, e.g. for a site whose pages load Plausible's script from its own host."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import logging
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("ownmedia.service")
INLINE_SCRIPT = re.compile(r"^<script>(.*)</script>$", re.S)


def theme_script_hashes(head_module: Path | None = None) -> list[str]:
    """'sha256-…' sources for the inline scripts plugins/analytics/head.py emits."""
    if head_module is None:
        import ownmedia

        head_module = ownmedia.plugins_path() / "analytics" / "head.py"
    spec = importlib.util.spec_from_file_location("_ownmedia_analytics_head", head_module)
    if spec is None or spec.loader is None or not head_module.is_file():
        log.warning("%s not found: the theme's inline scripts will be refused", head_module)
        return []
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sources = []
    for value in vars(module).values():
        if isinstance(value, str) and (match := INLINE_SCRIPT.match(value)):
            digest = hashlib.sha256(match.group(1).encode("utf-8")).digest()
            sources.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(sources)


def default_policy() -> str:
    scripts = " ".join(["'self'", *theme_script_hashes()])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


class SecurityHeaders:
    """ASGI wrapper for the static site app."""

    def __init__(self, app: ASGIApp, policy: str):
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if self.policy and headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = self.policy
            await send(message)

        await self.app(scope, receive, send_with_headers)

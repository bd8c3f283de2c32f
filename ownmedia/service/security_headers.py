"""Security headers for the built site's files: `X-Content-Type-Options: nosniff` on every
file, and on HTML pages a Content-Security-Policy that the site's own scripts satisfy.

The theme puts two inline scripts in every page's <head> (plugins/analytics/head.py: the
`plausible()` queue stub and the opt-out button; with provider "plausible" a third one); they
are allowed by their SHA-256, computed from those very constants, so any other inline script
(one that slipped into a page) is refused. Styles may be inline (the comment form and print
view carry a <style> block): a CSS injection cannot run code. Everything else comes from the
site itself: scripts, the tracker's and comments.js's requests (same origin when the service
serves the site), images, fonts, forms. `[server] content_security_policy` replaces the
policy, e.g. for a site whose pages load Plausible's script from its own host.

Frames: only the pages that hold a click-to-load video (plugins/video lists them, with the
origins each needs, in the built site's videos.json) may frame youtube-nocookie.com or
player.vimeo.com; every other page keeps `default-src 'self'` for frames."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import logging
import os
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


class VideoFrames:
    """The frame origins of each page with a video, from the site's videos.json, re-read when
    a build rewrites it (one stat per HTML response)."""

    def __init__(self, site_dir: Path):
        self.path = Path(site_dir) / "videos.json"
        self._stamp: tuple[int, int] | None = None
        self._pages: dict[str, list[str]] = {}

    def origins(self, path: str) -> list[str]:
        try:
            st = os.stat(self.path)
        except OSError:
            return []
        if (st.st_mtime_ns, st.st_size) != self._stamp:
            try:
                pages = json.loads(self.path.read_text(encoding="utf-8")).get("pages", {})
                self._pages = {str(k): [o for o in v if isinstance(o, str)
                                        and o.startswith("https://") and " " not in o]
                               for k, v in pages.items() if isinstance(v, list)}
            except (OSError, ValueError, AttributeError) as exc:
                log.warning("%s unreadable (%s): no page may frame a video", self.path, exc)
                self._pages = {}
            self._stamp = (st.st_mtime_ns, st.st_size)
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        return self._pages.get(path, [])


class SecurityHeaders:
    """ASGI wrapper for the static site app."""

    def __init__(self, app: ASGIApp, policy: str, frames: VideoFrames | None = None):
        self.app = app
        self.policy = policy
        self.frames = frames

    def policy_for(self, path: str) -> str:
        origins = self.frames.origins(path) if self.frames else []
        if not origins:
            return self.policy
        return f"{self.policy}; frame-src 'self' {' '.join(origins)}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if self.policy and headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = self.policy_for(scope["path"])
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""301 redirects from a previous site's URLs, served by `ownmedia serve` in front of the site.

The map is the built site's `redirects.json` (the import writes `content/extra/redirects.json`,
which the settings copy to the output root). It is read when the service starts, and again
when the file changes, so a new build needs no restart; without the file every request goes
straight through.

Pelican copies a static file by truncating it and writing it again (the service's own warm
build at start does it too), so an empty or unreadable file is taken for one being written:
the last map read stays until the file changes again."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ownmedia.importers.redirects import JSON_FILE, lookup, read_redirects

RECHECK_SECONDS = 1.0

log = logging.getLogger("ownmedia.service")


class RedirectsApp:
    def __init__(self, app: ASGIApp, site_dir: str | Path):
        self.app = app
        self.path = Path(site_dir) / JSON_FILE
        self.redirects: dict[str, str] = {}
        self.stamp: tuple[int, int] | None = None
        # before the service runs: the first request must not wait for (or race) a build
        self._reload()
        self.checked = time.monotonic()

    def _reload(self) -> None:
        try:
            st = os.stat(self.path)
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp == self.stamp:
            return
        self.stamp = stamp
        if stamp is None:
            self.redirects = {}
            return
        try:
            self.redirects = read_redirects(self.path)
        except (OSError, ValueError, AttributeError) as exc:
            # a broken file must not break the site, nor empty the map while being copied
            log.warning("%s not read (%s); the redirects read before stay", self.path, exc)

    def _current(self) -> dict[str, str]:
        now = time.monotonic()
        if now - self.checked >= RECHECK_SECONDS:
            self.checked = now
            self._reload()
        return self.redirects

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            redirects = self._current()
            if redirects:
                query = scope.get("query_string", b"").decode("latin-1")
                target = lookup(redirects, scope["path"], query)
                if target:
                    await RedirectResponse(target, status_code=301)(scope, receive, send)
                    return
        await self.app(scope, receive, send)

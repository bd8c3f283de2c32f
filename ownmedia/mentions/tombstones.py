"""Deleted posts answer 410 Gone (Webmention 3.1.5: a receiver learns of a deletion by the
source answering 410), with a small tombstone page.

`ownmedia mentions send` adds the URL path of each post that left the built site to
<data>/tombstones.json; the service's route consults it for paths the built site no longer
has (a post published again is served again)."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from ownmedia.fsutil import atomic_write_text

FILE = "tombstones.json"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="robots" content="noindex"><title>Gone</title></head>
<body><main class="h-entry"><h1>Gone</h1>
<p>The post that was at <code>{path}</code> has been deleted.</p></main></body></html>
"""


def read(data_dir: Path) -> set[str]:
    try:
        return set(json.loads((data_dir / FILE).read_text(encoding="utf-8")).get("paths", []))
    except (FileNotFoundError, ValueError, AttributeError):
        return set()


def add(data_dir: Path, paths: list[str]) -> None:
    current = read(data_dir) | set(paths)
    data_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(data_dir / FILE, json.dumps({"paths": sorted(current)}, indent=1))


def discard(data_dir: Path, paths: list[str]) -> None:
    """Posts published again are no longer gone."""
    current = read(data_dir)
    if current & set(paths):
        atomic_write_text(data_dir / FILE, json.dumps({"paths": sorted(current - set(paths))},
                                                      indent=1))


class TombstoneRoute(BaseRoute):
    """A route of the service that matches only a tombstoned path with no file in the built
    site, answering 410; every other request goes on to the routes and the site after it."""

    def __init__(self, site_dir: Path, data_dir: Path):
        self.site_dir, self.file = Path(site_dir), Path(data_dir) / FILE
        self._stamp: tuple[int, int] | None = None
        self._paths: set[str] = set()

    def _current(self) -> set[str]:
        try:
            st = os.stat(self.file)
        except OSError:
            return set()
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:  # re-read only when `mentions send` changed it
            self._paths, self._stamp = read(self.file.parent), stamp
        return self._paths

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return Match.NONE, {}
        path = scope.get("path", "")
        if path.startswith(("/api/", "/admin")):  # never a post: no stat for the APIs
            return Match.NONE, {}
        paths = self._current()
        if paths and (path in paths or path + "/" in paths) and not (
                self.site_dir / path.strip("/") / "index.html").is_file():
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: str):
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = html.escape(scope.get("path", ""))
        await HTMLResponse(PAGE.format(path=path), 410)(scope, receive, send)

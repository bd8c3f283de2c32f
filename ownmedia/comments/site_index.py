"""Which built page belongs to which post: read from the built site itself (the comment form
carries the post slug in a hidden field), so the service and the CLI need no Pelican run to
know that a post exists, where it lives, or which post a mention's target is."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

POST_FIELD_RE = re.compile(rb'<input type="hidden" name="post" value="([^"]{1,200})"')


class SiteIndex:
    """slug -> page URL paths ("/2026/slug/"), rescanned when a lookup misses (rate-limited)."""

    def __init__(self, site_dir: str | Path, rescan_seconds: float = 2.0):
        self.site_dir = Path(site_dir)
        self.rescan_seconds = rescan_seconds
        self._paths: dict[str, list[str]] = {}
        self._by_path: dict[str, str] = {}
        self._scanned = 0.0
        self._lock = threading.Lock()

    def scan(self) -> None:
        paths: dict[str, list[str]] = {}
        by_path: dict[str, str] = {}
        if self.site_dir.is_dir():
            for page in self.site_dir.rglob("index.html"):
                try:
                    with page.open("rb") as fh:
                        head = fh.read(2_000_000)
                except OSError:
                    continue
                match = POST_FIELD_RE.search(head)
                if not match:
                    continue
                slug = match.group(1).decode("utf-8", "replace")
                rel = page.parent.relative_to(self.site_dir).as_posix()
                url = "/" if rel == "." else f"/{rel}/"
                paths.setdefault(slug, []).append(url)
                by_path[url] = slug
        for urls in paths.values():
            urls.sort(key=lambda u: (u.count("/"), u))
        with self._lock:
            self._paths, self._by_path, self._scanned = paths, by_path, time.monotonic()

    def _maybe_rescan(self, force: bool = False) -> None:
        if force or time.monotonic() - self._scanned > self.rescan_seconds or not self._scanned:
            self.scan()

    def url_of(self, slug: str) -> str | None:
        """The post's main page path, e.g. "/2026/my-post/"."""
        urls = self._paths.get(slug)
        if not urls:
            self._maybe_rescan()
            urls = self._paths.get(slug)
        return urls[0] if urls else None

    def exists(self, slug: str) -> bool:
        return self.url_of(slug) is not None

    def slug_for_url(self, url: str) -> str | None:
        """The slug of the post a URL (absolute or a path) points at, if any."""
        path = unquote(urlsplit(url).path or "/")
        if not path.endswith("/"):
            path = path[: -len("index.html")] if path.endswith("/index.html") else path + "/"
        slug = self._by_path.get(path)
        if slug is None:
            self._maybe_rescan()
            slug = self._by_path.get(path)
        return slug

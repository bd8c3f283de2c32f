"""The site's own look for the pages the comment service renders (the no-JavaScript
confirmation and error pages): the header, stylesheets and post title are read from the
post's built page, so the reader stays "on the site", in the post's language, and a theme
change needs no second template. Only our own build output is read, never reader input."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

HEADER_RE = re.compile(r'<header class="site-header".*?</header>', re.S)
STYLESHEET_RE = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
TITLE_RE = re.compile(r'<h1 class="post-title[^"]*">(.*?)</h1>', re.S)
LANG_RE = re.compile(r'<html lang="([A-Za-z-]{2,12})">')
TAG_RE = re.compile(r"<[^>]+>")
MAX_PAGE_BYTES = 2_000_000


@dataclass(frozen=True)
class PageShell:
    header_html: str          # trusted: our own built HTML
    stylesheets: tuple[str, ...]
    post_title: str           # plain text (autoescaped by the template)
    lang: str


def _page_file(site_dir: Path, path: str) -> Path | None:
    path = urlsplit(path).path
    if not path.startswith("/") or ".." in path.split("/"):
        return None
    candidate = (site_dir / path.strip("/") / "index.html").resolve()
    root = site_dir.resolve()
    return candidate if candidate.is_relative_to(root) and candidate.is_file() else None


def read_shell(site_dir: str | Path, post: str, *paths: str | None) -> PageShell | None:
    """The shell of the first of `paths` (site paths such as "/en/2026/slug/") whose page
    is the post `post`'s; None when no built page is found (the plain fallback is used)."""
    site = Path(site_dir)
    marker = f'<input type="hidden" name="post" value="{html.escape(post)}">'
    for path in paths:
        page = _page_file(site, path) if path else None
        if page is None:
            continue
        with page.open("rb") as fh:
            text = fh.read(MAX_PAGE_BYTES).decode("utf-8", "replace")
        header = HEADER_RE.search(text)
        if marker not in text or header is None:
            continue
        title = TITLE_RE.search(text)
        lang = LANG_RE.search(text)
        return PageShell(
            header_html=header.group(0),
            stylesheets=tuple(STYLESHEET_RE.findall(text)),
            post_title=html.unescape(TAG_RE.sub("", title.group(1))).strip() if title else "",
            lang=lang.group(1) if lang else "",
        )
    return None

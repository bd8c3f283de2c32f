"""What the review needs from the built site: each post's title and publication date.

Why the built site and not the event store: events carry URLs and slugs, readers know posts by
their titles. The Atom feeds Pelican writes (feeds/*.atom.xml, all.atom.xml first) give both;
a post missing from the feeds (feeds limited to the last N entries) takes its title from its
own page (first <h1>, else <title>)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

POST_RE = re.compile(r"^/(?:[a-z]{2}(?:-[a-z]{2})?/)?\d{4}/([^/]+)/$")
H1_RE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S | re.I)
TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
TAG_RE = re.compile(r"<[^>]+>")
ATOM = {"a": "http://www.w3.org/2005/Atom"}


@dataclass
class PostInfo:
    title: str | None = None
    published: date | None = None


def post_slug(path: str) -> str | None:
    m = POST_RE.match(path)
    return m.group(1) if m else None


def _text(value: str | None) -> str:
    """Feed titles may be escaped HTML (type="html"): unescape, drop tags, one line."""
    return " ".join(html.unescape(TAG_RE.sub("", html.unescape(value or ""))).split())


def feed_posts(site_dir: Path | None) -> dict[str, PostInfo]:
    """slug -> title and publication date from the built site's Atom feeds."""
    posts: dict[str, PostInfo] = {}
    if site_dir is None:
        return posts
    files = sorted((site_dir / "feeds").glob("*.atom.xml"), key=lambda p: p.name != "all.atom.xml")
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError):
            continue
        for entry in root.findall("a:entry", ATOM):
            link = entry.find("a:link", ATOM)
            slug = post_slug(urlsplit(link.get("href", "")).path) if link is not None else None
            if not slug:
                continue
            info = posts.setdefault(slug, PostInfo())
            if info.title is None:
                info.title = _text(entry.findtext("a:title", None, ATOM)) or None
            when = entry.findtext("a:published", None, ATOM) or entry.findtext(
                "a:updated", None, ATOM)
            if info.published is None and when:
                try:
                    info.published = datetime.fromisoformat(when.strip()).date()
                except ValueError:
                    pass
    return posts


def page_title(page: Path) -> str | None:
    """The title a built page shows its reader: first <h1>, else <title>."""
    try:
        with page.open("rb") as fh:
            head = fh.read(200_000).decode("utf-8", "replace")
    except OSError:
        return None
    match = H1_RE.search(head) or TITLE_RE.search(head)
    if match is None:
        return None
    return " ".join(html.unescape(TAG_RE.sub("", match.group(1))).split()) or None


def titles_for(site_dir: Path | None, urls_by_slug: dict[str, list[str]],
               known: dict[str, PostInfo]) -> dict[str, str]:
    """slug -> title: the feed's, else the post's own page (its first URL that has one)."""
    out = {slug: info.title for slug, info in known.items() if info.title}
    if site_dir is None:
        return out
    for slug, urls in urls_by_slug.items():
        if slug in out:
            continue
        for url in urls:
            title = page_title(site_dir / url.strip("/") / "index.html")
            if title:
                out[slug] = title
                break
    return out

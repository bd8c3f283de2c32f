"""Verify a mention: fetch the source, check it links to the target, read who wrote what
(h-entry / h-card, with mf2py), as the Webmention Recommendation (section 3.2.2) asks."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from ownmedia.config import MentionsConfig
from ownmedia.mentions.fetch import FetchError, fetch

EXCERPT_CHARS = 600


@dataclass
class Verification:
    """`state`: ok (links to target), gone (410 or no longer links: a deletion), missing
    (another 4xx such as 404: not a deletion, the mention is left as it is), error (could not
    tell: network, 5xx, timeout, refused address; `kind` says which)."""

    state: str
    message: str = ""
    author: str = ""
    author_url: str = ""
    title: str = ""
    excerpt: str = ""
    url: str = ""
    published: float | None = None  # the source's dt-published (UTC seconds), when it has one
    photo_url: str = ""             # the author's h-card photo, on the source's site
    kind: str = ""                  # for errors: FetchError kind, or "upstream" for a 5xx


def normalise(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def links_to(html: str, base: str, target: str) -> bool:
    """An element of the page links to the target (a link shown as text inside a <textarea>
    is not a link)."""
    wanted = normalise(target)
    soup = BeautifulSoup(html, "html.parser")
    for inert in soup.find_all(["textarea", "template"]):
        inert.decompose()
    for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("video", "src"),
                      ("audio", "src"), ("source", "src"), ("area", "href")):
        for el in soup.find_all(tag):
            value = el.get(attr)
            if isinstance(value, str) and value.strip():
                try:
                    if normalise(urljoin(base, value.strip())) == wanted:
                        return True
                except ValueError:
                    continue
    return False


_URL_CHAR = r"[A-Za-z0-9/?#&=%_~+@$*\-]"
_LONGER_URL = re.compile(rf"{_URL_CHAR}|[.,;:!'()]+{_URL_CHAR}")


def meta_status_gone(html: str) -> bool:
    """`<meta http-equiv="Status" content="410 Gone">`: how a static host that cannot send a
    410 says a post was deleted (webmention.rocks delete test; IndieWeb meta http-equiv)."""
    if "http-equiv" not in html.lower():
        return False
    soup = BeautifulSoup(html, "html.parser")
    for meta in soup.find_all("meta"):
        equiv, content = meta.get("http-equiv"), meta.get("content")
        if isinstance(equiv, str) and equiv.strip().lower() == "status" and \
                isinstance(content, str) and content.strip().startswith("410"):
            return True
    return False


def text_mentions(text: str, target: str) -> bool:
    """A non-HTML source counts when it holds the exact target URL, not only a longer URL
    that starts with it (`.../post/` is not in `.../post/other`)."""
    start = text.find(target)
    while start != -1:
        if not _LONGER_URL.match(text, start + len(target)):
            return True
        start = text.find(target, start + 1)
    return False


def parse_published(value: str) -> float | None:
    """dt-published as UTC seconds; None when absent, unreadable or in the future."""
    value = value.strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        ts = when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
    return ts if 0 < ts <= time.time() + 86400 else None


def _http_url(value: str) -> str:
    """The value when it is a usable http(s) URL, else "" (a source may write anything)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return ""
    return value if parts.scheme in ("http", "https") and parts.netloc else ""


def _first(props: dict, name: str) -> object:
    values = props.get(name) or []
    return values[0] if values else None


def _text(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("value") or value.get("properties", {}).get("name", [""])[0] or "")
    return str(value or "")


def read_entry(html: str, url: str) -> dict:
    """author, author_url, title, excerpt from the first h-entry (or the page title)."""
    import mf2py

    info = {"author": "", "author_url": "", "title": "", "excerpt": "", "published": "",
            "photo_url": ""}
    try:
        parsed = mf2py.parse(doc=html, url=url, html_parser="html.parser")
    except Exception:  # malformed markup must not break verification
        parsed = {"items": []}
    entry = next((i for i in parsed.get("items", []) if "h-entry" in i.get("type", [])), None)
    if entry is not None:
        props = entry.get("properties", {})
        author = _first(props, "author")
        if isinstance(author, dict):
            aprops = author.get("properties", {})
            info["author"] = _text(_first(aprops, "name")) or _text(author)
            info["author_url"] = _text(_first(aprops, "url"))
            info["photo_url"] = _text(_first(aprops, "photo"))
        elif author:
            info["author"] = _text(author)
        info["title"] = _text(_first(props, "name"))
        info["published"] = _text(_first(props, "published"))
        content = _first(props, "content") or _first(props, "summary")
        info["excerpt"] = _text(content)
    if not info["author"]:
        card = next((i for i in parsed.get("items", []) if "h-card" in i.get("type", [])), None)
        if card is not None:
            info["author"] = _text(_first(card.get("properties", {}), "name"))
            info["photo_url"] = _text(_first(card.get("properties", {}), "photo"))
    if not info["title"]:
        soup = BeautifulSoup(html, "html.parser")
        if soup.title and soup.title.string:
            info["title"] = soup.title.string
    for key in info:
        info[key] = " ".join(str(info[key]).split())
    if info["title"] and info["excerpt"].startswith(info["title"]):
        info["title"] = info["title"] if len(info["excerpt"]) > len(info["title"]) else ""
    if len(info["excerpt"]) > EXCERPT_CHARS:
        info["excerpt"] = info["excerpt"][: EXCERPT_CHARS - 1].rstrip() + "…"
    info["author"] = info["author"][:200]
    info["author_url"] = _http_url(info["author_url"])
    info["photo_url"] = _http_url(info["photo_url"])
    return info


def verify(source: str, target: str, config: MentionsConfig) -> Verification:
    try:
        result = fetch(source, config)
    except FetchError as exc:
        return Verification("error", f"{exc.kind}: {exc}", kind=exc.kind)
    if result.status == 410:
        return Verification("gone", "the source answered 410 Gone", kind="410")
    if 400 <= result.status < 500:
        return Verification("missing", f"the source answered {result.status}")
    if result.status >= 300:
        return Verification("error", f"the source answered {result.status}", kind="upstream")
    text = result.text()
    is_html = "html" in result.content_type or not result.content_type
    if is_html and meta_status_gone(text):
        return Verification("gone", "the source says 410 Gone (meta http-equiv)", kind="410")
    found = links_to(text, result.url, target) if is_html else text_mentions(text, target)
    if not found:
        return Verification("gone", "the source does not link to the target")
    info = read_entry(text, result.url) if is_html else {
        "author": "", "author_url": "", "title": "", "excerpt": "", "published": "",
        "photo_url": ""}
    if not info["author"]:
        info["author"] = urlsplit(result.url).hostname or "?"
    published = parse_published(info.pop("published"))
    return Verification("ok", "", url=result.url, published=published, **info)

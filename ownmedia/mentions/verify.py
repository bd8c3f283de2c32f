"""Verify a mention: fetch the source, check it links to the target, read who wrote what
(h-entry / h-card, with mf2py), as the Webmention Recommendation (section 3.2.2) asks."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from ownmedia.config import MentionsConfig
from ownmedia.mentions.fetch import FetchError, fetch

EXCERPT_CHARS = 600


@dataclass
class Verification:
    """`state`: ok (links to target), gone (410 or no longer links), missing (the source
    does not exist: 4xx), error (could not tell: network, 5xx, refused address)."""

    state: str
    message: str = ""
    author: str = ""
    author_url: str = ""
    title: str = ""
    excerpt: str = ""
    url: str = ""


def normalise(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def links_to(html: str, base: str, target: str) -> bool:
    wanted = normalise(target)
    soup = BeautifulSoup(html, "html.parser")
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

    info = {"author": "", "author_url": "", "title": "", "excerpt": ""}
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
        elif author:
            info["author"] = _text(author)
        info["title"] = _text(_first(props, "name"))
        content = _first(props, "content") or _first(props, "summary")
        info["excerpt"] = _text(content)
    if not info["author"]:
        card = next((i for i in parsed.get("items", []) if "h-card" in i.get("type", [])), None)
        if card is not None:
            info["author"] = _text(_first(card.get("properties", {}), "name"))
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
    url_parts = urlsplit(info["author_url"])
    if url_parts.scheme not in ("http", "https") or not url_parts.netloc:
        info["author_url"] = ""
    return info


def verify(source: str, target: str, config: MentionsConfig) -> Verification:
    try:
        result = fetch(source, config)
    except FetchError as exc:
        return Verification("error", f"{exc.kind}: {exc}")
    if result.status == 410:
        return Verification("gone", "the source answered 410 Gone")
    if 400 <= result.status < 500:
        return Verification("missing", f"the source answered {result.status}")
    if result.status >= 300:
        return Verification("error", f"the source answered {result.status}")
    text = result.text()
    if "html" in result.content_type or not result.content_type:
        found = links_to(text, result.url, target)
    else:
        found = target in text
    if not found:
        return Verification("gone", "the source does not link to the target")
    info = read_entry(text, result.url) if "html" in result.content_type else {
        "author": "", "author_url": "", "title": "", "excerpt": ""}
    if not info["author"]:
        info["author"] = urlsplit(result.url).hostname or "?"
    return Verification("ok", "", url=result.url, **info)

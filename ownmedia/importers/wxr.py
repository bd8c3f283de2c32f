"""Reading a WordPress eXtended RSS (WXR) export, versions 1.0 to 1.2.

The file is parsed by defusedxml, which refuses DTDs, entity declarations and external
references (billion laughs, external entities): an export is data from elsewhere. Namespaces
are matched by what they are, not by their exact URI, because exports in the wild use
`http://wordpress.org/export/1.0/` to `https://wordpress.org/export/1.2/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException


class WXRError(ValueError):
    """The file is not a WordPress export we can read; the message says why."""


@dataclass
class WPComment:
    id: str
    author: str
    email: str
    url: str
    date: datetime | None  # naive when WordPress gave no UTC date
    content: str
    approved: str  # "1", "0", "spam", "trash", "post-trashed"
    type: str  # "comment", "pingback", "trackback" or something else
    parent: str  # "0" when top level


@dataclass
class WPItem:
    id: str
    type: str  # post, page, attachment, nav_menu_item, ...
    title: str
    link: str
    name: str  # post_name, percent-encoded as WordPress stores it
    status: str
    date: datetime | None  # in the blog's own offset; naive when WordPress gave no UTC
    modified: datetime | None
    creator: str
    content: str
    excerpt: str
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    parent: str = "0"
    password: str = ""  # set: WordPress showed the content only to who had it
    attachment_url: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WPComment] = field(default_factory=list)


@dataclass
class WPExport:
    version: str
    title: str
    link: str
    base_site_url: str
    base_blog_url: str
    language: str
    authors: dict[str, str]  # login -> display name
    items: list[WPItem]


def _kind(uri: str) -> str:
    if "wordpress.org/export" in uri:
        return "excerpt" if "excerpt" in uri else "wp"
    if "purl.org/rss/1.0/modules/content" in uri:
        return "content"
    if "purl.org/dc/elements" in uri:
        return "dc"
    if "wellformedweb.org" in uri:
        return "wfw"
    return uri


def _name(element: Element) -> str:
    """'{http://wordpress.org/export/1.2/}post_id' -> 'wp:post_id'."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return f"{_kind(uri)}:{local}"
    return tag


def _children(element: Element) -> dict[str, list[Element]]:
    result: dict[str, list[Element]] = {}
    for child in element:
        result.setdefault(_name(child), []).append(child)
    return result


def _text(kids: dict[str, list[Element]], name: str) -> str:
    found = kids.get(name)
    return (found[0].text or "").strip() if found else ""


def _raw(kids: dict[str, list[Element]], name: str) -> str:
    """Text without stripping (post content keeps its blank lines)."""
    found = kids.get(name)
    return (found[0].text or "") if found else ""


def _wp_date(local: str, gmt: str) -> datetime | None:
    """WordPress gives the blog's local time and UTC: their difference is the blog's offset at
    the time, kept so that dates read as the author wrote them. Drafts have no UTC date: their
    local date comes back naive, for the importer to place in the site's time zone."""

    def parse(value: str) -> datetime | None:
        if not value or value.startswith("0000"):
            return None
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None

    naive_local, naive_gmt = parse(local), parse(gmt)
    if naive_gmt is None:
        return naive_local
    if naive_local is None:
        return naive_gmt.replace(tzinfo=UTC)
    offset = naive_local - naive_gmt
    if abs(offset) > timedelta(hours=14) or offset % timedelta(minutes=15):
        return naive_gmt.replace(tzinfo=UTC)
    return naive_local.replace(tzinfo=timezone(offset))


def _comment(element: Element) -> WPComment:
    kids = _children(element)
    kind = _text(kids, "wp:comment_type") or "comment"
    return WPComment(
        id=_text(kids, "wp:comment_id"),
        author=_text(kids, "wp:comment_author"),
        email=_text(kids, "wp:comment_author_email"),
        url=_text(kids, "wp:comment_author_url"),
        date=_wp_date(_text(kids, "wp:comment_date"), _text(kids, "wp:comment_date_gmt")),
        content=_raw(kids, "wp:comment_content"),
        approved=_text(kids, "wp:comment_approved") or "0",
        type=kind,
        parent=_text(kids, "wp:comment_parent") or "0",
    )


def _item(element: Element) -> WPItem:
    kids = _children(element)
    categories, tags = [], []
    for cat in kids.get("category", []):
        label = (cat.text or "").strip()
        domain = cat.get("domain", "category")
        if not label:
            continue
        if domain == "category" and label not in categories:
            categories.append(label)
        elif domain == "post_tag" and label not in tags:
            tags.append(label)
    meta = {}
    for pm in kids.get("wp:postmeta", []):
        pm_kids = _children(pm)
        meta[_text(pm_kids, "wp:meta_key")] = _text(pm_kids, "wp:meta_value")
    return WPItem(
        id=_text(kids, "wp:post_id"),
        type=_text(kids, "wp:post_type") or "post",
        title=_text(kids, "title"),
        link=_text(kids, "link"),
        name=_text(kids, "wp:post_name"),
        status=_text(kids, "wp:status") or "publish",
        date=_wp_date(_text(kids, "wp:post_date"), _text(kids, "wp:post_date_gmt")),
        modified=_wp_date(_text(kids, "wp:post_modified"), _text(kids, "wp:post_modified_gmt")),
        creator=_text(kids, "dc:creator"),
        content=_raw(kids, "content:encoded"),
        excerpt=_raw(kids, "excerpt:encoded"),
        categories=categories,
        tags=tags,
        parent=_text(kids, "wp:post_parent") or "0",
        password=_text(kids, "wp:post_password"),
        attachment_url=_text(kids, "wp:attachment_url"),
        meta=meta,
        comments=[_comment(c) for c in kids.get("wp:comment", [])],
    )


def parse_wxr(path: str | Path) -> WPExport:
    """Read an export file; WXRError for anything that is not a readable WXR file."""
    try:
        root = SafeET.parse(str(path), forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise WXRError(f"{path}: refused: {exc.__class__.__name__} (DTDs and entities are "
                       "not accepted in an export)") from None
    except SafeET.ParseError as exc:
        raise WXRError(f"{path}: not well-formed XML: {exc}") from None
    except OSError as exc:
        raise WXRError(f"{path}: {exc.strerror or exc}") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise WXRError(f"{path}: not a WordPress export (no <rss><channel>)")
    kids = _children(channel)
    version = _text(kids, "wp:wxr_version")
    if not version and not any(k.startswith("wp:") for k in kids):
        if not any(k.startswith("wp:") for i in kids.get("item", []) for k in _children(i)):
            raise WXRError(f"{path}: an RSS feed, not a WordPress export (no wp: elements)")
    authors = {}
    for author in kids.get("wp:author", []):
        a_kids = _children(author)
        login = _text(a_kids, "wp:author_login")
        if login:
            authors[login] = _text(a_kids, "wp:author_display_name") or login
    return WPExport(
        version=version or "1.0",
        title=_text(kids, "title"),
        link=_text(kids, "link"),
        base_site_url=_text(kids, "wp:base_site_url"),
        base_blog_url=_text(kids, "wp:base_blog_url") or _text(kids, "link"),
        language=_text(kids, "language"),
        authors=authors,
        items=[_item(i) for i in kids.get("item", [])],
    )

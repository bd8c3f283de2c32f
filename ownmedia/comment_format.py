"""The comment file format: one Markdown file per approved comment or mention.

    content/comments/<post slug>/<id>.md

    id: 20261126-093012-4f2a
    post: owning-your-channel               (the slug of the post, or of a page)
    author: Camille Martin
    date: 2026-11-26T09:30:12+00:00
    website: https://camille.example        (optional)
    reply_to: 20261120-101500-aa01          (optional, the id of the parent)
    type: comment                           (comment | pingback | trackback | webmention)
    source: https://other.example/post      (required for pingback/trackback/webmention)
    photo: /images/mentions/3f2a….jpg       (optional: our copy of a mention author's photo)

    The body, in Markdown.

The Pelican plugin reads these files and the engagement service writes them, both through
this module, so the two can never disagree on the format. Files hold published comments only;
pending, spam and rejected ones live in the comments store (data/comments.sqlite3).

WordPress's `http://` placeholder for "no website" reads as no website; a percent-encoded
slug (as WordPress stores non-ASCII ones) is refused with the slug to use instead
(`wordpress_slug`, which `ownmedia import wordpress` also gives the post)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
import nh3

from ownmedia.fsutil import atomic_write_text

COMMENT_TYPES = ("comment", "pingback", "trackback", "webmention")
# What WordPress (and some forms) store for "no website"
EMPTY_WEBSITES = frozenset({"http://", "https://", "http:", "https:"})
FIELDS = ("id", "post", "author", "date", "website", "reply_to", "type", "source", "photo")
LOCAL_PATH_RE = re.compile(r"^(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+$")  # a path on our site only
REQUIRED = ("id", "post", "author", "date", "type")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$")

ALLOWED_TAGS = {
    "p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "hr",
    "h3", "h4", "h5", "h6", "del", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
MARKDOWN_EXTENSIONS = ["fenced_code", "sane_lists"]


class CommentFormatError(ValueError):
    """A comment file that cannot be used; names the file and the field."""

    def __init__(self, path: str | Path, field: str, message: str):
        self.path, self.field = str(path), field
        super().__init__(f"{path}: field '{field}': {message}")


@dataclass
class Comment:
    id: str
    post: str
    author: str
    date: datetime
    body: str  # Markdown source
    type: str = "comment"
    website: str | None = None
    reply_to: str | None = None
    source: str | None = None
    photo: str | None = None

    @property
    def body_html(self) -> str:
        return render_body_html(self.body)


def render_body_html(text: str) -> str:
    """Markdown to HTML, then an allow-list sanitiser; links get rel="nofollow ugc"."""
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    """The allow-list every comment body goes through, whoever rendered its Markdown."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc",
    )


def clean_website(value: str | None) -> str | None:
    """None for an empty website or WordPress's bare `http://` placeholder."""
    value = (value or "").strip()
    return None if not value or value.lower() in EMPTY_WEBSITES else value


def wordpress_slug(value: str, settings: dict | None = None) -> str:
    """A slug WordPress may have percent-encoded (`caf%c3%a9`), decoded then slugified with
    Pelican's rules (the site's SLUG_REGEX_SUBSTITUTIONS when `settings` is given)."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    settings = settings or DEFAULT_CONFIG
    slug = slugify(
        unquote(value),
        regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS",
                                DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]),
        preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )
    return slug.strip("-_.")


def _check_url(value: str, path: str | Path, field: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CommentFormatError(path, field, f"must be an http(s) URL, got {value!r}")
    return value


def validate(comment: Comment, path: str | Path = "<comment>") -> Comment:
    """Raise CommentFormatError for the first bad field."""
    if not ID_RE.match(comment.id or ""):
        raise CommentFormatError(path, "id", "letters, digits, '-' or '_' (at most 64)")
    if not SLUG_RE.match(comment.post or ""):
        hint = ""
        if "%" in (comment.post or ""):
            hint = f" (percent-encoded: use {wordpress_slug(comment.post)!r}, as its post does)"
        raise CommentFormatError(path, "post", f"not a post slug: {comment.post!r}{hint}")
    if not (comment.author or "").strip():
        raise CommentFormatError(path, "author", "must not be empty")
    if len(comment.author) > 200:
        raise CommentFormatError(path, "author", "at most 200 characters")
    if not isinstance(comment.date, datetime) or comment.date.tzinfo is None:
        raise CommentFormatError(path, "date", "must be an ISO 8601 date-time with a time zone")
    if comment.type not in COMMENT_TYPES:
        raise CommentFormatError(path, "type", f"must be one of {', '.join(COMMENT_TYPES)}")
    comment.website = clean_website(comment.website)
    if comment.website:
        _check_url(comment.website, path, "website")
    if comment.reply_to is not None and not ID_RE.match(comment.reply_to):
        raise CommentFormatError(path, "reply_to", "must be the id of another comment")
    if comment.photo and not LOCAL_PATH_RE.match(comment.photo):
        raise CommentFormatError(path, "photo", "must be a path on this site (never hot-linked)")
    if comment.type != "comment":
        if not comment.source:
            raise CommentFormatError(path, "source", f"required for a {comment.type}")
        _check_url(comment.source, path, "source")
    elif comment.source:
        _check_url(comment.source, path, "source")
    return comment


def parse_comment(text: str, path: str | Path = "<comment>") -> Comment:
    """Parse a comment file's text ('key: value' lines, a blank line, the Markdown body)."""
    head, sep, body = text.replace("\r\n", "\n").partition("\n\n")
    if not sep:
        head, body = text, ""
    meta: dict[str, str] = {}
    for number, line in enumerate(head.splitlines(), start=1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon:
            raise CommentFormatError(path, f"line {number}", "expected 'key: value'")
        if key not in FIELDS:
            raise CommentFormatError(path, key, f"unknown field (known: {', '.join(FIELDS)})")
        if key in meta:
            raise CommentFormatError(path, key, "given twice")
        meta[key] = value.strip()
    for key in REQUIRED:
        if not meta.get(key):
            raise CommentFormatError(path, key, "missing")
    try:
        date = datetime.fromisoformat(meta["date"])
    except ValueError:
        raise CommentFormatError(
            path, "date", f"not an ISO 8601 date-time: {meta['date']!r}"
        ) from None
    comment = Comment(
        id=meta["id"],
        post=meta["post"],
        author=meta["author"],
        date=date,
        body=body.strip("\n"),
        type=meta["type"],
        website=meta.get("website") or None,
        reply_to=meta.get("reply_to") or None,
        source=meta.get("source") or None,
        photo=meta.get("photo") or None,
    )
    return validate(comment, path)


def read_comment_file(path: str | Path) -> Comment:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommentFormatError(path, "file", "not UTF-8 text") from None
    return parse_comment(text, path)


def format_comment(comment: Comment) -> str:
    validate(comment)
    lines = []
    for key in FIELDS:
        value = getattr(comment, key)
        if value is None or value == "":
            continue
        if key == "date":
            value = value.isoformat()
        if "\n" in str(value):
            raise CommentFormatError("<comment>", key, "must be one line")
        lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n\n" + comment.body.strip("\n") + "\n"


def comment_path(comments_dir: str | Path, comment: Comment) -> Path:
    return Path(comments_dir) / comment.post / f"{comment.id}.md"


def write_comment_file(comments_dir: str | Path, comment: Comment) -> Path:
    """Written atomically, so a build never reads half a file."""
    return atomic_write_text(comment_path(comments_dir, comment), format_comment(comment))


def read_comments_dir(comments_dir: str | Path) -> dict[str, list[Comment]]:
    """All comment files by post slug, oldest first. The folder name must match `post`."""
    result: dict[str, list[Comment]] = {}
    root = Path(comments_dir)
    if not root.is_dir():
        return result
    for path in sorted(root.glob("*/*.md")):
        comment = read_comment_file(path)
        if comment.post != path.parent.name:
            raise CommentFormatError(
                path, "post", f"is {comment.post!r} but the file is in {path.parent.name}/"
            )
        result.setdefault(comment.post, []).append(comment)
    for comments in result.values():
        comments.sort(key=lambda c: (c.date, c.id))
    return result

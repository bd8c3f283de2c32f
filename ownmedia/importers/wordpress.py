"""A WordPress export (WXR) into an ownmedia site, conversation included.

What goes where (paths from the site's Pelican settings):

- posts and pages: `<PATH>/<ARTICLE_PATHS[0]>/<slug>.md` and `<PATH>/<PAGE_PATHS[0]>/<slug>.md`
  (or `.html`), with `wordpress_id` in their metadata so that a second run knows them;
- attachments found in the local copy of wp-content/uploads: `<PATH>/images/wordpress/...`,
  links to them rewritten to `{static}/images/wordpress/...`;
- comments, pingbacks and trackbacks: every one in the comments store with its status (so the
  owner moderates, edits or deletes them like any other), and the approved ones as comment
  files too; ids are made from the date and WordPress's id, so a second run finds them;
- redirects: `<PATH>/extra/redirects.{json,nginx.conf,caddy}`.

Nothing is published that WordPress did not publish: drafts, private and scheduled posts become
Pelican drafts; pending comments wait in the moderation queue; e-mail addresses are dropped
unless `keep_emails`; commenters' IP addresses are never read."""

from __future__ import annotations

import html
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ownmedia.comment_format import (
    Comment,
    CommentFormatError,
    clean_website,
    validate,
    wordpress_slug,
    write_comment_file,
)
from ownmedia.fsutil import atomic_write_text
from ownmedia.importers import redirects as redirect_files
from ownmedia.importers.wxr import WPComment, WPExport, WPItem
from ownmedia.storage.ports import comment_row

UPLOADS_TARGET = "images/wordpress"
MARKER = "wordpress_id"
IMPORTED_TYPES = ("post", "page")
COMMENT_KINDS = ("comment", "pingback", "trackback")
# WordPress comment_approved -> our status
WP_STATUSES = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash",
               "post-trashed": "trash"}
DRAFT_STATUSES = {"draft", "pending", "private", "future", "auto-draft"}


@dataclass
class ImportOptions:
    content_dir: Path
    data_dir: Path
    settings: dict
    uploads_dir: Path | None = None
    format: str = "markdown"  # or "html"
    keep_emails: bool = False
    spam: str = "skip"  # or "import"
    overwrite: bool = False  # rewrite files a previous import wrote
    storage_url: str = ""  # [storage] url: "" = the SQLite files of data_dir


@dataclass
class Summary:
    """What the import did, for the table and for --json."""

    items: Counter = field(default_factory=Counter)  # (type, outcome) -> n
    comments: Counter = field(default_factory=Counter)  # (kind, wp status) -> n seen
    comment_outcomes: Counter = field(default_factory=Counter)  # outcome -> n
    attachments: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # (what, why) -> n
    links_rewritten: int = 0
    internal_links: int = 0  # links to the blog's own posts, now to their files
    self_pingbacks: int = 0  # pingbacks from the blog itself, now from the new URLs
    redirects: int = 0
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        def nested(counter: Counter) -> dict:
            out: dict = {}
            for (a, b), n in sorted(counter.items()):
                out.setdefault(a, {})[b] = n
            return out

        return {
            "items": nested(self.items),
            "comments": nested(self.comments),
            "comment_outcomes": dict(sorted(self.comment_outcomes.items())),
            "attachments": dict(sorted(self.attachments.items())),
            "links_rewritten": self.links_rewritten,
            "internal_links": self.internal_links,
            "self_pingbacks": self.self_pingbacks,
            "redirects": self.redirects,
            "skipped": [{"what": w, "why": y, "count": n}
                        for (w, y), n in sorted(self.skipped.items())],
        }


@dataclass
class _Target:
    """A post or page of the export and where it lands."""

    item: WPItem
    slug: str
    kind: str  # "post" | "page"
    draft: bool
    url: str | None = None  # new URL path (None for drafts)


def _setting_dir(settings: dict, key: str, default: str) -> str:
    paths = [p for p in settings.get(key) or [] if p]
    return paths[0] if paths else default


class WordPressImporter:
    def __init__(self, export: WPExport, options: ImportOptions,
                 progress: Callable[[int, int], None] | None = None):
        self.export, self.options = export, options
        self.settings = options.settings
        self.summary = Summary()
        self.progress = progress or (lambda done, total: None)
        content = options.content_dir
        self.posts_dir = content / _setting_dir(self.settings, "ARTICLE_PATHS", "posts")
        self.pages_dir = content / _setting_dir(self.settings, "PAGE_PATHS", "pages")
        self.comments_dir = content / self.settings.get("COMMENTS_PATH", "comments")
        self.uploads_out = content / UPLOADS_TARGET
        self.extra_dir = content / "extra"
        self.by_id = {i.id: i for i in export.items}
        self.upload_paths: dict[str, str] = {}  # attachment id -> path under uploads
        self.upload_prefixes = self._upload_prefixes()
        self.copied: dict[str, str | None] = {}  # path under uploads -> under content, or None
        self.blog_hosts = {
            (urlsplit(u).hostname or "").removeprefix("www.")
            for u in (export.base_blog_url, export.link) if u and urlsplit(u).hostname
        }
        self.old_to_target: dict[str, _Target] = {}  # old path?query -> published post
        self.old_urls: dict[str, str] = {}  # old path?query -> new URL
        self.by_new_url: dict[str, _Target] = {}

    # --- uploads -------------------------------------------------------------------------
    def _upload_prefixes(self) -> list[str]:
        """The URL prefixes under which the old site served wp-content/uploads."""
        prefixes = set()
        for base in (self.export.base_blog_url, self.export.base_site_url, self.export.link):
            if base:
                host_path = base.split("://", 1)[-1].rstrip("/")
                prefixes.add(host_path + "/wp-content/uploads/")
        for item in self.export.items:
            if item.type != "attachment" or not item.attachment_url:
                continue
            relative = item.meta.get("_wp_attached_file") or _uploads_relative(item.attachment_url)
            if not relative:
                continue
            self.upload_paths[item.id] = relative
            url = item.attachment_url.split("://", 1)[-1]
            if url.endswith(relative):
                prefixes.add(url[: -len(relative)])
        return sorted(prefixes, key=len, reverse=True)

    def _copy_upload(self, relative: str) -> str | None:
        """Copy one file from --uploads; its path under content, or None if absent."""
        relative = unquote(relative).lstrip("/")
        if relative in self.copied:
            return self.copied[relative]
        if self.options.uploads_dir is None or ".." in Path(relative).parts:
            return None
        source = self.options.uploads_dir / relative
        if not source.is_file():
            self.summary.attachments["missing"] += 1
            self.copied[relative] = None
            return None
        target = self.uploads_out / relative
        if target.is_file() and target.stat().st_size == source.stat().st_size:
            self.summary.attachments["already there"] += 1
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            self.summary.attachments["copied"] += 1
        result = f"{UPLOADS_TARGET}/{relative}"
        self.copied[relative] = result
        return result

    def _rewrite_uploads(self, text: str) -> str:
        if not self.upload_prefixes:
            return text
        alternatives = "|".join(re.escape(p) for p in self.upload_prefixes)
        blog_path = urlsplit(self.export.base_blog_url or self.export.link).path.rstrip("/")
        root_relative = re.escape(f"{blog_path}/wp-content/uploads/")
        pattern = re.compile(
            r"(?:(?:https?:)?//(?:" + alternatives + r")|(?<![\w/.:-])" + root_relative + r")"
            r"([^\s\"'<>()?#\]]+)(\?[^\s\"'<>()#\]]*)?"
        )

        def replace(match: re.Match) -> str:
            new = self._copy_upload(match.group(1))
            if new is None:
                return match.group(0)
            self.summary.links_rewritten += 1
            return "{static}/" + new

        return pattern.sub(replace, text)

    # --- slugs and URLs --------------------------------------------------------------------
    def _plan(self) -> list[_Target]:
        targets, used = [], set()
        for item in self.export.items:
            if item.type not in IMPORTED_TYPES:
                if item.type != "attachment":
                    self.summary.skipped[(f"{item.type} items", "not a post or page")] += 1
                continue
            if item.status == "trash":
                self.summary.skipped[(f"{item.type}s", "in WordPress's trash")] += 1
                continue
            if item.status == "inherit":  # revisions exported as posts
                self.summary.skipped[(f"{item.type}s", "a revision")] += 1
                continue
            slug = (wordpress_slug(item.name, self.settings) if item.name else "") \
                or wordpress_slug(html.unescape(item.title), self.settings) \
                or f"wordpress-{item.id}"
            base, n = slug, 2
            while slug in used:
                slug, n = f"{base}-{n}", n + 1
            used.add(slug)
            draft = item.status in DRAFT_STATUSES or item.date is None
            if item.password and not draft:
                draft = True  # a static site cannot ask for the password: not published
                self.summary.skipped[(f"password-protected {item.type}s",
                                      "imported as drafts, not published")] += 1
            target = _Target(item, slug, item.type, draft)
            if not draft:
                target.url = self._new_url(target)
            targets.append(target)
        return targets

    def _new_url(self, target: _Target) -> str | None:
        item = target.item
        key = "ARTICLE_URL" if target.kind == "post" else "PAGE_URL"
        pattern = self.settings.get(key) or ("{slug}.html" if key == "ARTICLE_URL"
                                             else "pages/{slug}.html")
        category = item.categories[0] if item.categories else self.settings.get(
            "DEFAULT_CATEGORY", "misc")
        author = self._author(item)
        try:
            url = pattern.format(
                slug=target.slug, lang=self.settings.get("DEFAULT_LANG", "en"), date=item.date,
                category=SimpleNamespace(name=category, slug=wordpress_slug(category)),
                author=SimpleNamespace(name=author, slug=wordpress_slug(author)),
            )
        except (KeyError, AttributeError, IndexError, ValueError):
            self.summary.skipped[("redirects", f"{key} uses a field the importer lacks")] += 1
            return None
        return "/" + url.lstrip("/")

    def _author(self, item: WPItem) -> str:
        return self.export.authors.get(item.creator, item.creator) or self.settings.get(
            "AUTHOR", "") or "Unknown"

    def _old_urls(self, target: _Target) -> list[str]:
        item = target.item
        prefix = urlsplit(self.export.base_blog_url or self.export.link).path.rstrip("/")
        urls = [item.link] if item.link else []
        urls.append(f"{prefix}/?{'p' if target.kind == 'post' else 'page_id'}={item.id}")
        if target.kind == "post" and item.name and item.date:
            urls.append(f"{prefix}/{item.date:%Y/%m}/{item.name}/")
        if target.kind == "page" and item.name:
            urls.append(f"{prefix}/{item.name}/")
        return urls

    # --- posts and pages -----------------------------------------------------------------
    def _metadata(self, target: _Target) -> list[tuple[str, str]]:
        item = target.item
        title = " ".join(html.unescape(item.title).split())
        if not title:
            title = "(no title)"
            self.summary.skipped[(f"{target.kind} titles", "empty: '(no title)' given")] += 1
        meta = [("Title", title)]
        if item.date:
            meta.append(("Date", item.date.isoformat()))
        if item.modified and item.date and item.modified > item.date:
            meta.append(("Modified", item.modified.isoformat()))
        meta.append(("Slug", target.slug))
        if target.kind == "post":
            if item.categories:
                meta.append(("Category", item.categories[0].replace(",", " ")))
            if item.tags:
                meta.append(("Tags", ", ".join(t.replace(",", " ") for t in item.tags)))
        meta.append(("Author", self._author(item)))
        if target.draft:
            meta.append(("Status", "draft"))
        excerpt = " ".join(_strip_tags(item.excerpt).split())
        if excerpt:
            meta.append(("Summary", excerpt))
        image = self._featured_image(item)
        if image:
            meta.extend(image)
        meta.append((MARKER, item.id))
        return meta

    def _featured_image(self, item: WPItem) -> list[tuple[str, str]]:
        thumb = item.meta.get("_thumbnail_id")
        attachment = self.by_id.get(thumb or "")
        relative = self.upload_paths.get(thumb or "")
        if not attachment or not relative:
            return []
        new = self._copy_upload(relative)
        if new is None:
            why = "not in --uploads" if self.options.uploads_dir else "no --uploads given"
            self.summary.skipped[("featured images", why)] += 1
            return []
        alt = attachment.meta.get("_wp_attachment_image_alt") or html.unescape(attachment.title)
        return [("Image", new)] + ([("Image_alt", " ".join(alt.split()))] if alt else [])

    def _body(self, item: WPItem) -> str:
        from pelican.tools.pelican_import import decode_wp_content  # WordPress's wpautop

        body = self._rewrite_internal(
            self._rewrite_uploads(decode_wp_content(_captions(item.content))))
        for name in SHORTCODE_RE.findall(body):
            self.summary.skipped[(f"[{name}] shortcodes", "left as text (no equivalent)")] += 1
        if self.options.format == "markdown":
            body = to_markdown(body)
        return body.strip() + "\n"

    def _render(self, target: _Target) -> tuple[str, str]:
        meta, body = self._metadata(target), self._body(target.item)
        if self.options.format == "html":
            head = "\n".join(
                f'<meta name="{k.lower()}" content="{html.escape(v, quote=True)}" />'
                for k, v in meta if k != "Title"
            )
            title = html.escape(meta[0][1])
            return ".html", (f"<html>\n<head>\n<title>{title}</title>\n{head}\n</head>\n"
                             f"<body>\n{body}</body>\n</html>\n")
        head = "\n".join(f"{k}: {v}" for k, v in meta)
        return ".md", f"{head}\n\n{body}"

    def _write_item(self, target: _Target) -> None:
        folder = self.posts_dir if target.kind == "post" else self.pages_dir
        existing = [p for p in folder.glob(f"{target.slug}.*") if p.suffix in (".md", ".html")]
        mine = [p for p in existing if _imported_id(p) == target.item.id]
        if existing and not mine:
            self.summary.items[(target.kind, "skipped")] += 1
            self.summary.skipped[(f"{target.kind} {target.slug}",
                                  "a file with its slug exists, not from this export")] += 1
            return
        if mine and not self.options.overwrite:
            self.summary.items[(target.kind, "already imported")] += 1
            return
        suffix, text = self._render(target)
        for old in mine:
            if old.suffix != suffix:
                old.unlink()
        path = folder / f"{target.slug}{suffix}"
        atomic_write_text(path, text)
        self.summary.items[(target.kind, "draft" if target.draft else "published")] += 1

    # --- the conversation ---------------------------------------------------------------
    def _comments(self, targets: list[_Target]) -> None:
        from ownmedia.comments.intake import body_hash
        from ownmedia.storage import open_backend

        by_item = {t.item.id: t for t in targets}
        for item in self.export.items:
            if item.id not in by_item and item.comments:
                for c in item.comments:
                    self.summary.comments[(_kind(c), WP_STATUSES.get(c.approved, c.approved))] += 1
                self.summary.skipped[("comments", f"on a {item.type} that is not imported")] += \
                    len(item.comments)
        backend = open_backend(url=self.options.storage_url, data_dir=self.options.data_dir)
        try:
            with backend.comments.transaction() as tx:
                for target in targets:
                    self._item_comments(target, tx, body_hash)
        finally:
            backend.close()

    def _item_comments(self, target: _Target, tx, body_hash) -> None:
        comments = target.item.comments
        ids = {c.id: _comment_id(c, target.item) for c in comments}
        status_of = {c.id: WP_STATUSES.get(c.approved) for c in comments}
        parents = {c.id: c.parent for c in comments}
        lang = self.settings.get("DEFAULT_LANG", "en")
        site = (self.settings.get("SITEURL") or "").rstrip("/")
        for c in comments:
            kind, status = _kind(c), status_of[c.id]
            self.summary.comments[(kind, status or c.approved)] += 1
            if kind not in COMMENT_KINDS:
                self.summary.skipped[(f"{kind} comments", "type unknown to ownmedia")] += 1
                continue
            if status is None:
                self.summary.skipped[("comments", f"status {c.approved!r} unknown")] += 1
                continue
            if status in ("spam", "trash"):
                if self.options.spam != "import":
                    self.summary.skipped[(f"{status} {kind}s", "left out (--spam import keeps"
                                          " them, unpublished)")] += 1
                    continue
                status = "spam" if status == "spam" else "rejected"
            cid = ids[c.id]
            if tx.get(cid) is not None:
                self.summary.comment_outcomes["already imported"] += 1
                continue
            reply_to = self._reply_to(c, parents, status_of, ids, published=status == "approved")
            comment, problem = self._comment(c, target, cid, kind, reply_to)
            if comment is None:
                self.summary.skipped[(f"{kind}s", problem)] += 1
                continue
            target_url = f"{site}{target.url}" if kind != "comment" and target.url else None
            if comment.source and target_url and tx.by_mention(comment.source, target_url):
                self.summary.skipped[(f"{kind}s", "same source and post as another")] += 1
                continue
            now = time.time()
            tx.insert(comment_row(
                id=cid, post=target.slug, type=kind, status=status,
                author=comment.author,
                email=c.email if self.options.keep_emails else "",
                website=comment.website or "", body=comment.body, reply_to=reply_to,
                source=comment.source, target=target_url, lang=lang,
                created=comment.date.timestamp(), updated=now,
                body_hash=body_hash(target.slug, comment.body),
                reason="imported from WordPress",
            ))
            if status == "approved":
                write_comment_file(self.comments_dir, comment)
            self.summary.comment_outcomes[
                "published" if status == "approved" else f"stored as {status}"] += 1

    @staticmethod
    def _reply_to(c: WPComment, parents: dict, status_of: dict, ids: dict,
                  published: bool) -> str | None:
        """The parent's id; for a published reply, the nearest published ancestor (a reply
        to a comment that is not shown is shown at its ancestor's level, as WordPress does)."""
        parent, seen = parents.get(c.id, "0"), {c.id}
        while parent and parent != "0" and parent not in seen and parent in parents:
            if not published or status_of.get(parent) == "approved":
                return ids[parent]
            seen.add(parent)
            parent = parents.get(parent, "0")
        return None

    def _comment(self, c: WPComment, target: _Target, cid: str, kind: str,
                 reply_to: str | None) -> tuple[Comment | None, str]:
        from pelican.tools.pelican_import import decode_wp_content

        url = _website(c.url)
        body = to_markdown(decode_wp_content(c.content)).strip()
        author = " ".join(html.unescape(c.author).split())[:200] or (
            "Anonymous" if kind == "comment" else (urlsplit(url or "").hostname or "Anonymous"))
        date = c.date or target.item.date or datetime.now(UTC)
        comment = Comment(
            id=cid, post=target.slug, author=author, date=date, body=body or "…", type=kind,
            website=url if kind == "comment" else None, reply_to=reply_to,
            source=url if kind != "comment" else None,
        )
        if kind != "comment" and not url:
            return None, "no source URL (WordPress keeps it as the author's URL)"
        site = (self.settings.get("SITEURL") or "").rstrip("/")
        if kind != "comment" and site.startswith(("http://", "https://")):
            own = self._target_of(url)
            if own is not None:  # a pingback from the blog itself: from the post's new URL
                comment.source = site + own.url
                self.summary.self_pingbacks += 1
        try:
            return validate(comment), ""
        except CommentFormatError as exc:
            return None, f"invalid {exc.field}"

    # --- the whole run --------------------------------------------------------------------
    def _aware(self, moment: datetime | None) -> datetime | None:
        """A naive WordPress date (a draft's) is in the site's time zone."""
        if moment is None or moment.tzinfo is not None:
            return moment
        try:
            zone = ZoneInfo(self.settings.get("TIMEZONE") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
        return moment.replace(tzinfo=zone)

    def run(self) -> Summary:
        for item in self.export.items:
            item.date, item.modified = self._aware(item.date), self._aware(item.modified)
            for c in item.comments:
                c.date = self._aware(c.date)
        targets = self._plan()
        self.old_to_target = self._old_to_target(targets)
        self.old_urls = {k: t.url for k, t in self.old_to_target.items() if t.url}
        self.by_new_url = {t.url: t for t in targets if t.url}
        attachments = sum(1 for i in self.export.items if i.type == "attachment")
        if attachments:
            self.summary.attachments["attachments in the export"] = attachments
        total = len(targets) + 1
        for done, target in enumerate(targets, start=1):
            self._write_item(target)
            self.progress(done, total)
        for item in self.export.items:  # the media library, linked or not
            if item.type == "attachment" and item.id in self.upload_paths:
                self._copy_upload(self.upload_paths[item.id])
        self._comments(targets)
        self._write_redirects(targets)
        self.progress(total, total)
        return self.summary

    def _old_to_target(self, targets: list[_Target]) -> dict[str, _Target]:
        """Every old URL (path and query) of a published post or page, to that post."""
        found: dict[str, _Target] = {}
        for target in targets:
            if target.url:
                for old in self._old_urls(target):
                    source = redirect_files.normalise_source(old)
                    if source:
                        found[source] = target
        return found

    def _target_of(self, url: str) -> _Target | None:
        """The post or page an absolute URL of the old blog was, if any."""
        parts = urlsplit(url)
        if (parts.hostname or "").removeprefix("www.") not in self.blog_hosts:
            return None
        source = redirect_files.normalise_source(url)
        if not source:
            return None
        path, _, query = source.partition("?")
        new = redirect_files.lookup(self.old_urls, path, query)
        return self.by_new_url.get(new) if new else None

    def _rewrite_internal(self, text: str) -> str:
        """Links to the blog's own posts and pages, to the new files ({filename}), so they
        follow the site's URL settings wherever it is published."""
        if not self.blog_hosts or not self.old_urls:
            return text
        hosts = "|".join(re.escape(h) for h in sorted(self.blog_hosts, key=len, reverse=True))
        pattern = re.compile(r"(?<=[\"'(])((?:https?:)?//(?:www\.)?(?:" + hosts + r")"
                             r"(?:/[^\s\"'<>()#]*)?)(#[^\s\"'<>()]*)?")

        def replace(match: re.Match) -> str:
            url = match.group(1)
            target = self._target_of(url if url.startswith("http") else "http:" + url)
            if target is None:
                return match.group(0)
            self.summary.internal_links += 1
            return "{filename}/" + self._relative_file(target) + (match.group(2) or "")

        return pattern.sub(replace, text)

    def _relative_file(self, target: _Target) -> str:
        folder = self.posts_dir if target.kind == "post" else self.pages_dir
        suffix = ".html" if self.options.format == "html" else ".md"
        return (folder / f"{target.slug}{suffix}").relative_to(self.options.content_dir) \
            .as_posix()

    def _write_redirects(self, targets: list[_Target]) -> None:
        rules: dict[str, str] = {}
        for source, target in self.old_to_target.items():
            if source.rstrip("/") != target.url.rstrip("/"):
                rules[source] = target.url
        prefix = urlsplit(self.export.base_blog_url or self.export.link).path.rstrip("/")
        for relative, new in self.copied.items():
            if new:
                rules[f"{prefix}/wp-content/uploads/{relative}"] = "/" + new
        for item in self.export.items:  # attachment pages go to the file itself
            new = self.copied.get(unquote(self.upload_paths.get(item.id, "")).lstrip("/"))
            if item.type == "attachment" and new:
                for old in (item.link, f"{prefix}/?attachment_id={item.id}"):
                    source = redirect_files.normalise_source(old) if old else None
                    if source:
                        rules[source] = "/" + new
        self.summary.redirects = len(rules)
        if rules:
            self.summary.files = [str(p) for p in
                                  redirect_files.write_redirects(self.extra_dir, rules)]


CAPTION_RE = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.S)
MEDIA_RE = re.compile(r"\s*(?:<a\b[^>]*>\s*<img\b[^>]*>\s*</a>|<img\b[^>]*>)", re.I)
SHORTCODE_RE = re.compile(
    r"\[(gallery|embed|video|audio|playlist|wpvideo|youtube|vimeo|soundcloud)\b[^\]]*\]")


def _captions(text: str) -> str:
    """WordPress's [caption] shortcode as the <figure> it stands for."""

    def figure(match: re.Match) -> str:
        inner = match.group(2)
        attr = re.search(r'caption="([^"]*)"', match.group(1))
        lead = MEDIA_RE.match(inner)
        cut = lead.end() if lead else 0
        media, caption = inner[:cut], inner[cut:].strip()
        caption = caption or (attr.group(1) if attr else "")
        return f"<figure>{media}<figcaption>{caption}</figcaption></figure>"

    return CAPTION_RE.sub(figure, text)


def to_markdown(html_text: str) -> str:
    from markdownify import markdownify

    text = markdownify(html_text, heading_style="ATX", bullets="-")
    text = re.sub(r"[ \t]+\n(?=[ \t]*\n)", "\n", text)  # no hard break before a blank line
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _strip_tags(text: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|h[1-6])>", " ", text or "")
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _kind(c: WPComment) -> str:
    return "comment" if c.type in ("", "comment") else c.type


def _comment_id(c: WPComment, item: WPItem) -> str:
    """Sortable like the service's ids, and the same on every run."""
    date = (c.date or item.date or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
    safe = re.sub(r"[^A-Za-z0-9]", "", c.id)[:40] or "0"
    return f"{date:%Y%m%d-%H%M%S}-wp{safe}"


def _website(url: str) -> str | None:
    """An author's URL as a website, or None (WordPress's `http://` placeholder, no host)."""
    url = clean_website(url)
    if not url:
        return None
    if "://" not in url and re.match(r"^[\w.-]+\.[a-z]{2,}(/|$)", url, re.I):
        url = "http://" + url  # 'www.example.org', as WordPress accepted it
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def _uploads_relative(url: str) -> str | None:
    path = urlsplit(url).path
    marker = "/wp-content/uploads/"
    if marker in path:
        return path.split(marker, 1)[1]
    if urlsplit(url).hostname and urlsplit(url).hostname.endswith(".files.wordpress.com"):
        return path.lstrip("/")
    return None


def _imported_id(path: Path) -> str | None:
    """The wordpress_id a previous import wrote into the file's metadata."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    match = re.search(rf'(?m)^{MARKER}:\s*(\S+)\s*$|<meta name="{MARKER}" content="([^"]+)"',
                      head)
    return (match.group(1) or match.group(2)) if match else None

"""Approved comments, pingbacks and webmentions as content files, rendered under each post.

The files are read through ownmedia.comment_format (the one definition of the format, shared with
the engagement service). The threading and counting logic lives in plain functions
(`build_tree`, `attach_comments`) so the service can re-render one post without a full build.

Each article gets:
    article.comments       list of Comment, oldest first
    article.comment_tree   list of CommentNode (node.comment, node.children), oldest first
    article.comment_count  int (comments + mentions)
    article.comments_feed  URL of the post's comments Atom feed ("" when it has no comments)
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import markdown
from pelican import signals

from ownmedia import build_jobs
from ownmedia.comment_format import (
    MARKDOWN_EXTENSIONS,
    Comment,
    CommentFormatError,
    read_comments_dir,
    sanitise_html,
)
from ownmedia.pelican_support import BuildError, install_traceback_filter, plugin_enabled

log = logging.getLogger(__name__)

NAME = "comments"  # as listed in PLUGINS


class CommentsBuildError(BuildError):
    """Stops the build; the message names the comment file and the field to fix."""





_local = threading.local()


# Bodies rendered ahead of the writing phase, by Markdown source (see prefetch_bodies).
_READY: dict[str, str] = {}
_PENDING: list = []  # (texts, future) pairs
_EXECUTORS: list = []
PREFETCHED: dict[str, int] = {}  # how many items the last build gave to workers


def body_html(text: str) -> str:
    """A comment body as sanitised HTML, rendered once per build for the page, the print
    view and the feed (this matters at 1,000 posts). Never waits for the workers: a body
    they have not delivered yet is rendered here (same output)."""
    if text in _READY:
        return _READY[text]
    if _PENDING:
        _harvest()
        if text in _READY:
            return _READY[text]
    return render_body(text)


def _harvest() -> None:
    """Take the bodies of the worker batches that are done."""
    still = []
    for chunk, future in _PENDING:
        if not future.done():
            still.append((chunk, future))
            continue
        try:
            _READY.update(zip(chunk, future.result(), strict=True))
        except Exception:  # noqa: BLE001 - rendered here instead
            log.warning("comment rendering worker failed; rendering here", exc_info=True)
    _PENDING[:] = still
    if not still:
        while _EXECUTORS:  # idle now; do not keep the processes (e.g. in the service)
            _EXECUTORS.pop().shutdown(wait=False)


def _forget_parent_pool() -> None:
    """In a forked process the parent's pool cannot deliver: render there instead."""
    _PENDING.clear()
    _EXECUTORS.clear()


os.register_at_fork(after_in_child=_forget_parent_pool)


@lru_cache(maxsize=4096)
def render_body(text: str) -> str:
    """Same output as ownmedia.comment_format.render_body_html (tested), several times
    faster: one Markdown parser per thread is reused instead of built for every comment."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitise_html(md.reset().convert(text))


def _render_batch(texts: list[str]) -> list[str]:
    return [render_body(t) for t in texts]


def render_workers(settings: dict, count: int) -> int:
    """COMMENTS_RENDER_WORKERS: 0 = in the build process; default, from 200 bodies: one per
    CPU but one (the build process keeps a core to itself)."""
    configured = settings.get("COMMENTS_RENDER_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min((cpus or 1) - 1, 3) if count >= 200 else 0


def prefetch_bodies(texts: list[str], workers: int) -> None:
    """Render comment bodies in worker processes while Pelican writes the rest of the site
    (Markdown + nh3 is ~1.5 ms a body, seconds for a large site)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    todo = [t for t in dict.fromkeys(texts) if t not in _READY]
    if workers <= 0 or not todo or "fork" not in multiprocessing.get_all_start_methods():
        return
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    _EXECUTORS.append(executor)
    PREFETCHED["bodies"] = len(todo)
    size = max(1, len(todo) // (workers * 4))
    for i in range(0, len(todo), size):
        chunk = todo[i : i + size]
        _PENDING.append((chunk, executor.submit(_render_batch, chunk)))


def collect_bodies() -> None:
    """Wait for the prefetched bodies; a failed worker only means rendering here instead."""
    while _PENDING:
        chunk, future = _PENDING.pop(0)
        try:
            _READY.update(zip(chunk, future.result(), strict=True))
        except Exception:  # noqa: BLE001 - fall back to rendering in this process
            log.warning("comment rendering worker failed; rendering here", exc_info=True)
    while _EXECUTORS:
        _EXECUTORS.pop().shutdown(wait=True)


@dataclass
class CommentNode:
    comment: Comment
    children: list[CommentNode] = field(default_factory=list)

    @property
    def body_html(self) -> str:
        return body_html(self.comment.body)

    def __iter__(self):  # so templates may also unpack `for comment, children in tree`
        yield self.comment
        yield self.children


def build_tree(comments: list[Comment]) -> list[CommentNode]:
    """Thread comments by reply_to, oldest first at every level.

    A reply whose parent is unknown (e.g. deleted) is shown at the top level rather than lost."""
    ordered = sorted(comments, key=lambda c: (c.date, c.id))
    nodes = {c.id: CommentNode(c) for c in ordered}
    roots: list[CommentNode] = []
    for c in ordered:
        parent = nodes.get(c.reply_to) if c.reply_to else None
        if parent is None or parent.comment.id == c.id or _is_ancestor(nodes, c.id, c.reply_to):
            roots.append(nodes[c.id])
        else:
            parent.children.append(nodes[c.id])
    return roots


def _is_ancestor(nodes: dict[str, CommentNode], cid: str, parent_id: str | None) -> bool:
    """True when attaching cid under parent_id would close a reply_to cycle."""
    seen = set()
    while parent_id and parent_id not in seen:
        if parent_id == cid:
            return True
        seen.add(parent_id)
        node = nodes.get(parent_id)
        parent_id = node.comment.reply_to if node else None
    return False


def comments_dir(settings: dict) -> Path:
    """Where the comment files live: <PATH>/<COMMENTS_PATH>."""
    return Path(settings["PATH"]) / settings.get("COMMENTS_PATH", "comments")


def load_comments(settings: dict) -> dict[str, list[Comment]]:
    """Read every comment file; a bad one raises CommentsBuildError naming file and field."""
    try:
        return read_comments_dir(comments_dir(settings))
    except CommentFormatError as exc:
        raise CommentsBuildError(f"bad comment file: {exc}") from None


def attach(article: object, comments: list[Comment]) -> None:
    """Set comments, comment_tree and comment_count on one article (or translation)."""
    article.comments = list(comments)
    article.comment_tree = build_tree(comments)
    article.comment_count = len(comments)


def attach_comments(articles: list, by_slug: dict[str, list[Comment]], where: Path,
                    defer_unknown: bool = False) -> dict[str, list[Comment]]:
    """Attach to every article; a comment for a post that does not exist stops the build,
    unless `defer_unknown`: then those are returned, for the pages (see on_pages)."""
    slugs = {a.slug for a in articles}
    unknown: dict[str, list[Comment]] = {}
    for slug, comments in by_slug.items():
        if slug not in slugs:
            if defer_unknown:
                unknown[slug] = comments
                continue
            raise CommentsBuildError(_no_slug_message(where, slug, comments))
        _warn_orphans(where, slug, comments)
    for article in articles:
        attach(article, by_slug.get(article.slug, []))
    return unknown


def _no_slug_message(where: Path, slug: str, comments: list[Comment]) -> str:
    first = where / slug / f"{comments[0].id}.md"
    return f"bad comment file: {first}: field 'post': no post has the slug {slug!r} (nor any page)"


def _warn_orphans(where: Path, slug: str, comments: list[Comment]) -> None:
    ids = {c.id for c in comments}
    for c in comments:
        if c.reply_to and c.reply_to not in ids:
            log.warning(
                "%s: field 'reply_to': no comment %r on this post; shown at top level",
                where / slug / f"{c.id}.md",
                c.reply_to,
            )


# Comments whose slug is no article's, waiting for the pages (see on_pages), by settings id.
_FOR_PAGES: dict = {}


def on_pages(generator) -> None:
    """Comments on pages (WordPress sites have them): attached like an article's; a slug that
    is neither an article's nor a page's stops the build."""
    if not _enabled(generator.settings):
        return
    pending = _FOR_PAGES.pop(id(generator.settings), {})
    pages = [
        *generator.pages, *generator.translations,
        *getattr(generator, "hidden_pages", []), *getattr(generator, "hidden_translations", []),
        *getattr(generator, "draft_pages", []), *getattr(generator, "draft_translations", []),
    ]
    slugs = {p.slug for p in pages}
    where = comments_dir(generator.settings)
    for slug, comments in pending.items():
        if slug not in slugs:
            raise CommentsBuildError(_no_slug_message(where, slug, comments))
        _warn_orphans(where, slug, comments)
    for page in pages:
        attach(page, pending.get(page.slug, []))


def _all_articles(generator) -> list:
    seen: dict[int, object] = {}
    for a in [
        *generator.articles,
        *generator.translations,
        *getattr(generator, "drafts", []),
        *getattr(generator, "drafts_translations", []),
        *getattr(generator, "hidden_articles", []),
        *getattr(generator, "hidden_translations", []),
    ]:
        seen[id(a)] = a
    return list(seen.values())


# Comment files read as the article generator is made (see on_init), by settings object.
_LOADED: dict = {}


def _load_and_prefetch(settings: dict) -> dict[str, list[Comment]]:
    by_slug = load_comments(settings)
    _READY.clear()  # bodies of the previous build (a long-running process) are not kept
    texts = [c.body for comments in by_slug.values() for c in comments]
    prefetch_bodies(texts, render_workers(settings, len(texts)))
    return by_slug


def on_init(generator) -> None:
    """Read the comment files before the posts are read, so that the workers render the
    bodies while Pelican reads the posts (they are all ready when writing starts)."""
    _LOADED.clear()
    if not _enabled(generator.settings):
        return
    _LOADED.update(settings=generator.settings, by_slug=_load_and_prefetch(generator.settings))


def on_articles(generator) -> None:
    if not _enabled(generator.settings):
        return
    articles = _all_articles(generator)
    if _LOADED.get("settings") is generator.settings:
        by_slug = _LOADED["by_slug"]
    else:  # no article_generator_init for this generator
        by_slug = _load_and_prefetch(generator.settings)
    _LOADED.clear()
    _FOR_PAGES[id(generator.settings)] = attach_comments(
        articles, by_slug, comments_dir(generator.settings), defer_unknown=True
    )
    for article in articles:
        article.comments_feed = (
            _feed_url(article, generator.settings) if article.comment_count else ""
        )
    # the feeds may be written beside Pelican's writing (plugins/print_view's writers)
    job = partial(write_feeds, settings=generator.settings, out=Path(generator.output_path))
    build_jobs.offer(generator.settings, FEEDS_JOB, job)


def _feed_path(article) -> str:
    """comments.atom.xml next to the article's index.html (or <name>/comments.atom.xml)."""
    save_as = article.save_as
    if save_as.endswith("index.html"):
        return save_as[: -len("index.html")] + "comments.atom.xml"
    return os.path.splitext(save_as)[0] + "/comments.atom.xml"


def _feed_url(article, settings: dict) -> str:
    return f"{settings.get('SITEURL', '')}/{_feed_path(article)}"


def comments_feed(article, settings: dict):
    """An Atom feed of one post's comments (feedgenerator, as Pelican's own feeds)."""
    from feedgenerator import Atom1Feed

    site = settings.get("SITEURL", "")
    link = f"{site}/{article.url}"
    feed = Atom1Feed(
        title=f"{article.title} — comments",
        link=link,
        description="",
        language=getattr(article, "lang", None),
        feed_url=_feed_url(article, settings),
    )
    for c in article.comments:
        feed.add_item(
            title=f"{c.author} ({c.type})",
            link=f"{link}#comment-{c.id}",
            unique_id=f"{link}#comment-{c.id}",
            description=body_html(c.body),
            author_name=c.author,
            author_link=c.website,
            pubdate=c.date,
        )
    return feed


FEEDS_JOB = "comments_feeds"


def write_feeds(articles: list, settings: dict, out: Path) -> None:
    """The comments feed of each of `articles` that has comments."""
    for article in articles:
        if not getattr(article, "comment_count", 0):
            continue
        target = out / _feed_path(article)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8") as fh:
            comments_feed(article, settings).write(fh, "utf-8")


def on_write(generator, writer) -> None:
    """Write the per-post comments feeds once the articles are written, unless the print-view
    writer processes took the job (ownmedia.build_jobs)."""
    if not _enabled(generator.settings) or build_jobs.was_taken(generator.settings, FEEDS_JOB):
        return
    write_feeds(
        [*generator.articles, *generator.translations],
        generator.settings,
        Path(generator.output_path),
    )


def _enabled(settings: dict) -> bool:
    return plugin_enabled(settings, NAME)


def register() -> None:
    install_traceback_filter()
    signals.article_generator_init.connect(on_init)
    signals.article_generator_finalized.connect(on_articles)
    signals.page_generator_finalized.connect(on_pages)
    signals.article_writer_finalized.connect(on_write)
    signals.get_writer.connect(on_output)
    signals.finalized.connect(on_finalized)


def on_output(pelican) -> None:
    """Writing starts (Pelican asks for its writer): take the bodies already rendered, so
    that processes forked from now on (plugins/print_view's writers) inherit them."""
    if _PENDING:
        _harvest()
        PREFETCHED["ready_at_output"] = len(_READY)
    return None


def on_finalized(pelican) -> None:
    """Stop the body workers (they may still be busy if this process did not need them)."""
    _PENDING[:] = [(chunk, future) for chunk, future in _PENDING if not future.cancel()]
    collect_bodies()

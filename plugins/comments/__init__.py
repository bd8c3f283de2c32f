"""Approved comments, pingbacks and webmentions as content files, rendered under each post.

The files are read through ownmedia.comment_format (the one definition of the format, shared with
the engagement service). The threading and counting logic lives in plain functions
(`build_tree`, `attach_comments`, `read_post_comments`, `write_comments_feed`): full builds
and the service's live publisher call the same ones. Bodies are rendered once per text and
kept in the build's content-addressed cache (ownmedia.build_cache); on a cold build the
misses are offered to the build stage (ownmedia.build_stage). No process code here.

Each article gets:
    article.comments       list of Comment, oldest first
    article.comment_tree   list of CommentNode (node.comment, node.children), oldest first
    article.comment_count  int (comments + mentions)
    article.comments_feed  URL of the post's comments Atom feed ("" when it has no comments)
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import markdown
from pelican import signals

from ownmedia import incremental
from ownmedia.build_cache import BuildCache, key
from ownmedia.comment_format import (
    MARKDOWN_EXTENSIONS,
    Comment,
    CommentFormatError,
    read_comments_dir,
    sanitise_html,
)
from ownmedia.pelican_support import (
    BuildError,
    connect_common,
    html_stem,
    install_traceback_filter,
    plugin_enabled,
)

log = logging.getLogger(__name__)

NAME = "comments"  # as listed in PLUGINS


class CommentsBuildError(BuildError):
    """Stops the build; the message names the comment file and the field to fix."""


_local = threading.local()


@cache
def renderer_version() -> str:
    """What a rendered body depends on besides its text: this renderer and its libraries."""
    from importlib.metadata import version

    import ownmedia.comment_format as fmt

    source = Path(fmt.__file__).read_bytes() + Path(__file__).read_bytes()
    return key(source, markdown.__version__, version("nh3"), "html")


def body_html(text: str, cache: BuildCache | None = None) -> str:
    """A comment body as sanitised HTML, from the build's content-addressed cache when this
    text was rendered by an earlier build (the page, print view and feed share it)."""
    if cache is None:
        return render_body(text)
    return cache.get_or_make("comment-html", key(renderer_version(), text),
                             lambda: render_body(text))


@lru_cache(maxsize=4096)
def render_body(text: str) -> str:
    """Same output as ownmedia.comment_format.render_body_html (tested), several times
    faster: one Markdown parser per thread is reused instead of built for every comment."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitise_html(md.reset().convert(text))


@dataclass
class CommentNode:
    comment: Comment
    children: list[CommentNode] = field(default_factory=list)
    cache: BuildCache | None = field(default=None, repr=False, compare=False)

    @property
    def body_html(self) -> str:
        """Looked up once per node: the page, the print view and the feed show the same."""
        html = self.__dict__.get("_body_html")
        if html is None:
            html = self.__dict__["_body_html"] = body_html(self.comment.body, self.cache)
        return html

    def __getstate__(self) -> dict:  # the build snapshot keeps no rendered body
        state = dict(self.__dict__)
        state.pop("_body_html", None)
        return state

    def __iter__(self):  # so templates may also unpack `for comment, children in tree`
        yield self.comment
        yield self.children


def build_tree(comments: list[Comment], cache: BuildCache | None = None) -> list[CommentNode]:
    """Thread comments by reply_to, oldest first at every level.

    A reply whose parent is unknown (e.g. deleted) is shown at the top level rather than lost."""
    ordered = sorted(comments, key=lambda c: (c.date, c.id))
    nodes = {c.id: CommentNode(c, cache=cache) for c in ordered}
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


def attach(article: object, comments: list[Comment], cache: BuildCache | None = None,
           settings: dict | None = None) -> None:
    """Set comments, comment_tree and comment_count on one article (or translation), and
    comments_feed when `settings` are given."""
    article.comments = list(comments)
    article.comment_tree = build_tree(comments, cache)
    article.comment_count = len(comments)
    if settings is not None:
        article.comments_feed = _feed_url(article, settings) if article.comment_count else ""


def attach_comments(articles: list, by_slug: dict[str, list[Comment]], where: Path,
                    cache: BuildCache | None = None, settings: dict | None = None,
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
        attach(article, by_slug.get(article.slug, []), cache, settings)
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


# Key of the build's shared context holding the comments whose slug is no article's, from
# on_articles to on_pages (the context lives for one build, so no state outlives it).
FOR_PAGES = "ownmedia_comments_for_pages"


def on_pages(generator) -> None:
    """Comments on pages (WordPress sites have them): attached like an article's; a slug that
    is neither an article's nor a page's stops the build."""
    if not _enabled(generator.settings):
        return
    pending = generator.context.pop(FOR_PAGES, {})
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
    cache = _cache_of(generator.settings)
    for page in pages:
        attach(page, pending.get(page.slug, []), cache)


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


def read_post_comments(settings: dict, slug: str) -> list[Comment]:
    """The comment files of one post (what load_comments gives for it), oldest first."""
    from ownmedia.comment_format import read_comment_file

    folder = comments_dir(settings) / slug
    comments = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            try:
                comment = read_comment_file(path)
            except CommentFormatError as exc:
                raise CommentsBuildError(f"bad comment file: {exc}") from None
            if comment.post != slug:
                raise CommentsBuildError(
                    f"bad comment file: {path}: field 'post': is {comment.post!r} but the "
                    f"file is in {slug}/")
            comments.append(comment)
    comments.sort(key=lambda c: (c.date, c.id))
    return comments


def _cache_of(settings: dict) -> BuildCache | None:
    state = incremental.current(settings)
    return state.cache if state else None


def on_articles(generator) -> None:
    if not _enabled(generator.settings):
        return
    settings = generator.settings
    by_slug = load_comments(settings)
    generator.context[FOR_PAGES] = attach_comments(
        _all_articles(generator), by_slug, comments_dir(settings), _cache_of(settings), settings,
        defer_unknown=True)
    state = incremental.current(settings)
    if state is not None and not state.previous and state.stage.may_start:
        # a first or full build: the bodies the cache lacks go to the build stage, in the
        # order the article pages will ask for them (pages' comments last)
        from ownmedia.build_stage import FEEDS, PAGES, offer_miss, rank, write_order

        order = write_order(generator)
        version = renderer_version()
        for n, comments in enumerate([*(getattr(a, "comments", []) for a in order),
                                      *generator.context[FOR_PAGES].values()]):
            for c in comments:
                offer_miss(state, "comment-html", key(version, c.body), render_body, c.body,
                           rank(PAGES, n), now=True)
        _forget_staged(state.stage)
        written = _written(generator)
        feeds = [a for a in order if a in written and a.comment_count]
        for n, article in enumerate(feeds):
            name = feed_path(article)
            _STAGED_FEEDS[(id(state.stage), name)] = (article, settings)
            state.stage.offer("comments-feed", name, _feed_staged, f"{id(state.stage)} {name}",
                              rank(FEEDS, n))


# The comments feeds offered to a build's stage, by (id of the stage, output name): a forked
# worker finds its article here; emptied by on_write once the feeds are written.
_STAGED_FEEDS: dict[tuple[int, str], tuple] = {}


def _forget_staged(stage) -> None:
    for staged in [k for k in _STAGED_FEEDS if k[0] == id(stage)]:
        del _STAGED_FEEDS[staged]


def _written(generator) -> set:
    """The articles whose comments feed on_write writes."""
    return {*generator.articles, *generator.translations}


def _feed_staged(job: str) -> str:
    """In a build-stage worker: the comments feed `job` ("<stage id> <output name>")."""
    stage_id, name = job.split(" ", 1)
    article, settings = _STAGED_FEEDS[(int(stage_id), name)]
    return comments_feed_text(article, settings, _cache_of(settings))


def feed_path(article) -> str:
    """comments.atom.xml next to the article's index.html (or <name>/comments.atom.xml)."""
    save_as = article.save_as
    if save_as == "index.html" or save_as.endswith("/index.html"):
        return save_as[: -len("index.html")] + "comments.atom.xml"
    return html_stem(save_as) + "/comments.atom.xml"


def _feed_url(article, settings: dict) -> str:
    return f"{settings.get('SITEURL', '')}/{feed_path(article)}"


def comments_feed(article, settings: dict, cache: BuildCache | None = None):
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
    shown = _nodes(getattr(article, "comment_tree", None) or [])
    for c in article.comments:
        node = shown.get(id(c))
        feed.add_item(
            title=f"{c.author} ({c.type})",
            link=f"{link}#comment-{c.id}",
            unique_id=f"{link}#comment-{c.id}",
            description=node.body_html if node is not None else body_html(c.body, cache),
            author_name=c.author,
            author_link=c.website,
            pubdate=c.date,
        )
    return feed


def _nodes(tree: list[CommentNode]) -> dict[int, CommentNode]:
    """The tree's nodes by their comment (the page's nodes, whose bodies are looked up)."""
    found: dict[int, CommentNode] = {}
    stack = list(tree)
    while stack:
        node = stack.pop()
        found[id(node.comment)] = node
        stack.extend(node.children)
    return found


def comments_feed_text(article, settings: dict, cache: BuildCache | None = None) -> str:
    buf = io.StringIO()
    comments_feed(article, settings, cache).write(buf, "utf-8")
    return buf.getvalue()


def write_comments_feed(writer, article, settings: dict) -> None:
    """One post's comments feed through the build's writer (skipped when unchanged); a post
    without comments has none (a feed left by an earlier build is removed at the end)."""
    if not getattr(article, "comment_count", 0):
        return
    state = incremental.current(settings)
    cache = state.cache if state else None
    inputs = [state.object_fp(article)] if state else []
    name = feed_path(article)

    def make() -> str:
        made = state.stage.take("comments-feed", name) if state else None
        return made if made is not None else comments_feed_text(article, settings, cache)

    incremental.write_artefact(writer, name, inputs, make)


def on_write(generator, writer) -> None:
    """Write the per-post comments feeds once the articles are written."""
    if not _enabled(generator.settings):
        return
    state = incremental.current(generator.settings)
    try:
        for article in [*generator.articles, *generator.translations]:
            write_comments_feed(writer, article, generator.settings)
    finally:
        if state is not None:
            _forget_staged(state.stage)


def _enabled(settings: dict) -> bool:
    return plugin_enabled(settings, NAME)


def register() -> None:
    connect_common(signals)
    install_traceback_filter()
    signals.article_generator_finalized.connect(on_articles)
    signals.page_generator_finalized.connect(on_pages)
    signals.article_writer_finalized.connect(on_write)

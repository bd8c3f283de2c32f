"""A print view of every article at `<article url>print/` (noindex).

It carries the title, author, date, canonical URL, full content with link targets as numbered
footnotes, the approved comments, and a QR code (segno, inline SVG) back to the online post with
utm_source=print&utm_medium=print&utm_campaign=<slug>, so a printed copy that brings a reader
back online is measured.

`render_print_view(article, env, context)` is a plain function: the engagement service can call
it to re-render one post after a comment is approved, without a full build."""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from pelican import signals

from .qr import qr_rows, rows_svg

log = logging.getLogger(__name__)

# Pelican writes Markdown output; links are regular enough for a regex, which is ~20x cheaper
# than parsing every post with BeautifulSoup (it matters at 1,000 posts, see bench/).
LINK_RE = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S | re.I)
HREF_RE = re.compile(r"""\bhref\s*=\s*("([^"]*)"|'([^']*)')""", re.I)

NAME = "print_view"  # as listed in PLUGINS


@dataclass
class PrintData:
    canonical: str
    qr_url: str
    qr_svg: str
    content: str
    footnotes: list[str] = field(default_factory=list)


def print_path(save_as: str) -> str:
    """Where the print view of a page saved as `save_as` goes: its folder + print/index.html."""
    if save_as.endswith("index.html"):
        return save_as[: -len("index.html")] + "print/index.html"
    stem = save_as[:-5] if save_as.endswith(".html") else save_as
    return f"{stem}/print/index.html"


def print_url(save_as: str) -> str:
    return print_path(save_as)[: -len("index.html")]


def qr_target(canonical: str, slug: str) -> str:
    """The canonical URL tagged so that a visit from paper is counted as such."""
    query = urlencode({"utm_source": "print", "utm_medium": "print", "utm_campaign": slug})
    sep = "&" if urlsplit(canonical).query else "?"
    return f"{canonical}{sep}{query}"


# QR codes made ahead of the writing phase, by target URL (see prefetch_qr).
_QR_READY: dict[str, str] = {}
_QR_PENDING: list = []  # (targets, future) pairs
_QR_EXECUTOR: list = []
PREFETCHED: dict[str, int] = {}  # how many items the last build gave to workers


@lru_cache(maxsize=256)  # the service re-renders the same post on each approval
def make_qr_svg(data: str) -> str:
    """An inline SVG QR code (no XML declaration, no external reference).

    Made for speed (it is per post): the mask is fixed (segno otherwise tries all eight and
    scores them, 80 % of its time; any mask is valid), the error level is not boosted, and
    the code is laid out from a per-version template (qr.py: segno's modules, 5x faster)."""
    return rows_svg(qr_rows(data))


def matrix_svg(matrix, border: int = 2, scale: int = 3) -> str:
    """Dark modules of a segno matrix as one path of horizontal runs (see qr.rows_svg)."""
    return rows_svg([bytes(row) for row in matrix], border, scale)


def qr_svg(data: str) -> str:
    if data in _QR_READY:
        return _QR_READY[data]
    if _QR_PENDING:
        collect_qr()
        if data in _QR_READY:
            return _QR_READY[data]
    return make_qr_svg(data)


def _qr_batch(targets: list[str]) -> list[str]:
    return [make_qr_svg(t) for t in targets]


def qr_workers(settings: dict, count: int) -> int:
    """PRINT_VIEW_QR_WORKERS: 0 = in the build process; default: the CPUs, from 40 posts."""
    configured = settings.get("PRINT_VIEW_QR_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cpus or 1, 4) if count >= 40 and (cpus or 1) > 1 else 0


def prefetch_qr(targets: list[str], workers: int) -> None:
    """Encode QR codes in worker processes while Pelican renders the rest of the site.

    QR encoding is pure Python (~4 ms a code); done in the writing phase it would add seconds
    to a 1,000-post build, so it overlaps with the article and listing writes instead."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    todo = [t for t in dict.fromkeys(targets) if t not in _QR_READY]
    if workers <= 0 or not todo or "fork" not in multiprocessing.get_all_start_methods():
        return
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    _QR_EXECUTOR.append(executor)
    PREFETCHED["qr"] = len(todo)
    size = max(1, len(todo) // (workers * 4))
    for i in range(0, len(todo), size):
        chunk = todo[i : i + size]
        _QR_PENDING.append((chunk, executor.submit(_qr_batch, chunk)))


def collect_qr() -> None:
    """Wait for the prefetched codes; a failed worker only means encoding here instead."""
    while _QR_PENDING:
        chunk, future = _QR_PENDING.pop(0)
        try:
            _QR_READY.update(zip(chunk, future.result(), strict=True))
        except Exception:  # noqa: BLE001 - fall back to encoding in this process
            log.warning("QR worker failed; encoding in the build process", exc_info=True)
    while _QR_EXECUTOR:
        _QR_EXECUTOR.pop().shutdown(wait=True)


def footnote_links(content: str, base_url: str) -> tuple[str, list[str]]:
    """Number every link target; return the content with [n] markers and the list of targets.

    Targets are made absolute (a printed page has no base URL); a repeated target keeps its
    first number; in-page anchors are left alone."""
    notes: list[str] = []
    index: dict[str, int] = {}

    def replace(match: re.Match) -> str:
        attrs = match.group(1)
        href_match = HREF_RE.search(attrs)
        if not href_match:
            return match.group(0)
        href = html.unescape(href_match.group(2) or href_match.group(3) or "").strip()
        if not href or href.startswith("#") or href.lower().startswith("javascript:"):
            return match.group(0)
        target = urljoin(base_url, href)
        if target not in index:
            notes.append(target)
            index[target] = len(notes)
        n = index[target]
        return f'{match.group(0)}<sup class="fn-ref"><a href="#fn-{n}">[{n}]</a></sup>'

    return LINK_RE.sub(replace, content), notes


def print_data(article, siteurl: str) -> PrintData:
    canonical = f"{siteurl}/{article.url}"
    content, notes = footnote_links(article.content, canonical)
    target = qr_target(canonical, article.slug)
    return PrintData(
        canonical=canonical,
        qr_url=target,
        qr_svg=qr_svg(target),
        content=content,
        footnotes=notes,
    )


def render_print_view(article, env, context: dict) -> str:
    """Render theme/templates/print.html for one article; `env` is a Jinja environment
    (e.g. a Pelican generator's `env`), `context` the site context (SITEURL, SITENAME...)."""
    template = env.get_template("print.html")
    data = print_data(article, context.get("SITEURL", ""))
    return template.render({**context, "article": article, "print": data})


def on_articles(generator) -> None:
    """Give every article its print_url, so article.html can link to it."""
    if not _enabled(generator.settings):
        return
    articles = [*generator.articles, *generator.translations]
    siteurl = generator.settings.get("SITEURL", "")
    for article in articles:
        article.print_url = print_url(article.save_as)
    targets = [qr_target(f"{siteurl}/{a.url}", a.slug) for a in articles]
    prefetch_qr(targets, qr_workers(generator.settings, len(targets)))


# The print views being written by forked writer processes (see on_write).
_WRITING: list = []  # (executor, futures)
_JOB: dict = {}


def write_print_views(articles: list, env, context: dict, out: Path) -> int:
    for article in articles:
        target = out / print_path(article.save_as)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_print_view(article, env, context), encoding="utf-8")
    return len(articles)


def _write_slice(start: int, stop: int) -> int:
    """In a forked writer: the job's articles were inherited, nothing is pickled."""
    job = _JOB
    return write_print_views(job["articles"][start:stop], job["env"], job["context"], job["out"])


def _settle_inherited_state(articles: list) -> None:
    """Finish, in this process, what a forked child must not wait for: prefetched QR codes
    and comment bodies (their worker pools belong to this process)."""
    collect_qr()

    def walk(nodes):
        for node in nodes:
            getattr(node, "body_html", None)
            walk(getattr(node, "children", []))

    for article in articles:
        walk(getattr(article, "comment_tree", []))


def on_write(generator, writer) -> None:
    """Write the print views once the articles are written. On a large site they are written
    by forked processes while Pelican goes on with pages and static files; `finalized` waits
    for them (and fails the build if one failed)."""
    if not _enabled(generator.settings):
        return
    out = Path(generator.output_path)
    context = dict(generator.context)
    articles = [*generator.articles, *generator.translations]
    workers = qr_workers(generator.settings, len(articles))
    import multiprocessing

    if workers <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        write_print_views(articles, generator.env, context, out)
        _QR_READY.clear()  # the next build (e.g. a long-running service) starts afresh
        return
    from concurrent.futures import ProcessPoolExecutor

    _settle_inherited_state(articles)
    _JOB.update(articles=articles, env=generator.env, context=context, out=out)
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    size = -(-len(articles) // workers)
    futures = [
        executor.submit(_write_slice, i, min(i + size, len(articles)))
        for i in range(0, len(articles), size)
    ]
    _WRITING.append((executor, futures))


def on_finalized(pelican) -> None:
    """Wait for the forked print-view writers; a failure stops the build."""
    try:
        while _WRITING:
            executor, futures = _WRITING.pop()
            try:
                for future in futures:
                    future.result()
            finally:
                executor.shutdown(wait=True)
    finally:
        _JOB.clear()
        _QR_READY.clear()


def _enabled(settings: dict) -> bool:
    """Pelican's signals are process-wide: a later build in the same process (tests, the
    service's re-render) without this plugin must not run its receivers."""
    names = {getattr(p, "__name__", p).rsplit(".", 1)[-1] for p in settings.get("PLUGINS") or []}
    return NAME in names


def register() -> None:
    signals.article_generator_finalized.connect(on_articles)
    signals.article_writer_finalized.connect(on_write)
    signals.finalized.connect(on_finalized)

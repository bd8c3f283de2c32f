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

from ownmedia import build_jobs
from ownmedia.pelican_support import plugin_enabled

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


PREFETCHED: dict[str, int] = {}  # how many print views the last build gave to writers


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
    return make_qr_svg(data)


def writer_workers(settings: dict, count: int) -> int:
    """PRINT_VIEW_WORKERS (formerly PRINT_VIEW_QR_WORKERS): 0 = written in the build process.
    Default: from 40 posts, one process per CPU but one (the build process keeps a core to
    itself; on 2 cores a second writer would only slow it down)."""
    configured = settings.get("PRINT_VIEW_WORKERS", settings.get("PRINT_VIEW_QR_WORKERS"))
    if configured is not None:
        return max(0, int(configured))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min((cpus or 1) - 1, 3) if count >= 40 else 0


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
    for article in [*generator.articles, *generator.translations]:
        article.print_url = print_url(article.save_as)


# The print views being written by forked writer processes (see on_output).
_WRITING: list = []  # (executor, futures)
_JOB: dict = {}
_GENERATOR: list = []  # the article generator of the build under way


def write_print_views(articles: list, env, context: dict, out: Path) -> int:
    for article in articles:
        target = out / print_path(article.save_as)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_print_view(article, env, context), encoding="utf-8")
    return len(articles)


def _write_slice(start: int, stop: int) -> int:
    """In a forked writer: the job's articles were inherited, nothing is pickled. Then the
    jobs other plugins offered for these articles (ownmedia.build_jobs: comments feeds)."""
    job = _JOB
    articles = job["articles"][start:stop]
    write_print_views(articles, job["env"], job["context"], job["out"])
    for other in job["jobs"]:
        other(articles)
    return len(articles)


def on_all_generators(generators) -> None:
    """Remember the article generator for on_output (Pelican's signal there only has the
    Pelican object)."""
    _GENERATOR.clear()
    gen = next((g for g in generators if hasattr(g, "articles")), None)
    if gen is not None and _enabled(gen.settings):
        _GENERATOR.append(gen)


def on_output(pelican) -> None:
    """At the start of the writing phase (Pelican asks for its writer; everything the print
    view shows is final: contents, links, comments), fork the print-view writers, so that they
    run beside all of Pelican's writing; `finalized` waits for them (and fails the build if one
    failed). QR codes and comment bodies are made in the writers. Returns no writer."""
    _wait_writers(stale=True)  # a previous build that stopped half-way
    _JOB.clear()
    gen = _GENERATOR.pop() if _GENERATOR else None
    if gen is None or gen.settings is not pelican.settings:
        return None
    articles = [*gen.articles, *gen.translations]
    workers = writer_workers(gen.settings, len(articles))
    import multiprocessing

    if workers <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        return None  # on_write writes them in this process
    from concurrent.futures import ProcessPoolExecutor

    _JOB.update(articles=articles, env=gen.env, context=dict(gen.context),
                out=Path(gen.output_path), settings=gen.settings,
                jobs=build_jobs.take(gen.settings))
    PREFETCHED["print_views"] = len(articles)
    PREFETCHED["jobs"] = len(_JOB["jobs"])
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    size = -(-len(articles) // (workers * 2))
    futures = [
        executor.submit(_write_slice, i, min(i + size, len(articles)))
        for i in range(0, len(articles), size)
    ]
    _WRITING.append((executor, futures))
    return None


def on_write(generator, writer) -> None:
    """Write the print views in this process when no writer process was started."""
    if not _enabled(generator.settings) or _JOB.get("settings") is generator.settings:
        return
    articles = [*generator.articles, *generator.translations]
    write_print_views(articles, generator.env, dict(generator.context),
                      Path(generator.output_path))


def _wait_writers(stale: bool = False) -> None:
    """Wait for the writer processes; their error is raised, or only logged for the writers
    of an earlier build that stopped half-way (`stale`)."""
    while _WRITING:
        executor, futures = _WRITING.pop()
        try:
            for future in futures:
                try:
                    future.result()
                except Exception:
                    if not stale:
                        raise
                    log.warning("print-view writer of an earlier build failed", exc_info=True)
        finally:
            executor.shutdown(wait=True)


def on_finalized(pelican) -> None:
    """Wait for the forked print-view writers; a failure stops the build."""
    try:
        _wait_writers()
    finally:
        _JOB.clear()
        _GENERATOR.clear()
        build_jobs.clear()


def _enabled(settings: dict) -> bool:
    return plugin_enabled(settings, NAME)


def register() -> None:
    signals.article_generator_finalized.connect(on_articles)
    signals.all_generators_finalized.connect(on_all_generators)
    signals.get_writer.connect(on_output)
    signals.article_writer_finalized.connect(on_write)
    signals.finalized.connect(on_finalized)

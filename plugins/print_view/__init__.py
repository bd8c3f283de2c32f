"""A print view of every article at `<article url>print/` (noindex).

It carries the title, author, date, canonical URL, full content with link targets as numbered
footnotes, the approved comments, and a QR code (segno, inline SVG) back to the online post with
utm_source=print&utm_medium=print&utm_campaign=<slug>, so a printed copy that brings a reader
back online is measured.

`write_print_view(writer, article, env, context)` is the one way a print view is made: full
builds call it for every article, the engagement service's live publisher for one post. It
goes through the build's Pelican Writer (ownmedia.incremental: skipped when its inputs did not
change, else taken from the content-addressed cache or rendered). QR codes are segno's, with a
fixed mask (any mask is valid; scoring the eight is most of segno's time), cached by content."""

from __future__ import annotations

import html
import logging
import re
import weakref
from functools import cached_property, lru_cache
from urllib.parse import urlencode, urljoin, urlsplit

import segno
from pelican import signals

from ownmedia.build_cache import BuildCache, key
from ownmedia.pelican_support import (
    connect_common,
    html_stem,
    plugin_enabled,
    warn_relative_siteurl,
)

log = logging.getLogger(__name__)

# Pelican writes Markdown output; links are regular enough for a regex, which is ~20x cheaper
# than parsing every post with BeautifulSoup (it matters at 1,000 posts, see bench/).
LINK_RE = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S | re.I)
HREF_RE = re.compile(r"""\bhref\s*=\s*("([^"]*)"|'([^']*)')""", re.I)

NAME = "print_view"  # as listed in PLUGINS


class PrintData:
    """What print.html shows beside the article; the QR code is made only when rendered."""

    def __init__(self, article, siteurl: str, cache: BuildCache | None = None):
        self._article, self._siteurl, self._cache = article, siteurl, cache

    @cached_property
    def canonical(self) -> str:
        return f"{self._siteurl}/{self._article.url}"

    @cached_property
    def qr_url(self) -> str:
        return qr_target(self.canonical, self._article.slug)

    @cached_property
    def _footnoted(self) -> tuple[str, list[str]]:
        return footnote_links(self._video_codes(self._article.content), self.canonical)

    def _video_codes(self, content: str) -> str:
        """Videos (plugins/video) print as their title and a QR code back to the video on
        the site, tagged like the page's own code so a return from paper is counted."""
        from ownmedia.plugins.video.render import print_figures

        def qr_for(anchor: str) -> tuple[str, str]:
            url = f"{qr_target(self.canonical, self._article.slug)}&utm_content=video#{anchor}"
            return url, make_qr_svg(url)

        return print_figures(content, qr_for)

    @property
    def content(self) -> str:
        return self._footnoted[0]

    @property
    def footnotes(self) -> list[str]:
        return self._footnoted[1]

    @cached_property
    def qr_svg(self) -> str:
        if self._cache is None:
            return make_qr_svg(self.qr_url)
        return self._cache.get_or_make("qr", key(QR_VERSION, self.qr_url),
                                       lambda: make_qr_svg(self.qr_url))


def print_path(save_as: str) -> str:
    """Where the print view of a page saved as `save_as` goes: its folder + print/index.html
    (`slug.html` and `slug/index.html` both get `slug/print/`)."""
    if save_as == "index.html" or save_as.endswith("/index.html"):
        return save_as[: -len("index.html")] + "print/index.html"
    return f"{html_stem(save_as)}/print/index.html"


def print_url(save_as: str) -> str:
    return print_path(save_as)[: -len("index.html")]


def qr_target(canonical: str, slug: str) -> str:
    """The canonical URL tagged so that a visit from paper is counted as such."""
    query = urlencode({"utm_source": "print", "utm_medium": "print", "utm_campaign": slug})
    sep = "&" if urlsplit(canonical).query else "?"
    return f"{canonical}{sep}{query}"


QR_VERSION = f"segno {segno.__version__} m mask0 noboost runs-svg 1"
DARK_RUN = re.compile(rb"\x01+")


@lru_cache(maxsize=256)  # the service re-renders the same post on each approval
def make_qr_svg(data: str) -> str:
    """An inline SVG QR code (no XML declaration, no external reference): segno's code with
    error level M, mask 0 and no error boost, drawn as one path of horizontal runs."""
    code = segno.make(data, error="m", micro=False, mask=0, boost_error=False)
    return matrix_svg(code.matrix)


def matrix_svg(matrix, border: int = 2, scale: int = 3) -> str:
    """Dark modules of a segno matrix as one path of horizontal runs, on a white square with
    a quiet zone (a few hundred bytes smaller than one rect per module)."""
    rows = [bytes(row) for row in matrix]
    size = len(rows) + 2 * border
    moves = [f"M{x + border} " for x in range(len(rows))]  # made once per code, not per run
    runs = [f"h{n}v1h-{n}z" for n in range(len(rows) + 1)]
    parts = []
    for y, row in enumerate(rows, start=border):
        at_y = str(y)
        parts += [moves[m.start()] + at_y + runs[m.end() - m.start()]
                  for m in DARK_RUN.finditer(row)]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr-code" viewBox="0 0 {size} {size}" '
        f'width="{size * scale}" height="{size * scale}" shape-rendering="crispEdges" '
        f'role="img" aria-label="QR code"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )


def qr_svg(data: str) -> str:
    return make_qr_svg(data)


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


def print_data(article, siteurl: str, cache: BuildCache | None = None) -> PrintData:
    """One PrintData per article and build, shared by its print view and its article page's
    print-only QR code (plugins/print_qr): each QR code is made once."""
    data = getattr(article, "_ownmedia_print_data", None)
    if data is None or data._siteurl != siteurl or data._cache is not cache:
        data = PrintData(article, siteurl, cache)
        article._ownmedia_print_data = data
    return data


# A theme's own print.html wins; else the plugin's (ownmedia/templates), so that any theme works.
PRINT_TEMPLATES = ("print.html", "ownmedia/print.html")


# env -> (a weak reference to the build state it was chosen for, the template): with a theme
# that has no print.html, select_template searches every template folder on each call
_CHOSEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def print_template(env, state: object = None):
    """The print view's template, chosen once per environment and build (`state`, the
    build's ownmedia.incremental state: a new build or live publication chooses again)."""
    chosen = _CHOSEN.get(env)
    if state is not None and chosen is not None and chosen[0]() is state:
        return chosen[1]
    template = env.select_template(PRINT_TEMPLATES)
    if state is not None:
        _CHOSEN[env] = (weakref.ref(state), template)
    return template


def render_print_view(article, env, context: dict) -> str:
    """print.html for one article, in memory (`env`: a Jinja environment such as a Pelican
    generator's `env`; `context`: the site context). Builds use write_print_view."""
    template = print_template(env)
    data = print_data(article, context.get("SITEURL", ""))
    return template.render({**context, "article": article, "print": data})


def write_print_view(writer, article, env, context: dict) -> None:
    """Write one article's print view through the build's writer (see the module docstring)."""
    from ownmedia import incremental

    state = incremental.current(writer.settings)
    data = print_data(article, context.get("SITEURL", ""), state.cache if state else None)
    name = print_path(article.save_as)
    template = print_template(env, state)
    if state is not None and (id(state.stage), name) in _STAGED:
        template = _Staged(template, state.stage, name)
    writer.write_file(name, template, context, article=article, print=data)


def on_articles(generator) -> None:
    """Give every article its print_url, so article.html can link to it; on a first or full
    build whose stage may start workers, offer it the QR codes the cache lacks and the print
    views."""
    if not _enabled(generator.settings):
        return
    from ownmedia import incremental
    from ownmedia.build_stage import PAGES, PRINT_VIEWS, rank, write_order

    state = incremental.current(generator.settings)
    siteurl = generator.settings.get("SITEURL", "")
    warn_relative_siteurl(generator.settings)
    for article in [*generator.articles, *generator.translations]:
        article.print_url = print_url(article.save_as)
    if state is None or state.previous or not state.stage.may_start:
        return
    _forget_staged(state.stage)
    order = [a for a in write_order(generator) if hasattr(a, "print_url")]
    for n, article in enumerate(order):
        _offer_qr(state, article, siteurl, rank(PAGES, n))
        # needed last (after every article and listing page): made last
        name = print_path(article.save_as)
        _STAGED[(id(state.stage), name)] = (article, generator.env, generator.context,
                                            generator.settings)
        state.stage.offer("print", name, _render_staged, f"{id(state.stage)} {name}",
                          rank(PRINT_VIEWS, n))


def on_content(instance) -> None:
    """An article just read, on a first or full build: its QR code is offered to the build
    stage at once, made by a worker while Pelican reads the other posts."""
    from pelican.contents import Article

    if not isinstance(instance, Article) or instance.status not in ("published", "hidden"):
        return
    settings = instance.settings
    if not _enabled(settings):
        return
    from ownmedia import incremental
    from ownmedia.build_stage import PAGES, rank

    state = incremental.current(settings)
    if state is None or state.previous or not state.stage.may_start:
        return
    _offer_qr(state, instance, settings.get("SITEURL", ""), rank(PAGES, 0))


def _offer_qr(state, article, siteurl: str, at_rank: int) -> None:
    """The article's QR code (PrintData.qr_svg's cache entry), if the cache lacks it, to the
    stage's early pool."""
    from ownmedia.build_stage import offer_miss

    target = qr_target(f"{siteurl}/{article.url}", article.slug)
    offer_miss(state, "qr", key(QR_VERSION, target), make_qr_svg, target, at_rank, now=True)


# The print views offered to a build's stage, by (id of the stage, output name): a forked
# worker finds its article here (the build's objects as they were when the workers
# started); emptied by on_write once the print views are written.
_STAGED: dict[tuple[int, str], tuple] = {}


def _forget_staged(stage) -> None:
    for staged in [k for k in _STAGED if k[0] == id(stage)]:
        del _STAGED[staged]


def _localcontext(context: dict, name: str, **kwargs) -> dict:
    """What Pelican's Writer.write_file hands a template (no relative URLs, as
    write_print_view asks); tests/test_build_stage.py checks a staged view is the same."""
    local = {**context, "localsiteurl": context.get("localsiteurl"), "output_file": name}
    local.update(kwargs)
    return local


def _render_staged(job: str) -> str:
    """In a build-stage worker: the print view `job` ("<stage id> <output name>")."""
    from ownmedia import incremental

    stage_id, name = job.split(" ", 1)
    article, env, context, settings = _STAGED[(int(stage_id), name)]
    state = incremental.current(settings)
    data = print_data(article, context.get("SITEURL", ""), state.cache if state else None)
    return print_template(env).render(_localcontext(context, name, article=article,
                                                    print=data))


class _Staged:
    """Stands for print.html in Writer.write_file: a worker's rendering of this view when it
    is ready (same text), else the template's."""

    def __init__(self, template, stage, name: str):
        self.template, self.stage, self.output = template, stage, name
        self.name = template.name

    def render(self, localcontext: dict) -> str:
        made = self.stage.take("print", self.output) if self.stage is not None else None
        return made if made is not None else self.template.render(localcontext)


def on_write(generator, writer) -> None:
    """Once the articles are written: every print view, in this process."""
    if not _enabled(generator.settings):
        return
    from ownmedia import incremental

    state = incremental.current(generator.settings)
    try:
        for article in [*generator.articles, *generator.translations]:
            write_print_view(writer, article, generator.env, generator.context)
    finally:
        if state is not None:
            _forget_staged(state.stage)


def _enabled(settings: dict) -> bool:
    return plugin_enabled(settings, NAME)


def register() -> None:
    connect_common(signals)
    signals.content_object_init.connect(on_content)
    signals.article_generator_finalized.connect(on_articles)
    signals.article_writer_finalized.connect(on_write)

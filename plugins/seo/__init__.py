"""Search and social metadata: canonical/OpenGraph/Twitter values per page, sitemap.xml,
robots.txt, and checks of the metadata they rely on (language, image).

`seo_meta(content, siteurl)` is a plain function; the theme's _meta.html renders its result."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pelican import signals

from ownmedia import incremental
from ownmedia.pelican_support import (
    connect_common,
    install_traceback_filter,
    plain_logger,
    plugin_enabled,
)
from ownmedia.post_image import post_image_url

from .checks import ContentCheckError, check_content, check_failed_sources
from .others import LEFT_KEY, LeftToOthers, left_to_others

__all__ = ["ContentCheckError", "SeoMeta", "seo_meta", "sitemap_urls", "render_sitemap"]

log = logging.getLogger(__name__)

TAG_RE = re.compile(r"<[^>]+>")
LOCALES = {"fr": "fr_FR", "en": "en_GB"}

NAME = "seo"  # as listed in PLUGINS


@dataclass
class SeoMeta:
    canonical: str
    title: str
    description: str
    image: str | None
    image_alt: str | None
    og_type: str
    locale: str
    published: str | None


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(TAG_RE.sub(" ", fragment or "")).split())


def shorten(text: str, limit: int = 200) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def seo_meta(content, siteurl: str, is_article: bool = True,
             settings: dict | None = None) -> SeoMeta:
    """Canonical URL, description (metadata `description` or the summary), image, locale."""
    description = getattr(content, "description", None) or plain_text(
        getattr(content, "summary", "") or content.content
    )
    lang = getattr(content, "lang", "") or ""
    date = getattr(content, "date", None)
    return SeoMeta(
        canonical=f"{siteurl}/{content.url}",
        title=plain_text(content.title),
        description=shorten(description),
        image=post_image_url(content, settings or {"SITEURL": siteurl}),
        image_alt=getattr(content, "image_alt", None),
        og_type="article" if is_article else "website",
        locale=LOCALES.get(lang, lang),
        published=date.isoformat() if (is_article and date) else None,
    )


def _contents(generator, names: tuple[str, ...]) -> list:
    seen: dict[int, object] = {}
    for name in names:
        for item in getattr(generator, name, []):
            seen[id(item)] = item
    return list(seen.values())


ARTICLE_LISTS = ("articles", "translations", "drafts", "drafts_translations")
PAGE_LISTS = ("pages", "translations", "hidden_pages", "hidden_translations")


def on_articles(generator) -> None:
    """Check metadata early (before any content is rendered)."""
    if not _enabled(generator.settings):
        return
    for article in _contents(generator, ARTICLE_LISTS):
        check_content(article, generator.settings)


def on_pages(generator) -> None:
    if not _enabled(generator.settings):
        return
    for page in _contents(generator, PAGE_LISTS):
        check_content(page, generator.settings)


def attach_seo(generators) -> None:
    """Set `.seo` on every article and page. Done once all generators have their context, so
    that reading a summary does not render `{static}` links before static files are known."""
    for gen in generators:
        if hasattr(gen, "articles"):
            lists, is_article = ARTICLE_LISTS, True
        elif hasattr(gen, "pages"):
            lists, is_article = PAGE_LISTS, False
        else:
            continue
        siteurl = gen.settings.get("SITEURL", "")
        for item in _contents(gen, lists):
            item.seo = seo_meta(item, siteurl, is_article, gen.settings)


def nav_pages(pages: list, settings: dict) -> dict[str, list[tuple[str, str, str]]]:
    """(slug, title, url) of the pages to link in the navigation, per language: each page in
    that language when it exists, else the original. Computed once per build, not per page
    rendered (Pelican recomputes `url` on every access)."""
    langs = settings.get("SITE_LANGUAGES", ("fr", "en"))
    nav: dict[str, list[tuple[str, str, str]]] = {}
    for lang in langs:
        items = []
        for page in pages:
            chosen = page
            if page.lang != lang:
                chosen = next((t for t in page.translations if t.lang == lang), page)
            items.append((chosen.slug, chosen.title, chosen.url))
        nav[lang] = items
    return nav


def url_of(save_as: str) -> str:
    """The URL a file saved as `save_as` is served at (a folder's index.html by the folder)."""
    is_index = save_as == "index.html" or save_as.endswith("/index.html")
    return save_as[: -len("index.html")] if is_index else save_as


def content_url(item) -> str | None:
    """The URL of an article or page in the sitemap: its own `url` when that serves the file
    it is saved as, else the file's (a `save_as` metadata without `url` leaves Pelican's url
    pointing at no file); None when it is not written (`save_as` empty)."""
    save_as = getattr(item, "save_as", "") or ""
    if not save_as:
        return None
    url = item.url or ""
    served = url.split("#", 1)[0].split("?", 1)[0]
    candidates = {served, served + ".html", served.rstrip("/") + "/index.html"}
    return url if save_as in candidates else url_of(save_as)


def sitemap_urls(context: dict, settings: dict) -> list[tuple[str, str | None]]:
    """(absolute URL, lastmod) for every indexable page, each the URL of a file the build
    writes; print views and 404 are left out."""
    site = settings.get("SITEURL", "")
    index_save_as = settings.get("INDEX_SAVE_AS", "index.html")
    urls: list[tuple[str, str | None]] = []
    if "index" in settings.get("DIRECT_TEMPLATES", ["index"]) and index_save_as:
        first = url_of(index_save_as)  # "" for index.html: the site's root
        pages = paginated_urls(index_save_as, first, context.get("articles", []), settings)
        urls.extend((f"{site}/{u}", None) for u in [first, *pages[1:]])

    def lastmod(c) -> str | None:
        d = getattr(c, "modified", None) or getattr(c, "date", None)
        return d.isoformat() if d else None

    for content in [*context.get("articles", []), *context.get("pages", [])]:
        for item in (content, *getattr(content, "translations", [])):
            url = content_url(item)
            if url is not None:
                urls.append((f"{site}/{url}", lastmod(item)))
    for key in ("categories", "tags", "authors"):
        for item, items in context.get(key, []):
            if not item.save_as:
                continue
            urls.extend(
                (f"{site}/{u}", None)
                for u in paginated_urls(item.save_as, item.url, items, settings)
            )
    # other plugins' list pages (plugins/lang_sites): (save_as, url, articles)
    for save_as, url, items in context.get("EXTRA_SITEMAP_LISTINGS", []):
        urls.extend((f"{site}/{u}", None) for u in paginated_urls(save_as, url, items, settings))
    for name in settings.get("DIRECT_TEMPLATES", []):
        if name == "index":
            continue
        save_as = settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html")
        if save_as:
            urls.append((f"{site}/{url_of(save_as)}", None))
    seen, unique = set(), []
    for url, mod in urls:
        if url not in seen:
            seen.add(url)
            unique.append((url, mod))
    return unique


def paginated_urls(name: str, url: str, items: list, settings: dict) -> list[str]:
    """The URLs of every page of a paginated listing, as Pelican's paginator names them."""
    from pelican.paginator import Paginator

    if not settings.get("DEFAULT_PAGINATION"):
        return [url]
    paginator = Paginator(name, url, items, settings, settings["DEFAULT_PAGINATION"])
    return [paginator.page(n).url for n in paginator.page_range]


def render_sitemap(urls: list[tuple[str, str | None]]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url, mod in urls:
        lastmod = f"<lastmod>{escape(mod)}</lastmod>" if mod else ""
        lines.append(f"  <url><loc>{escape(url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def render_robots(settings: dict) -> str:
    """content/extra/robots.txt with {SITEURL} expanded (the Sitemap line needs an absolute
    URL), or a default allowing everything but print views."""
    source = Path(settings["PATH"]) / "extra" / "robots.txt"
    if source.is_file():
        text = source.read_text(encoding="utf-8")
    else:
        sitemap = _left(settings).sitemap  # pelican-sitemap's when it writes the sitemap
        text = f"User-agent: *\nDisallow: /*/print/\n\nSitemap: {{SITEURL}}/{sitemap}\n"
    return text.replace("{SITEURL}", settings.get("SITEURL", ""))


def on_all_generators(generators) -> None:
    """Write sitemap.xml once every generator has its content (the output folder is ready)."""
    if not _enabled(generators[0].settings if generators else {}):
        return
    if not generators:
        return
    check_failed_sources(generators[0].context, generators[0].settings)
    attach_seo(generators)
    gen = generators[0]
    gen.context["NAV_PAGES"] = nav_pages(gen.context.get("pages", []), gen.settings)
    if incremental.dry_run(gen.settings):  # the live publisher's warm build writes nothing
        return
    if "sitemap.xml" in _left(gen.settings).files:
        return
    out = Path(gen.output_path)
    out.mkdir(parents=True, exist_ok=True)
    urls = sitemap_urls(gen.context, gen.settings)
    (out / "sitemap.xml").write_text(render_sitemap(urls), encoding="utf-8")


def on_finalized(pelican) -> None:
    """Write robots.txt last: the static generator has copied content/extra/robots.txt."""
    if not _enabled(pelican.settings) or "robots.txt" in _left(pelican.settings).files:
        return
    # also in a dry run: Pelican's static generator may just have copied the raw file
    target = Path(pelican.output_path) / "robots.txt"
    text = render_robots(pelican.settings)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def _enabled(settings: dict) -> bool:
    return plugin_enabled(settings, NAME)


def _left(settings: dict) -> LeftToOthers:
    return settings.get(LEFT_KEY) or LeftToOthers()


def on_initialized(pelican) -> None:
    """Step back for what another plugin registered on this site already writes (tags written
    once, one sitemap), and say so in one line; the templates read the decision."""
    if not _enabled(pelican.settings):
        return
    left = left_to_others(pelican.settings.get("PLUGINS") or [], pelican.settings)
    pelican.settings[LEFT_KEY] = left
    if left:
        plain_logger("ownmedia.build").info("ownmedia seo: %s; ours leaves them out",
                                            left.summary())


def register() -> None:
    connect_common(signals)
    install_traceback_filter()
    signals.initialized.connect(on_initialized)
    signals.article_generator_finalized.connect(on_articles)
    signals.page_generator_finalized.connect(on_pages)
    signals.all_generators_finalized.connect(on_all_generators)
    signals.finalized.connect(on_finalized)

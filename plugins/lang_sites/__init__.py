"""Each language its own index, archives, category, tag and author pages.

Pelican lists DEFAULT_LANG articles (plus those with no version in it) on /, /archives/,
/categories.html, ... and writes category and tag pages only for those: an English reader
clicking "Home" or "Archives" lands on French pages, and /en/ is a 404. For every other
language found in the articles, this plugin writes the same direct templates and term pages
under "<lang>/" (/en/, /en/archives/, /en/category/strategy/, /en/author/x/, ...), each post in
that language when it has a version in it, else in the version that exists (as Pelican does
for the default language). Templates receive `page_lang`, used by the theme for `<html lang>`,
its strings, dates and the links of its navigation (see theme/templates/base.html).

Setting LANG_SITES: the languages to write ("auto", the default, = every language of the
articles other than DEFAULT_LANG, when the theme's templates use `page_lang` or `lang_prefix`:
a theme that does not would write the same pages again under "<lang>/" with nothing linking
to them; [] = none; a list = those, whatever the theme)."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

from jinja2 import TemplateError, meta
from pelican import signals

from ownmedia import listing_summaries
from ownmedia.pelican_support import connect_common, plugin_enabled

NAME = "lang_sites"
DIRECT = ("index", "archives", "categories", "tags", "authors")
LANGUAGE_VARIABLES = {"page_lang", "lang_prefix"}


def theme_uses_languages(env) -> bool:
    """Whether a template of the site's theme reads `page_lang` or `lang_prefix` (ownmedia's
    own snippets and Pelican's "!simple"/"!theme" copies left out). Only a template that
    names them is parsed (parsing them all cost more than the lists); one that Jinja
    cannot parse counts as using them: the build reports it anyway."""
    for name in env.list_templates():
        if name.startswith(("ownmedia/", "!")):
            continue
        try:
            source = env.loader.get_source(env, name)[0]
            if not any(variable in source for variable in LANGUAGE_VARIABLES):
                continue
            if LANGUAGE_VARIABLES & meta.find_undeclared_variables(env.parse(source)):
                return True
        except (TemplateError, UnicodeDecodeError):
            return True
    return False


def languages(generator) -> list[str]:
    wanted = generator.settings.get("LANG_SITES", "auto")
    default = generator.settings.get("DEFAULT_LANG", "en")
    if wanted != "auto":
        return [lang for lang in wanted if lang != default]
    if not theme_uses_languages(generator.env):
        return []
    found = {a.lang for a in [*generator.articles, *generator.translations]}
    return sorted(found - {default})


def language_articles(generator, lang: str) -> list:
    """One version of each post: the one in `lang` when there is one, newest first."""
    chosen = []
    for article in generator.articles:
        versions = [article, *getattr(article, "translations", [])]
        chosen.append(next((v for v in versions if v.lang == lang), article))
    return sorted(chosen, key=attrgetter("date"), reverse=True)


def _terms(articles: list, attr: str) -> list[tuple]:
    groups: dict = defaultdict(list)
    for article in articles:
        values = getattr(article, attr, None)
        for value in values if isinstance(values, list) else [values]:
            if value is not None:
                groups[value].append(article)
    return sorted(groups.items(), key=lambda item: str(item[0]).lower())


@dataclass
class Listing:
    """One list page of a language (before pagination)."""

    template: str
    save_as: str
    url: str
    page_name: str
    articles: list
    term: dict = field(default_factory=dict)  # {"category": c}, {"tag": t} or {"author": a}


def listings(generator, lang: str) -> tuple[list[Listing], dict]:
    """lang's list pages and the context they share."""
    settings = generator.settings
    prefix = f"{lang}/"
    articles = language_articles(generator, lang)
    categories = _terms(articles, "category")
    tags = _terms(articles, "tags")
    authors = _terms(articles, "authors")
    pages = []
    for template in DIRECT:
        if template not in settings.get("DIRECT_TEMPLATES", DIRECT):
            continue
        save_as = settings.get(f"{template.upper()}_SAVE_AS", f"{template}.html")
        if not save_as:
            continue
        pretty = save_as[: -len("index.html")] if save_as.endswith("index.html") else save_as
        url = "" if template == "index" else settings.get(f"{template.upper()}_URL", pretty)
        pages.append(Listing(template, prefix + save_as, prefix + url,
                             prefix + os.path.splitext(save_as)[0], articles))
    for kind, terms in (("category", categories), ("tag", tags), ("author", authors)):
        for term, members in terms:
            if term.save_as:
                pages.append(Listing(kind, prefix + term.save_as, prefix + term.url,
                                     prefix + term.page_name, members, {kind: term}))
    shared = dict(page_lang=lang, lang_prefix=prefix, categories=categories, tags=tags,
                  authors=authors, blog=True, all_articles=articles)
    return pages, shared


def write_language(generator, writer, lang: str) -> int:
    """Write lang's list pages; returns how many (before pagination)."""
    settings = generator.settings
    pages, shared = listings(generator, lang)
    newest_first = settings.get("NEWEST_FIRST_ARCHIVES", True)
    relative = settings.get("RELATIVE_URLS", False)
    for listing in pages:
        dates = sorted(listing.articles, key=attrgetter("date"), reverse=newest_first)
        writer.write_file(listing.save_as, generator.get_template(listing.template),
                          generator.context, relative, template_name=listing.template,
                          url=listing.url, page_name=listing.page_name,
                          articles=listing.articles, dates=dates, **listing.term, **shared)
    return len(pages)


def on_articles(generator) -> None:
    """Tell plugins/seo's sitemap about these pages (its EXTRA_SITEMAP_LISTINGS hook)."""
    if not plugin_enabled(generator.settings, NAME):
        return
    extra = generator.context.setdefault("EXTRA_SITEMAP_LISTINGS", [])
    for lang in languages(generator):
        pages, _ = listings(generator, lang)
        paginated = generator.settings.get("PAGINATED_TEMPLATES", {})
        # the articles only for the templates Pelican paginates: one URL for the others
        extra.extend((p.save_as, p.url, p.articles if p.template in paginated else [])
                     for p in pages)


def on_article_writer_finalized(generator, writer) -> None:
    if not plugin_enabled(generator.settings, NAME):
        return
    for lang in languages(generator):
        write_language(generator, writer, lang)


def register() -> None:
    connect_common(signals)
    signals.generator_init.connect(listing_summaries.install)
    signals.article_generator_finalized.connect(on_articles)
    signals.article_writer_finalized.connect(on_article_writer_finalized)

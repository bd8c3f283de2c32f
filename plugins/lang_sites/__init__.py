"""Each language its own index, archives, category and tag pages.

Pelican lists DEFAULT_LANG articles (plus those with no version in it) on /, /archives/,
/categories.html, ... and writes category and tag pages only for those: an English reader
clicking "Home" or "Archives" lands on French pages, and /en/ is a 404. For every other
language found in the articles, this plugin writes the same direct templates and term pages
under "<lang>/" (/en/, /en/archives/, /en/category/strategy/, ...), listing each post in that
language when it has a version in it, else in the version that exists (as Pelican does for
the default language). Templates receive `page_lang`, used by the theme for `<html lang>`,
its strings, dates and the links of its navigation (see theme/templates/base.html).

Setting LANG_SITES: the languages to write ("auto", the default, = every language of the
articles other than DEFAULT_LANG; [] = none)."""

from __future__ import annotations

import os
from collections import defaultdict
from operator import attrgetter

from pelican import signals

from ownmedia.pelican_support import plugin_enabled

NAME = "lang_sites"
DIRECT = ("index", "archives", "categories", "tags")


def languages(generator) -> list[str]:
    wanted = generator.settings.get("LANG_SITES", "auto")
    default = generator.settings.get("DEFAULT_LANG", "en")
    if wanted != "auto":
        return [lang for lang in wanted if lang != default]
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


def write_language(generator, writer, lang: str) -> int:
    """Write lang's pages; returns how many list pages were written (before pagination)."""
    settings = generator.settings
    prefix = f"{lang}/"
    articles = language_articles(generator, lang)
    dates = sorted(articles, key=attrgetter("date"),
                   reverse=settings.get("NEWEST_FIRST_ARCHIVES", True))
    categories = _terms(articles, "category")
    tags = _terms(articles, "tags")
    common = dict(page_lang=lang, lang_prefix=prefix, categories=categories, tags=tags,
                  blog=True, all_articles=articles)
    relative = settings.get("RELATIVE_URLS", False)
    written = 0
    for template in DIRECT:
        if template not in settings.get("DIRECT_TEMPLATES", DIRECT):
            continue
        save_as = settings.get(f"{template.upper()}_SAVE_AS", f"{template}.html")
        if not save_as:
            continue
        url = settings.get(f"{template.upper()}_URL", f"{template}.html")
        if template == "index":
            url = ""
        writer.write_file(prefix + save_as, generator.get_template(template), generator.context,
                          relative, template_name=template, url=prefix + url,
                          page_name=prefix + os.path.splitext(save_as)[0],
                          articles=articles, dates=dates, **common)
        written += 1
    for kind, terms in (("category", categories), ("tag", tags)):
        template = generator.get_template(kind)
        for term, members in terms:
            if not term.save_as:
                continue
            member_dates = [a for a in dates if a in members]
            writer.write_file(prefix + term.save_as, template, generator.context, relative,
                              template_name=kind, url=prefix + term.url,
                              page_name=prefix + term.page_name,
                              articles=members, dates=member_dates, **{kind: term}, **common)
            written += 1
    return written


def on_article_writer_finalized(generator, writer) -> None:
    if not plugin_enabled(generator.settings, NAME):
        return
    for lang in languages(generator):
        write_language(generator, writer, lang)


def register() -> None:
    signals.article_writer_finalized.connect(on_article_writer_finalized)

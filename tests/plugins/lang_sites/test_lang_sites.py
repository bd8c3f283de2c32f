"""plugins/lang_sites: which languages get their lists, and which version of a post they show."""

from __future__ import annotations

from types import SimpleNamespace

from bs4 import BeautifulSoup
from jinja2 import DictLoader, Environment
from ownmedia.plugins.lang_sites import language_articles, languages, theme_uses_languages

from tests.plugins.conftest import copy_content


def post(slug: str, lang: str, day: int, translations=()):
    from datetime import datetime

    return SimpleNamespace(
        slug=slug, lang=lang, date=datetime(2026, 1, day), translations=list(translations)
    )


LANGUAGE_THEME = {"base.html": '<html lang="{{ page_lang or DEFAULT_LANG }}">'}


def generator(articles, translations, templates=LANGUAGE_THEME, **settings):
    return SimpleNamespace(
        articles=articles,
        translations=translations,
        env=Environment(loader=DictLoader(templates)),
        settings={"DEFAULT_LANG": "fr", **settings},
    )


def test_each_post_once_in_the_language_when_it_exists():
    en_a = post("a", "en", 3)
    fr_a = post("a", "fr", 2, [en_a])
    fr_only = post("b", "fr", 5)
    en_only = post("c", "en", 1)
    gen = generator([fr_a, fr_only, en_only], [en_a])
    assert languages(gen) == ["en"]
    assert language_articles(gen, "en") == [fr_only, en_a, en_only]  # newest first
    assert languages(generator([fr_a], [en_a], LANG_SITES=[])) == []
    assert languages(generator([fr_a], [en_a], LANG_SITES=["fr", "de"])) == ["de"]


def test_auto_writes_language_lists_only_for_a_theme_that_uses_them():
    en_a = post("a", "en", 3)
    fr_a = post("a", "fr", 2, [en_a])
    plain = {
        "base.html": "<html>{% block content %}{% endblock %}</html>",
        "index.html": '{% extends "base.html" %}{% for a in articles %}{{ a }}{% endfor %}',
        "ownmedia/share.html": "{{ page_lang }}",
        "!simple/base.html": "{{ lang_prefix }}",
    }
    assert languages(generator([fr_a], [en_a], templates=plain)) == []
    assert languages(generator([fr_a], [en_a], templates=plain, LANG_SITES=["en"])) == ["en"]
    prefixed = {**plain, "nav.html": '<a href="/{{ lang_prefix }}archives/">'}
    assert languages(generator([fr_a], [en_a], templates=prefixed)) == ["en"]
    broken = {**plain, "bad.html": "{% if page_lang %}unclosed"}
    assert theme_uses_languages(Environment(loader=DictLoader(broken)))


def test_a_theme_without_languages_gets_no_lists_nothing_links_to(tmp_path):
    from tests.plugins.sites.helpers import build_fixture, copy_site

    site = copy_site("foreign", tmp_path / "foreign")
    (site / "content" / "posts" / "hello-foreign.fr.md").write_text(
        "Title: Bonjour\nDate: 2026-01-02\nSlug: hello-foreign\nLang: fr\n\nEn français.\n",
        encoding="utf-8",
    )
    out = build_fixture(site, tmp_path / "out")
    assert (out / "hello-foreign-fr.html").is_file()
    assert not (out / "fr").exists()
    out = build_fixture(site, tmp_path / "out2", LANG_SITES=["fr"])
    assert (out / "fr" / "index.html").is_file()


def test_lang_sites_off_writes_no_language_lists(tmp_path):
    from ownmedia.site import build_site

    content = copy_content(tmp_path / "content")
    out = build_site(tmp_path / "out", content=content, LANG_SITES=[])
    assert not (out / "en" / "index.html").exists()
    assert (out / "en" / "2026" / "own-your-channel" / "index.html").is_file()
    out = build_site(tmp_path / "out2", content=content)
    index = BeautifulSoup((out / "en" / "index.html").read_text(), "html.parser")
    assert index.html["lang"] == "en"
    assert [a.get_text(strip=True) for a in index.select(".post-summary .post-title a")] == [
        "Becoming your own media"
    ]

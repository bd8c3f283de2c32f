"""plugins/lang_sites: which languages get their lists, and which version of a post they show."""

from __future__ import annotations

from types import SimpleNamespace

from bs4 import BeautifulSoup
from ownmedia.plugins.lang_sites import language_articles, languages

from tests.plugins.conftest import copy_content


def post(slug: str, lang: str, day: int, translations=()):
    from datetime import datetime

    return SimpleNamespace(slug=slug, lang=lang, date=datetime(2026, 1, day),
                           translations=list(translations))


def generator(articles, translations, **settings):
    return SimpleNamespace(articles=articles, translations=translations,
                           settings={"DEFAULT_LANG": "fr", **settings})


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
        "Becoming your own media"]

"""The sample site, built once (built_site fixture), checked as a reader's browser would see it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from bs4 import BeautifulSoup

SITE = "http://127.0.0.1:8000"
PAGE_TYPES = {"article", "page", "index", "category", "tag", "author", "archives", "404", "print"}


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def articles(site: Path) -> dict[str, BeautifulSoup]:
    found = {}
    for path in html_files(site):
        soup = soup_of(path)
        if soup.body and soup.body.get("data-ownmedia-page") == "article":
            found[soup.find("link", rel="canonical")["href"]] = soup
    return found


def test_every_page_declares_its_type(built_site):
    for path in html_files(built_site):
        soup = soup_of(path)
        assert soup.body.get("data-ownmedia-page") in PAGE_TYPES, path
        assert soup.html.get("lang") in ("fr", "en"), path
        if soup.body["data-ownmedia-page"] in ("article", "print"):
            assert soup.body.get("data-ownmedia-post"), path


def test_sample_content_is_complete(built_site):
    posts = articles(built_site)
    assert len(posts) >= 8
    langs = {s.html["lang"] for s in posts.values()}
    assert langs == {"fr", "en"}
    bodies = [s.select_one(".entry-content[data-ownmedia-readthrough]") for s in posts.values()]
    assert all(bodies)
    for tag in ("img", "h2", "pre", "blockquote", "table"):
        assert any(b.find(tag) for b in bodies), tag
    hrefs = [a["href"] for b in bodies for a in b.find_all("a", href=True)]
    assert any(h.endswith(".pdf") for h in hrefs)
    assert any(urlsplit(h).netloc not in ("", "127.0.0.1:8000") for h in hrefs)
    for img in built_site.rglob("*.html"):
        for tag in soup_of(img).find_all("img"):
            assert tag.get("alt"), (img, tag)
    # translations are linked both ways
    fr = soup_of(built_site / "2026/own-your-channel/index.html")
    assert fr.select_one('.translations a[hreflang="en"]')["href"].endswith(
        "/en/2026/own-your-channel/"
    )


def test_landmarks_and_skip_link(built_site):
    soup = soup_of(built_site / "2026/own-your-channel/index.html")
    assert soup.find("header", role="banner") and soup.find("footer", role="contentinfo")
    assert soup.find("nav", attrs={"aria-label": True}) and soup.find("main", id="main")
    assert soup.find("a", class_="skip-link")["href"] == "#main"
    assert soup.find("h1")


def test_theme_strings_follow_the_language(built_site):
    fr = soup_of(built_site / "2026/own-your-channel/index.html")
    en = soup_of(built_site / "en/2026/own-your-channel/index.html")
    assert fr.find("a", class_="print-link").get_text(strip=True) == "Imprimer ce billet"
    assert en.find("a", class_="print-link").get_text(strip=True) == "Print this post"
    assert en.find("a", class_="skip-link").get_text() == "Skip to content"


def test_feeds_parse_and_list_every_post(built_site):
    posts = articles(built_site)
    for name in ("feeds/all.atom.xml", "feeds/all.rss.xml"):
        feed = feedparser.parse((built_site / name).read_bytes())
        assert not feed.bozo, (name, feed.bozo_exception)
        assert {e.link for e in feed.entries} == set(posts), name
    category_feeds = list((built_site / "feeds/category").glob("*.atom.xml"))
    assert category_feeds
    in_categories = set()
    for path in category_feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, path
        in_categories |= {e.link for e in feed.entries}
    # Pelican puts originals in categories; a translation is reached through its original
    assert in_categories <= set(posts)
    for url in set(posts) - in_categories:
        translations = {a["href"] for a in posts[url].select(".translations a")}
        assert translations & in_categories, url


def test_sitemap_lists_every_page(built_site):
    tree = ElementTree.parse(built_site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text for loc in tree.findall(".//s:loc", ns)}
    expected = set()
    for path in built_site.rglob("index.html"):
        soup = soup_of(path)
        kind = soup.body["data-ownmedia-page"]
        if kind in ("print", "404") or "/page/" in str(path.relative_to(built_site)):
            continue
        rel = path.relative_to(built_site).parent.as_posix()
        expected.add(f"{SITE}/" if rel == "." else f"{SITE}/{rel}/")
    assert expected - locs == set()
    assert not any("/print/" in u for u in locs)
    for url in locs:  # every listed URL exists
        path = urlsplit(url).path.lstrip("/")
        target = built_site / path
        assert (target / "index.html").is_file() or target.is_file(), url


LOADING = {
    "img": ["src", "srcset"],
    "script": ["src"],
    "iframe": ["src"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "track": ["src"],
    "input": ["src"],
}
LOADING_RELS = {
    "stylesheet",
    "icon",
    "preload",
    "prefetch",
    "modulepreload",
    "manifest",
    "apple-touch-icon",
    "preconnect",
    "dns-prefetch",
}


def same_origin(url: str, base: str) -> bool:
    target = urlsplit(urljoin(base, url.strip().split(" ")[0]))
    return target.scheme in ("http", "https", "data") and (
        target.scheme == "data" or target.netloc == "127.0.0.1:8000"
    )


def test_nothing_loads_from_another_origin(built_site):
    for path in html_files(built_site):
        soup = soup_of(path)
        base = f"{SITE}/{path.relative_to(built_site).as_posix()}"
        for tag, attrs in LOADING.items():
            for el in soup.find_all(tag):
                for attr in attrs:
                    for value in filter(None, (el.get(attr) or "").split(",")):
                        assert same_origin(value, base), (path, str(el)[:200])
        for link in soup.find_all("link", href=True):
            if LOADING_RELS & set(link.get("rel", [])):
                assert same_origin(link["href"], base), (path, str(link))
        for style in soup.find_all(style=True):
            assert "url(" not in style["style"] or "http" not in style["style"], path
    for css in built_site.rglob("*.css"):
        text = css.read_text()
        assert "@import" not in text, css
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            assert url.startswith(("data:", "/", "#")) or "://" not in url, (css, url)
        assert "@font-face" not in text, css


def test_404_and_privacy_pages(built_site):
    soup = soup_of(built_site / "404.html")
    assert soup.body["data-ownmedia-page"] == "404"
    for lang, path in (("fr", "privacy/index.html"), ("en", "en/privacy/index.html")):
        page = soup_of(built_site / path)
        assert page.html["lang"] == lang
        button = page.find("button", attrs={"data-ownmedia-optout": True})
        assert button is not None and button.get("type") == "button"
        assert "cookie" in page.select_one(".entry-content").get_text().lower()


def test_index_is_paginated(built_site):
    assert (built_site / "page/2/index.html").is_file()
    soup = soup_of(built_site / "index.html")
    assert soup.select_one('.pagination a[rel="next"]')["href"].endswith("/page/2/")


@pytest.mark.parametrize("name", ["category", "tag", "author", "archives"])
def test_listing_pages_exist(built_site, name):
    if name == "archives":
        paths = [built_site / "archives/index.html"]
    else:
        paths = list((built_site / name).glob("*/index.html"))
    assert paths
    for path in paths:
        assert soup_of(path).body["data-ownmedia-page"] == name


def test_navigation_links_pages_in_the_reader_language(built_site):
    fr = soup_of(built_site / "index.html").select(".site-nav a")
    en = soup_of(built_site / "en/2026/own-your-channel/index.html").select(".site-nav a")
    assert f"{SITE}/privacy/" in [a["href"] for a in fr]
    assert f"{SITE}/en/privacy/" in [a["href"] for a in en]
    assert "Privacy" in [a.get_text() for a in en]
    current = soup_of(built_site / "en/privacy/index.html").select_one(
        ".site-nav a[aria-current=page]")
    assert current["href"] == f"{SITE}/en/privacy/"


@pytest.mark.parametrize("extra, namespace_imported",
                         [([], False), (["pelican.plugins.seo"], True)])
def test_pelican_imports_only_the_listed_plugins_when_all_are_ours(tmp_path, extra,
                                                                  namespace_imported):
    """pelican-seo is installed here: Pelican's own start imports it (and BeautifulSoup) even
    when PLUGINS does not list it; ownmedia's start does not, unless it is listed."""
    import subprocess
    import sys

    from ownmedia.site import ROOT

    code = ("import sys\n"
            "import ownmedia\n"
            "from ownmedia.pelican_support import make_pelican\n"
            "from ownmedia.site import pelican_settings\n"
            "extra = sys.argv[2].split(',') if sys.argv[2] else []\n"
            "settings = pelican_settings(output=sys.argv[1],"
            " PLUGINS=[*extra, *ownmedia.PLUGINS])\n"
            "pelican = make_pelican(settings)\n"
            "print('pelican.plugins.seo' in sys.modules, len(pelican.plugins))\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out"), ",".join(extra)],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    import ownmedia

    assert out == [str(namespace_imported), str(len(ownmedia.PLUGINS) + len(extra))]

"""Every ownmedia plugin on a site with a theme of its own (tests/plugins/sites/foreign): what
the plugins add comes through the documented one-line snippets, the print view needs no
template of the theme, and nothing a page loads is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.plugins.sites.helpers import assets, build_fixture, copy_site, local_file

SITEURL = "https://foreign.example.test"


@pytest.fixture(scope="module")
def foreign_out(tmp_path_factory) -> Path:
    site = copy_site("foreign", tmp_path_factory.mktemp("site") / "foreign")
    return build_fixture(site, tmp_path_factory.mktemp("out"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_print_link_share_links_cta_and_comment_form_appear(foreign_out):
    page = soup(foreign_out / "hello-foreign.html")
    assert page.body["class"] == ["foreign-theme"]  # the site's theme, not ours
    link = page.select_one("a.print-link")
    assert link["href"] == f"{SITEURL}/hello-foreign/print/"
    networks = [a["class"][1] for a in page.select("nav.share a.share-link")]
    assert "share-pinterest" in networks and "share-email" in networks
    form = page.select_one("form#comment-form")
    assert form["action"] == "/api/comments"
    assert form.select_one('input[name="post"]')["value"] == "hello-foreign"
    assert "A comment under a post of a foreign theme." in page.select_one(".comment-body").text
    assert page.select_one(".cta-end a")["href"] == "/letter/"
    assert page.select_one('link[rel="webmention"]') is not None


def test_print_view_comes_from_the_plugin(foreign_out):
    for slug in ("hello-foreign", "second-post"):
        view = soup(foreign_out / slug / "print" / "index.html")
        assert view.body["data-ownmedia-page"] == "print"
        assert view.select_one(".print-qr svg.qr-code") is not None
        assert view.select_one('link[rel="canonical"]')["href"] == f"{SITEURL}/{slug}.html"


@pytest.mark.parametrize("page", ["hello-foreign.html", "hello-foreign/print/index.html"])
def test_every_stylesheet_and_script_a_page_loads_was_written(foreign_out, page):
    loaded = assets(foreign_out / page)
    assert any(u.endswith("print-view.css") for u in loaded) == page.endswith("print/index.html")
    assert any("tracker.js" in u for u in loaded)
    for url in loaded:
        target = local_file(foreign_out, SITEURL, url)
        assert target is not None and target.is_file(), url


def test_cover_metadata_gives_pin_it_and_og_image(foreign_out):
    for slug in ("hello-foreign", "second-post"):  # Cover: and Featured_image:
        page = soup(foreign_out / f"{slug}.html")
        assert page.select_one('meta[property="og:image"]')["content"] == \
            f"{SITEURL}/images/cover.png"
        pin = page.select_one("a.share-pinterest")["href"]
        assert "media=https%3A%2F%2Fforeign.example.test%2Fimages%2Fcover.png" in pin


def test_a_theme_print_html_wins(tmp_path):
    site = copy_site("foreign", tmp_path / "foreign")
    (site / "theme" / "templates" / "print.html").write_text(
        '<p class="theme-print">{{ article.title }} {{ print.qr_url }}</p>', encoding="utf-8")
    out = build_fixture(site, tmp_path / "out")
    view = soup(out / "hello-foreign" / "print" / "index.html")
    assert "utm_source=print" in view.select_one("p.theme-print").text


def test_our_theme_uses_the_same_snippets():
    """No second copy: our theme's article page is made of the plugins' snippets."""
    root = Path(__file__).resolve().parents[2]
    article = (root / "theme" / "templates" / "article.html").read_text(encoding="utf-8")
    for snippet in ("ownmedia/print_link.html", "ownmedia/article_end.html"):
        assert f'{{% include "{snippet}" %}}' in article
    shipped = {p.name for p in (root / "ownmedia" / "templates" / "ownmedia").glob("*.html")}
    assert not shipped & {p.name for p in (root / "theme" / "templates").glob("*.html")} - {
        "base.html"}


def sitemap_locs(out: Path) -> list[str]:
    from xml.etree import ElementTree

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return [e.text for e in ElementTree.parse(out / "sitemap.xml").iter(f"{ns}loc")]


@pytest.mark.parametrize("index_save_as", ["index.html", "blog_index.html"])
def test_every_sitemap_url_maps_to_a_written_file(tmp_path, index_save_as):
    site = copy_site("foreign", tmp_path / "foreign")
    out = build_fixture(site, tmp_path / "out", INDEX_SAVE_AS=index_save_as,
                        DEFAULT_PAGINATION=1)
    locs = sitemap_locs(out)
    assert f"{SITEURL}/about-us/" in locs  # save_as metadata without url
    index = "" if index_save_as == "index.html" else index_save_as
    assert f"{SITEURL}/{index}" in locs
    for url in locs:
        target = local_file(out, SITEURL, url)
        assert target is not None and target.is_file(), url

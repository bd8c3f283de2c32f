from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup
from ownmedia.plugins.print_view import (
    footnote_links,
    matrix_svg,
    print_path,
    print_url,
    qr_svg,
    qr_target,
)


def test_paths():
    assert print_path("2026/slug/index.html") == "2026/slug/print/index.html"
    assert print_url("2026/slug/index.html") == "2026/slug/print/"
    assert print_path("slug.html") == "slug/print/index.html"


def test_qr_target_tags_the_canonical_url():
    url = qr_target("https://blog.example/2026/a-b/", "a-b")
    parts = urlsplit(url)
    assert parts.path == "/2026/a-b/"
    assert parse_qs(parts.query) == {
        "utm_source": ["print"],
        "utm_medium": ["print"],
        "utm_campaign": ["a-b"],
    }
    assert "&utm_source=" in qr_target("https://x.example/?p=1", "s")


def test_qr_svg_is_inline_and_self_contained():
    svg = qr_svg("https://blog.example/")
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_svg_draws_exactly_the_dark_modules():
    import re

    import segno

    code = segno.make("https://blog.example/2026/p/?utm_source=print", error="m", mask=0)
    svg = matrix_svg(code.matrix, border=2)
    drawn = set()
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        drawn |= {(int(x) + i - 2, int(y) - 2) for i in range(int(n))}
    expected = {(x, y) for y, row in enumerate(code.matrix) for x, v in enumerate(row) if v}
    assert drawn == expected
    size = len(code.matrix) + 4
    assert f'viewBox="0 0 {size} {size}"' in svg


def test_footnotes_numbered_absolute_and_deduplicated():
    html = (
        '<p><a href="https://a.example/x?y=1&amp;z=2">A</a> <a href="/local/">L</a> '
        '<a href="#top">anchor</a> <a href="https://a.example/x?y=1&amp;z=2">again</a> '
        "<a name='n'>no href</a></p>"
    )
    out, notes = footnote_links(html, "https://blog.example/2026/p/")
    assert notes == ["https://a.example/x?y=1&z=2", "https://blog.example/local/"]
    soup = BeautifulSoup(out, "html.parser")
    refs = [s.get_text() for s in soup.select("sup.fn-ref")]
    assert refs == ["[1]", "[2]", "[1]"]


def test_every_article_has_a_print_view(built_site):
    articles = [
        p
        for p in built_site.rglob("index.html")
        if BeautifulSoup(p.read_text(), "html.parser").body.get("data-ownmedia-page") == "article"
    ]
    assert len(articles) == 12
    for page in articles:
        soup = BeautifulSoup(page.read_text(), "html.parser")
        slug = soup.body["data-ownmedia-post"]
        link = soup.find("a", class_="print-link")
        assert link is not None, page
        assert link.get_text(strip=True) in ("Print this post", "Imprimer ce billet")
        printed = page.parent / "print" / "index.html"
        assert link["href"].endswith(str(printed.relative_to(built_site).parent) + "/")
        ps = BeautifulSoup(printed.read_text(), "html.parser")
        assert ps.body["data-ownmedia-page"] == "print"
        assert ps.body["data-ownmedia-post"] == slug
        assert "noindex" in ps.find("meta", attrs={"name": "robots"})["content"]
        canonical = soup.find("link", rel="canonical")["href"]
        assert ps.find("link", rel="canonical")["href"] == canonical
        assert canonical in ps.find(class_="print-canonical").get_text()
        assert ps.find("h1").get_text() == soup.find("h1", class_="post-title").get_text()
        # QR code inline, pointing back with the print UTM tags
        qr = ps.select_one(".print-qr svg")
        assert qr is not None and qr.find("path") is not None
        caption = ps.select_one(".print-qr figcaption .url").get_text()
        assert caption == qr_target(canonical, slug)
        # footnotes: every link in the post is listed, numbered
        content_links = [
            urljoin(canonical, a["href"])
            for a in soup.select(".entry-content a[href]")
            if not a["href"].startswith("#")
        ]
        notes = [li.get_text(strip=True) for li in ps.select(".footnotes li")]
        assert set(content_links) <= set(notes), page
        if content_links:
            assert ps.select(".entry-content sup.fn-ref")
        # no share links, no comment form, no reply links in print
        assert not ps.select(".share-link, form, .reply-link")


def test_print_view_includes_comments(built_site):
    ps = BeautifulSoup(
        (built_site / "2026/own-your-channel/print/index.html").read_text(), "html.parser"
    )
    assert len(ps.select(".comments li.comment")) == 4


def test_paths_of_pages_named_like_an_index():
    """Only a folder's index.html is served by its folder: blog_index.html is a file."""
    assert print_path("blog_index.html") == "blog_index/print/index.html"
    assert print_url("2019/slug.html") == "2019/slug/print/"
    assert print_url("slug.html.html") == "slug/print/"  # a slug that ends in .html


def test_print_view_and_article_page_share_one_qr_code(tmp_path):
    """The article page's print-only QR code (print_qr) and the print view's are the same
    code, made once per article (segno is most of the plugins' build time). Without the
    artefact cache (no `incremental`), every code is made in this process."""
    import ownmedia.plugins.print_view as print_view
    from pelican.settings import read_settings

    from tests.plugins.sites.helpers import build_fixture, copy_site

    site = copy_site("foreign", tmp_path / "foreign")
    plugins = [p for p in read_settings(str(site / "pelicanconf.py"))["PLUGINS"]
               if not str(p).endswith("incremental")]
    print_view.make_qr_svg.cache_clear()
    out = build_fixture(site, tmp_path / "out", PLUGINS=plugins)
    assert "qr-code" in (out / "hello-foreign.html").read_text()
    assert "qr-code" in (out / "hello-foreign" / "print" / "index.html").read_text()
    made = print_view.make_qr_svg.cache_info()
    assert (made.misses, made.hits) == (2, 0)  # two articles, one code each, asked once


def test_print_template_is_chosen_again_for_each_build(tmp_path):
    """Chosen once per build (a theme without print.html costs a search of every folder),
    but a later build or live publication sees a print.html the theme has gained since."""
    from jinja2 import Environment, FileSystemLoader
    from ownmedia.plugins.print_view import print_template

    (tmp_path / "ownmedia").mkdir()
    (tmp_path / "ownmedia" / "print.html").write_text("plugin's", encoding="utf-8")
    env = Environment(loader=FileSystemLoader(str(tmp_path)))

    class State:  # stands for a build's ownmedia.incremental state
        pass

    first = State()
    assert print_template(env, first).render() == "plugin's"
    (tmp_path / "print.html").write_text("theme's", encoding="utf-8")
    assert print_template(env, first).render() == "plugin's"  # same build: chosen once
    assert print_template(env, State()).render() == "theme's"  # next build
    assert print_template(env).render() == "theme's"  # no build state: chosen every time

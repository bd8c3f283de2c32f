import re

import pytest
from bs4 import BeautifulSoup
from ownmedia.plugins.seo import render_sitemap, shorten

from tests.plugins.conftest import build


def test_render_sitemap_escapes():
    xml = render_sitemap([("https://a.example/?x=1&y=2", "2026-01-01T00:00:00+00:00")])
    assert "<loc>https://a.example/?x=1&amp;y=2</loc>" in xml
    assert "<lastmod>2026-01-01T00:00:00+00:00</lastmod>" in xml


def test_shorten_cuts_on_a_word():
    assert shorten("a" * 10) == "a" * 10
    out = shorten("word " * 100, 50)
    assert len(out) <= 50 and out.endswith("…")


def test_article_meta(built_site):
    soup = BeautifulSoup(
        (built_site / "en/2026/own-your-channel/index.html").read_text(), "html.parser"
    )
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical == "http://127.0.0.1:8000/en/2026/own-your-channel/"
    assert soup.find("meta", property="og:url")["content"] == canonical
    assert soup.find("meta", property="og:title")["content"] == "Becoming your own media"
    assert soup.find("meta", property="og:type")["content"] == "article"
    assert soup.find("meta", property="og:locale")["content"] == "en_GB"
    assert soup.find("meta", property="og:description")["content"].startswith("Why an")
    og_image = soup.find("meta", property="og:image")["content"]
    assert og_image.endswith("/images/audience-growth.en.png")  # the chart in the page's language
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    alternates = {ln["hreflang"]: ln["href"] for ln in soup.find_all("link", hreflang=True)}
    assert alternates == {"fr": "http://127.0.0.1:8000/2026/own-your-channel/", "en": canonical}
    assert soup.html["lang"] == "en"
    assert soup.find("link", rel="webmention")["href"] == "/api/webmention"
    assert soup.find("link", rel="pingback")["href"] == "/api/pingback"


def test_robots_points_at_the_sitemap(built_site):
    robots = (built_site / "robots.txt").read_text()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots
    assert "{SITEURL}" not in robots
    assert "Disallow: /*/print/" in robots


def set_meta(path, key, value):
    text = path.read_text()
    text, n = re.subn(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.M)
    if not n:
        text = f"{key}: {value}\n" + text
    path.write_text(text)


def test_unknown_language_stops_build(small_content, tmp_path):
    content = small_content()
    set_meta(content / "posts/own-your-channel.en.md", "Lang", "klingon")
    with pytest.raises(Exception, match=r"own-your-channel\.en\.md: field 'lang': unknown"):
        build(content, tmp_path / "out")


def test_missing_image_stops_build(small_content, tmp_path):
    content = small_content()
    set_meta(content / "posts/own-your-channel.fr.md", "Image", "images/nope.png")
    with pytest.raises(
        Exception,
        match=r"own-your-channel\.fr\.md: field 'image': "
        r"'images/nope\.png' not found",
    ):
        build(content, tmp_path / "out")


def test_malformed_date_stops_build_naming_file_and_field(small_content, tmp_path):
    content = small_content()
    set_meta(content / "posts/own-your-channel.fr.md", "Date", "le 32 septembre")
    with pytest.raises(Exception, match=r"own-your-channel\.fr\.md: field 'date': not a date"):
        build(content, tmp_path / "out")


def test_missing_title_stops_build(small_content, tmp_path):
    content = small_content()
    post = content / "posts/own-your-channel.en.md"
    post.write_text(re.sub(r"^Title: .*\n", "", post.read_text(), flags=re.M))
    with pytest.raises(Exception, match=r"own-your-channel\.en\.md: field 'title': missing"):
        build(content, tmp_path / "out")


def test_missing_date_stops_build(small_content, tmp_path):
    content = small_content()
    post = content / "posts/own-your-channel.en.md"
    post.write_text(re.sub(r"^Date: .*\n", "", post.read_text(), flags=re.M))
    with pytest.raises(Exception, match=r"own-your-channel\.en\.md: field 'date': missing"):
        build(content, tmp_path / "out")

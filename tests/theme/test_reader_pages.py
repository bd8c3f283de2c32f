"""The reader-facing pages of the built sample site, read as HTML: each language has its own
lists and navigation, French counts and dates read as French, Pin It on every post, no
"Reply" under a webmention or pingback, keyboard-reachable <pre> blocks, the print QR code on
the article page. (The same pages in a real browser: tests/a11y.)"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

SITE = "http://127.0.0.1:8000"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path.strip("/") / "index.html").read_text(), "html.parser")


def nav_hrefs(page: BeautifulSoup) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in page.select(".site-nav a")}


def test_each_language_has_its_index_archives_and_terms(built_site):
    en = soup(built_site, "/en/")
    assert en.html["lang"] == "en"
    titles = [a.get_text(strip=True) for a in en.select(".post-summary .post-title a")]
    assert "Becoming your own media" in " ".join(titles) or (built_site / "en/page/2").is_dir()
    assert "Reading the monthly review" in titles  # English posts in English
    for path in ("/en/archives/", "/en/category/strategy/", "/en/tag/measurement/"):
        page = soup(built_site, path)
        assert page.html["lang"] == "en", path
    assert (built_site / "en/categories.html").is_file() and (built_site / "en/tags.html").is_file()
    archive_links = [a["href"] for a in soup(built_site, "/en/archives/").select(".archive-list a")]
    assert f"{SITE}/en/2026/own-your-channel/" in archive_links
    assert f"{SITE}/2026/own-your-channel/" not in archive_links  # not the French version


def test_english_navigation_leads_to_english_pages(built_site):
    article = soup(built_site, "/en/2026/own-your-channel/")
    nav = nav_hrefs(article)
    for label in ("Home", "Archives", "Categories", "Tags", "About"):
        assert nav[label].startswith(f"{SITE}/en/"), (label, nav[label])
    assert nav["Français"] == f"{SITE}/"
    assert article.select_one(".post-meta a.p-author")["href"].startswith(f"{SITE}/en/author/")
    category = article.select_one(".post-meta a.p-category")["href"]
    assert category == f"{SITE}/en/category/strategy/"
    assert (built_site / "en/category/strategy/index.html").is_file()
    french = nav_hrefs(soup(built_site, "/2026/own-your-channel/"))
    assert french["Accueil"] == f"{SITE}/" and french["Archives"] == f"{SITE}/archives/"
    assert french["English"] == f"{SITE}/en/"


def test_french_plurals_and_headings(built_site):
    index = soup(built_site, "/")
    counts = {a.get_text(strip=True) for a in index.select("a.comment-count")}
    assert "0 commentaire" in counts and "1 commentaire" in counts
    assert "0 commentaires" not in counts
    heading = soup(built_site, "/2026/own-your-channel/").select_one("#comments-title")
    assert heading.get_text(" ", strip=True) == "4 commentaires"  # not "Commentaires (4 …)"
    assert soup(built_site, "/en/").select_one("a.comment-count").get_text(strip=True) in {
        "0 comments", "1 comment"} | {f"{n} comments" for n in range(2, 9)}
    none = soup(built_site, "/2026/calls-to-action/").select_one("#comments-title")
    assert none.get_text(strip=True) == "Commentaires"


def test_dates_are_written_in_each_language(built_site):
    fr = soup(built_site, "/2026/own-your-channel/")
    en = soup(built_site, "/en/2026/own-your-channel/")
    assert fr.select_one("time.dt-published").get_text(strip=True) == "8 septembre 2026"
    assert en.select_one("time.dt-published").get_text(strip=True) == "September 8, 2026"
    assert fr.select_one("time.comment-date").get_text(strip=True) == "9 septembre 2026 à 08:15"
    for page in (fr, en, soup(built_site, "/"), soup(built_site, "/en/archives/")):
        for time in page.select("time"):
            assert not ISO_DATE.match(time.get_text(strip=True)), time


def test_pin_it_on_every_post_with_an_image(built_site):
    posts = [p for p in built_site.glob("**/2026/*/index.html") if "print" not in p.parts]
    assert len(posts) == 12
    for post in posts:
        page = BeautifulSoup(post.read_text(), "html.parser")
        pin = page.select_one("a.share-pinterest")
        assert pin is not None, post
        media = parse_qs(urlsplit(pin["href"]).query)["media"][0]
        assert media == page.find("meta", property="og:image")["content"], post
    # a post with no Image metadata takes the first image of its content, else the default
    review = soup(built_site, "/en/2026/reading-the-review/")
    assert review.find("meta", property="og:image")["content"].startswith(f"{SITE}/images/")


def test_listing_pages_show_the_post_image(built_site):
    index = soup(built_site, "/")
    thumbs = index.select(".post-summary img.post-thumb")
    assert thumbs and all(img["src"].startswith(f"{SITE}/images/") for img in thumbs)


def test_mentions_have_no_reply_link_and_pre_is_focusable(built_site):
    page = soup(built_site, "/2026/own-your-channel/")
    pingback = page.select_one("li.comment-pingback")
    assert pingback is not None and pingback.select_one("a.reply-link") is None
    assert page.select_one("li.comment-comment a.reply-link") is not None
    mentions = soup(built_site, "/2026/measure-without-cookies/")
    assert mentions.select_one("li.comment-webmention a.reply-link") is None
    pres = [pre for p in built_site.glob("**/2026/*/index.html") if "print" not in p.parts
            for pre in BeautifulSoup(p.read_text(), "html.parser").select(".entry-content pre")]
    assert pres and all(pre.get("tabindex") == "0" for pre in pres)


def test_article_page_carries_the_print_qr_code(built_site):
    page = soup(built_site, "/2026/own-your-channel/")
    qr = page.select_one("div.print-only.print-qr")
    assert qr is not None and qr.find("svg") is not None
    printed = soup(built_site, "/2026/own-your-channel/print/")
    assert qr.select_one(".url").get_text() == printed.select_one(".print-qr .url").get_text()


def test_no_inline_style_or_script_in_the_comment_form(built_site):
    page = soup(built_site, "/2026/own-your-channel/")
    section = page.select_one(".comment-form-section")
    assert section.find("style") is None
    assert section.find_all("script") and all(s.get("src") for s in section.find_all("script"))
    assert not any(attr.startswith("on") for el in section.find_all(True) for attr in el.attrs)

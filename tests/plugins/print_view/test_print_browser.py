"""A real Chromium renders an article and its print view with print media emulation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser
SITE = "http://127.0.0.1:8000"


def serve_from(page, site: Path, requests: list[str]) -> None:
    """Answer the site's URLs from the built folder; record anything else and refuse it."""

    def handle(route):
        url = route.request.url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != SITE:
            requests.append(url)
            return route.abort()
        path = site / parts.path.lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if path.is_file():
            return route.fulfill(path=str(path))
        return route.fulfill(status=404, body="not found")

    page.route("**/*", handle)


def visible(page, selector: str) -> bool:
    loc = page.locator(selector)
    return loc.count() > 0 and loc.first.is_visible()


def test_article_and_print_view_in_print_media(browser, built_site):
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    serve_from(page, built_site, outside)
    try:
        page.goto(f"{SITE}/2026/own-your-channel/")
        page.emulate_media(media="screen")
        assert visible(page, "nav.share") and visible(page, ".site-nav")
        assert visible(page, "a.print-link")

        page.emulate_media(media="print")
        for hidden in (
            "nav.share",
            ".site-nav",
            ".reply-link",
            "a.print-link",
            ".site-footer",
            "form",
        ):
            assert not visible(page, hidden), hidden
        for shown in (
            "h1.post-title",
            ".entry-content table",
            ".entry-content blockquote",
            ".comments .comment-body",
        ):
            assert visible(page, shown), shown
        color = page.eval_on_selector("body", "b => getComputedStyle(b).color")
        assert color == "rgb(0, 0, 0)"

        page.goto(f"{SITE}/2026/own-your-channel/print/")
        page.emulate_media(media="print")
        for shown in (
            "h1",
            ".print-canonical",
            ".footnotes li",
            ".print-qr svg",
            ".comments .comment-body",
            ".entry-content sup.fn-ref",
        ):
            assert visible(page, shown), shown
        assert not visible(page, ".share-link") and not visible(page, "form")
        box = page.locator(".print-qr svg").bounding_box()
        assert box and box["width"] > 50  # large enough to scan
        styles = page.eval_on_selector(
            "body", "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
        )
        assert styles[0] == "rgb(0, 0, 0)"
        assert page.locator("meta[name=robots]").get_attribute("content").startswith("noindex")
        assert outside == [], outside  # nothing requested from another origin
    finally:
        context.close()

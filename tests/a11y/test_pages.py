"""Every public page type in a real Chromium against `ownmedia serve` on 127.0.0.1: axe-core
finds no violation of any impact (every page in the light colour scheme, one of each layout in
the dark one), screenshots at 1280 and 390 px in both languages, touch targets of at least
44 px, a navigation on one line at 1280 px and short on a phone, the no-JavaScript
confirmation page, and the print rules.

axe-core comes from npm into tests/a11y/node_modules (`make test` and .ci/run install it);
screenshots go to a temporary folder (set OWNMEDIA_SCREENSHOTS to keep them)."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.comments.sitekit import build_into, make_site
from tests.conftest import RunningService

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
POST_FR, POST_EN = "/2026/own-your-channel/", "/en/2026/own-your-channel/"
PAGES = {  # page type -> path
    "index-fr": "/", "index-en": "/en/",
    "article-fr": POST_FR, "article-en": POST_EN,
    "page-fr": "/about/", "page-en": "/en/about/",
    "category-fr": "/category/strategie/", "category-en": "/en/category/strategy/",
    "tag-fr": "/tag/mesure/", "tag-en": "/en/tag/measurement/",
    "archives-fr": "/archives/", "archives-en": "/en/archives/",
    "categories-fr": "/categories.html", "tags-en": "/en/tags.html",
    "author-fr": "/author/camille-martin/", "authors-en": "/en/authors.html",
    "print-fr": POST_FR + "print/", "print-en": POST_EN + "print/",
    "404": "/no-such-page/",
}
WIDTHS = (1280, 390)
# the dark colour scheme is the same few CSS rules on every page: checked on one of each
# layout (lists, article, print view, 404) to keep the suite near a minute
DARK = ("index-en", "article-fr", "article-en", "page-fr", "print-fr", "404")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The sample site with its comments, built once, served by `ownmedia serve`."""
    tmp = tmp_path_factory.mktemp("a11y")
    site = make_site(tmp, build=False, demo_comments=True)
    # the real minimum time between the form and its submission (sitekit's is 0)
    text = site.config_file.read_text().replace("min_seconds = 0.0", "min_seconds = 30.0")
    site.config_file.write_text(text)
    build_into(site)
    svc = RunningService(["--config", str(site.config_file)])
    svc.site = site
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    keep = os.environ.get("OWNMEDIA_SCREENSHOTS")
    folder = Path(keep) if keep else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def axe_violations(page) -> list[dict]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: npm install --prefix tests/a11y (make test does it)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.map(n => n.target.join(" ") + " " + n.failureSummary)}));
    }""")
    return result


def confirmation_page(browser, served, path: str, scheme: str = "light", js: bool = False):
    """The no-JavaScript path: fill the form, send it, land on the confirmation page. With
    `js` (so that axe can run there) the form is sent as a browser without JavaScript sends
    it: form.submit() without a token, which comments.js does not intercept."""
    context = browser.new_context(java_script_enabled=js, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    page.goto(served.url + path)
    page.fill("#comment-name", "Léa sans JS")
    page.fill("#comment-body", "Un commentaire écrit tranquillement.")
    if js:
        with page.expect_navigation():
            page.evaluate("""() => { const form = document.getElementById("comment-form");
                form.elements.token.value = ""; form.submit(); }""")
    else:
        page.click("#comment-form button[type=submit]")
    return context, page


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(("name", "scheme"),
                         [(n, "light") for n in PAGES] + [(n, "dark") for n in DARK])
def test_axe_finds_no_violation(browser, served, name, scheme):
    # bypass_csp: axe is injected as a <script>, which the pages' policy rightly refuses
    # (tests/service/test_csp_browser.py checks the policy itself)
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    response = page.goto(served.url + PAGES[name])
    assert response.status == (404 if name == "404" else 200)
    violations = axe_violations(page)
    context.close()
    assert violations == [], f"{name} ({scheme}): {violations}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [POST_FR, POST_EN])
def test_no_js_confirmation_page_has_the_site_look_and_passes_axe(browser, served, shots, path,
                                                                  scheme):
    context, page = confirmation_page(browser, served, path, scheme, js=True)
    assert page.locator("h1").inner_text() in ("Confirmer votre commentaire",
                                                "Confirm your comment")
    lang = "en" if path.startswith("/en/") else "fr"
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("header.site-header .site-title").count() == 1
    title = "Becoming your own media" if lang == "en" else "Devenir son propre média"
    assert page.locator(".comment-page-post a").inner_text() == title
    home = page.locator(".site-nav a").first.get_attribute("href")
    assert home.endswith("/en/") if lang == "en" else not home.endswith("/en/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        shot = shots / f"confirm-{lang}-{scheme}-{width}.png"
        data = page.screenshot(full_page=True, path=str(shot))
        assert png_size(data)[0] == width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe_violations(page)
    context.close()
    assert violations == [], violations


def test_confirming_at_once_is_accepted(browser, served):
    """min_seconds is 30 here: the confirmation page's token is credited with it."""
    context, page = confirmation_page(browser, served, POST_FR)
    assert page.locator("h1").inner_text().startswith("Confirmer")
    page.click("#comment-form button[type=submit]")  # at once
    assert page.url.endswith(POST_FR + "?comment=pending#comment-pending"), page.url
    notice = page.locator("#comment-pending")
    assert notice.is_visible() and "notice-success" in notice.get_attribute("class")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [n for n in PAGES if n != "404"] + ["404"])
def test_screenshots_fit_the_width(browser, served, shots, name, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(served.url + PAGES[name])
    overflow = page.evaluate("document.documentElement.scrollWidth")
    data = page.screenshot(full_page=True, path=str(shots / f"{name}-{width}.png"))
    context.close()
    assert png_size(data)[0] == width
    assert overflow <= width, f"{name} at {width}px scrolls sideways ({overflow}px)"


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate("""sel => [...document.querySelectorAll(sel)]
        .filter(el => el.offsetParent !== null)
        .map(el => { const r = el.getBoundingClientRect();
                     return {what: el.outerHTML.slice(0, 80), w: r.width, h: r.height,
                             top: r.top}; })""",
                         selector)


@pytest.mark.parametrize("path", [POST_FR, POST_EN])
def test_touch_targets_on_a_phone(browser, served, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(served.url + path)
    controls = boxes(page, "#comment-form input:not([type=hidden]):not([tabindex='-1']),"
                           "#comment-form textarea, #comment-form button, .comment-check label,"
                           ".reply-link, .site-nav a, .share-link")
    small = [c for c in controls if c["h"] < 44 and "checkbox" not in c["what"]]
    fields = boxes(page, "#comment-form .comment-field:not(.hp-field) input[type=text],"
                         "#comment-form textarea")
    context.close()
    assert len(controls) > 10
    assert small == [], small
    assert all(f["w"] >= 300 for f in fields), fields  # full width on a 390 px screen


def test_navigation_one_line_at_1280_and_short_on_a_phone(browser, served):
    for path in (POST_FR, POST_EN, "/"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(served.url + path)
        tops = {round(b["top"]) for b in boxes(page, ".site-nav li")}
        context.close()
        assert len(tops) == 1, f"{path}: the navigation wraps at 1280 px ({tops})"
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.goto(served.url + path)
        [nav] = boxes(page, ".site-nav")
        [header] = boxes(page, ".site-header")
        context.close()
        assert nav["h"] <= 60, f"{path}: the navigation takes {nav['h']} px of a phone"
        assert header["h"] <= 160, f"{path}: the header takes {header['h']} px of a phone"


def test_print_view_has_print_button_and_way_back(browser, served):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url + POST_FR + "print/")
    button, back = page.locator("button[data-print-button]"), page.locator("a.print-back")
    assert button.is_visible() and back.is_visible()
    assert back.get_attribute("href").endswith(POST_FR)
    page.emulate_media(media="print")
    assert not button.is_visible() and not back.is_visible()
    context.close()


def test_printing_the_article_page(browser, served):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url + POST_FR)
    qr = page.locator(".print-qr svg")
    assert not qr.is_visible()
    page.emulate_media(media="print")
    for hidden in ("#comment-form-title", ".comments-feed", ".translations", ".site-nav",
                   ".share"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert qr.is_visible()
    assert page.locator("#comments-title").is_visible()  # the comments themselves stay
    context.close()


def test_reply_banner_names_the_author(browser, served):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url + POST_FR)
    link = page.locator("li.comment-comment a.reply-link").first
    author = link.locator("xpath=ancestor::article[1]//span[contains(@class,'comment-author')]")
    name = author.inner_text().strip()
    link.click()
    banner = page.locator(".comment-replying")
    assert banner.is_visible() and name in banner.inner_text()
    assert "2026" not in banner.inner_text()  # no comment id
    context.close()


def test_pre_blocks_are_reachable_by_keyboard(browser, served):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url + "/2026/reading-the-review/".replace("/2026", "/en/2026"))
    pres = page.locator(".entry-content pre")
    assert pres.count() > 0
    assert pres.first.get_attribute("tabindex") == "0"
    pres.first.focus()
    assert page.evaluate("document.activeElement.tagName") == "PRE"
    context.close()


def test_form_notices_are_styled_as_what_they_say(browser, served):
    """With JavaScript: a missing name is marked on its field, and a comment sent before
    min_seconds (30 here) is refused with an error notice, not plain text."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url + POST_FR)
    # Playwright's matcher, not wait_for_function (its polling needs eval, refused by the CSP)
    expect(page.locator("#comment-form input[name=token]")).not_to_have_value("")
    page.fill("#comment-body", "Trop rapide.")
    page.locator("#comment-name").evaluate("el => el.removeAttribute('required')")
    page.click("#comment-form button[type=submit]")
    status = page.locator(".comment-form-status")
    status.filter(has_text="corrigez").wait_for(timeout=10_000)
    assert "notice-error" in status.get_attribute("class")
    assert page.locator("#comment-name").get_attribute("aria-invalid") == "true"
    assert page.locator("#comment-name-error").is_visible()
    page.fill("#comment-name", "Rapide")
    page.click("#comment-form button[type=submit]")
    status.filter(has_text="trop vite").wait_for(timeout=10_000)
    assert "notice-error" in status.get_attribute("class")
    assert not page.locator("#comment-name-error").is_visible()
    context.close()

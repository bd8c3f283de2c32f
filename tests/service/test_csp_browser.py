"""The built demo site under `ownmedia serve` in a real Chromium, with the Content-Security-
Policy the service sends: the tracker, comments.js (a comment posted with JavaScript), the
opt-out button and the theme's inline scripts run without a single CSP violation, while an
inline script or handler that is not the theme's is refused."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

from tests.comments.sitekit import POST_URL, make_site, wait_for
from tests.comments.test_api import UA

pytestmark = pytest.mark.browser
RECORD = """
// a reader's browser, not automation: the tracker skips navigator.webdriver
Object.defineProperty(navigator, 'webdriver', {get: () => false});
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample}));
"""
PAGES = ["/", POST_URL, POST_URL + "print/", "/privacy/", "/en/privacy/", "/en/",
         "/archives.html", "/no-such-page/"]


@pytest.fixture
def served(tmp_path, start_service):
    site = make_site(tmp_path, comments_toml="rate_limit = 1000\n")
    (site.output / "csp-probe.html").write_text(
        "<!doctype html><html><body><script>window.evil = 1</script>"
        "<img src=/none.png onerror='window.evil2 = 1'></body></html>", encoding="utf-8")
    svc = start_service("--config", site.config_file)
    svc.site = site
    return svc


def events(site, name: str) -> int:
    conn = sqlite3.connect(site.data / "events.sqlite3")
    try:
        return conn.execute("SELECT count(*) FROM events WHERE name = ?", (name,)).fetchone()[0]
    finally:
        conn.close()


def test_site_scripts_satisfy_the_policy(served, browser):
    context = browser.new_context(user_agent=UA)  # HeadlessChrome's own is dropped as a bot
    context.add_init_script(RECORD)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security" in m.text
            else None)
    violations = {}
    for path in PAGES:
        response = page.goto(served.url + path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        violations[path] = page.evaluate("window.__csp")
    assert all(not v for v in violations.values()), violations

    page.goto(served.url + "/privacy/")
    button = page.locator("[data-ownmedia-optout]")
    button.click()  # the inline opt-out script (allowed by its hash) handles it
    assert button.get_attribute("aria-pressed") == "true"
    button.click()
    assert page.evaluate("window.__csp") == []

    page.goto(served.url + POST_URL)
    page.fill("#comment-name", "Ada")
    page.fill("#comment-body", "Posted by comments.js under the policy.")
    page.click("#comment-form button[type=submit]")
    # answered by fetch (the status line), not by the no-JavaScript redirect
    expect(page.locator(".comment-form-status")).to_contain_text("modération")
    assert page.url.endswith(POST_URL)
    assert page.evaluate("window.__csp") == []
    assert wait_for(lambda: events(served.site, "pageview") >= len(PAGES))  # the tracker ran
    assert console == []
    css = page.request.get(served.url + "/theme/css/main.css")
    assert css.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in css.headers
    context.close()


def test_other_inline_scripts_are_refused(served, browser):
    context = browser.new_context()
    context.add_init_script(RECORD)
    page = context.new_page()
    page.goto(served.url + "/csp-probe.html")
    page.wait_for_load_state("load")
    wait_for(lambda: len(page.evaluate("window.__csp")) >= 2)
    assert page.evaluate("window.evil") is None and page.evaluate("window.evil2") is None
    assert {v["directive"] for v in page.evaluate("window.__csp")} <= {
        "script-src-elem", "script-src-attr", "script-src"}
    context.close()

"""The HTML review (`ownmedia review --html`), opened in a real Chromium as a person opens the
file: axe-core finds no violation, and it fits a 390 px phone without sideways scrolling; the
same for /admin/review served live, whose period form works and which loads nothing from
another origin under the admin's Content-Security-Policy."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.a11y.test_pages import axe_violations
from tests.stats.conftest import PERIOD, SPEC, sim  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def review_html(sim, tmp_path_factory):  # noqa: F811
    data, _ = sim
    out = tmp_path_factory.mktemp("review") / "review.html"
    done = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "review", "--data", str(data), "--site",
         str(data / "site"), "--period", f"{SPEC.start}..{SPEC.end}", "--html", str(out),
         "--cost", "5000", "--baseline-cost", "100000", "--baseline-copies", "2000000"],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_html_review_passes_axe(browser, review_html, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(review_html.as_uri())
    assert page.locator("svg").count() >= 4  # the charts are there
    violations = axe_violations(page)
    context.close()
    assert violations == [], violations


def test_html_review_fits_a_phone(browser, review_html):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(review_html.as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0, f"{overflow} px wider than the phone"


@pytest.fixture(scope="module")
def review_served(sim, tmp_path_factory):  # noqa: F811
    """`ownmedia serve` over the generated store, with an admin password."""
    from tests.admin.test_review_page import review_config
    from tests.conftest import RunningService

    config = review_config(sim[0], tmp_path_factory.mktemp("admin-review"))
    svc = RunningService(["--config", str(config)])
    yield svc
    svc.stop()


def admin_review(browser, svc, *, width: int = 1280, bypass_csp: bool = False):
    from tests.admin.test_app import PASSWORD

    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(svc.url + "/admin/login")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(svc.url + "/admin/")
    return context, page


def test_admin_review_period_form_and_origin(browser, review_served):
    context, page = admin_review(browser, review_served)
    requests, refused = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{review_served.url}/admin/review?from={PERIOD[0]}&to={PERIOD[1]}")
    expect(page.locator("h1")).to_contain_text(f"{PERIOD[0]} → {PERIOD[1]}")
    assert page.locator("figure svg").count() >= 4  # the charts are drawn
    # choose another period on the page: the form's GET puts it in the address
    page.fill("#from", "2026-03-01")
    page.fill("#to", "2026-03-31")
    page.click("form.period button[type=submit]")
    expect(page.locator("h1")).to_contain_text("2026-03-01 → 2026-03-31")
    assert "from=2026-03-01" in page.url and "to=2026-03-31" in page.url
    context.close()
    assert requests and all(u.startswith(review_served.url + "/") for u in requests), requests
    assert refused == []


@pytest.mark.parametrize("width", [1280, 390])
def test_admin_review_passes_axe_and_fits(browser, review_served, width):
    # bypass_csp: axe is injected as a <script>, which the admin's policy rightly refuses
    context, page = admin_review(browser, review_served, width=width, bypass_csp=True)
    page.goto(f"{review_served.url}/admin/review?from={PERIOD[0]}&to={PERIOD[1]}")
    expect(page.locator("h1")).to_contain_text(PERIOD[0])
    violations = axe_violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert violations == [], violations
    assert overflow <= 0, f"{overflow} px wider than the screen"

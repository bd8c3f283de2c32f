"""The HTML review (`ownmedia review --html`), opened in a real Chromium as a person opens the
file: axe-core finds no violation, and it fits a 390 px phone without sideways scrolling."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.a11y.test_pages import axe_violations
from tests.stats.conftest import SPEC, sim  # noqa: F401

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

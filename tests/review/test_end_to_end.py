"""End to end: a reader in real Chromium comes back from print (the printed post's QR code),
clicks a call to action, opens the print view, and comments, on the sample site served by
`ownmedia serve`; then `ownmedia review --url` (a real subprocess, a real API key) finds each
action counted once."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ownmedia.site import build_site
from ownmedia.stats.keys import KeyStore
from tests.comments.sitekit import ROOT, make_site

pytestmark = pytest.mark.browser

# a desktop User-Agent: the collector drops headless browsers as bots, as Plausible does
DESKTOP_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Safari/537.36")
POST = "own-your-channel"
POST_URL = f"/2026/{POST}/"
FROM_PRINT = f"?utm_source=print&utm_medium=print&utm_campaign={POST}"


def wait_count(db: Path, name: str, count: int, timeout: float = 15.0) -> None:
    """Poll the event store (read-only) until `count` events named `name` are stored."""
    deadline = time.monotonic() + timeout
    got = 0
    while time.monotonic() < deadline:
        if db.exists():
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                got = conn.execute("SELECT COUNT(*) FROM events WHERE name = ?",
                                   (name,)).fetchone()[0]
            except sqlite3.OperationalError:  # schema not made yet
                got = 0
            finally:
                conn.close()
            if got >= count:
                return
        time.sleep(0.05)  # polling an observable condition, with a deadline
    pytest.fail(f"expected {count} '{name}' events within {timeout}s, got {got}")


@pytest.fixture
def served(tmp_path, start_service):
    site = make_site(tmp_path, build=False, comments_toml="rate_limit = 1000\n")
    build_site(site.output, settings_file=site.settings, content=site.content, SITEURL="",
               ANALYTICS={"provider": "ownmedia", "domain": "127.0.0.1",
                          "track_localhost": True, "track_automation": True})
    keys = KeyStore(site.data)
    _, key = keys.create("review")
    keys.close()
    svc = start_service("--config", site.config_file)
    return svc, site, key


def test_each_action_is_counted_once(served, browser):
    svc, site, key = served
    context = browser.new_context(user_agent=DESKTOP_UA)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"),
                  lambda route: route.fulfill(status=200, content_type="text/html", body="x"))
    try:
        page = context.new_page()
        page.goto(svc.url + POST_URL + FROM_PRINT)  # back from the printed page
        page.click(".cta-block.cta-end a.cta")  # the newsletter call to action
        page.wait_for_url(f"{svc.url}/newsletter/")
        page.goto(svc.url + POST_URL + "print/")  # the print view counts a print
        page.goto(svc.url + POST_URL)
        # Playwright's own matcher: a wait_for_function string needs eval, which the page's
        # Content-Security-Policy refuses
        expect(page.locator("#comment-form input[name=token]")).not_to_have_value(
            "", timeout=10_000)
        page.fill("#comment-name", "Lectrice")
        page.fill("#comment-body", "Revenue grâce au papier.")
        page.click("#comment-form button[type=submit]")
        page.locator(".comment-form-status").filter(
            has_text="attend la modération").wait_for(timeout=10_000)
    finally:
        context.close()
    db = site.data / "events.sqlite3"
    for name in ("CTA Click", "Print", "Comment"):
        wait_count(db, name, 1)
    wait_count(db, "pageview", 4)

    out = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "review", "--url", svc.url, "--key", key,
         "--period", "2d", "--json", "--site", str(site.output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    ov = report["overview"]
    assert (ov["cta_clicks"]["value"], ov["prints"]["value"], ov["comments"]["value"]) == (1, 1, 1)
    assert ov["visitors"]["value"] == 1  # one reader: the browser and the comment share an id
    post = next(p for p in report["posts"] if p["post"] == POST)
    assert (post["cta_clicks"], post["prints"], post["comments"]) == (1, 1, 1)
    assert [(c["cta"], c["clicks"]) for c in report["ctas"]] == [("newsletter", 1)]
    # named as the built site names it (its Atom feed's title)
    assert report["print_returns"] == [{"post": POST, "title": "Devenir son propre média",
                                        "visits": 1}]
    assert post["title"] == "Devenir son propre média"
    assert {c["channel"]: c["visits"] for c in report["channels"]} == {"Print": 1}

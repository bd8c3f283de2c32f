"""End to end: the built site served by `ownmedia serve`, real Chromium, our tracker posting to
the real collector, the events read back from its SQLite file."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest

from ownmedia.site import build_site

pytestmark = pytest.mark.browser

# a desktop browser's User-Agent: the collector drops headless browsers as bots, as Plausible does
DESKTOP_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Safari/537.36")
POST = "own-your-channel"


def wait_rows(db: Path, sql: str, count: int, timeout: float = 15.0) -> list[tuple]:
    """Poll the collector's database (read-only) until `sql` returns `count` rows."""
    deadline = time.monotonic() + timeout
    rows: list[tuple] = []
    while time.monotonic() < deadline:
        if db.exists():
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                rows = conn.execute(sql).fetchall()
            except sqlite3.OperationalError:  # schema not created yet
                rows = []
            finally:
                conn.close()
            if len(rows) >= count:
                return rows
        time.sleep(0.05)  # polling an observable condition, with a deadline
    pytest.fail(f"expected {count} rows for {sql!r} within {timeout}s, got {rows}")


def test_tracker_events_reach_the_collector(tmp_path, start_service, browser):
    site = build_site(tmp_path / "site", SITEURL="", ANALYTICS={
        "provider": "ownmedia", "domain": "127.0.0.1", "track_localhost": True,
        "track_automation": True})
    data = tmp_path / "data"
    svc = start_service("--data", data, "--site", site)
    context = browser.new_context(user_agent=DESKTOP_UA)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"),
                  lambda route: route.fulfill(status=200, content_type="text/html", body="x"))
    try:
        page = context.new_page()
        page.goto(f"{svc.url}/2026/{POST}/")
        page.click(".cta-block.cta-end a.cta")  # newsletter: internal, with revenue
        page.wait_for_url(f"{svc.url}/newsletter/")
        page.goto(f"{svc.url}/2026/{POST}/")
        page.click("a.cta[class*='plausible-event-cta=partner']")  # external, with UTM
        page.wait_for_url(re.compile(r"^https://hosting\.example\.net/"))
    finally:
        context.close()
    db = data / "events.sqlite3"
    clicks = wait_rows(db, "SELECT props, revenue_amount, revenue_currency, pathname FROM events"
                           " WHERE name = 'CTA Click' ORDER BY id", 2)
    first, second = (json.loads(c[0]) for c in clicks)
    assert first == {"cta": "newsletter", "post": POST, "url": f"{svc.url}/newsletter/"}
    assert clicks[0][1:] == ("5.00", "EUR", f"/2026/{POST}/")
    assert second["cta"] == "partner" and "utm_campaign=own-your-channel" in second["url"]
    pageviews = wait_rows(db, "SELECT pathname FROM events WHERE name = 'pageview' ORDER BY id", 3)
    assert [p[0] for p in pageviews][:3] == [f"/2026/{POST}/", "/newsletter/", f"/2026/{POST}/"]

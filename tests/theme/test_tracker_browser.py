"""The first-party tracker in real Chromium, against the built sample site served on 127.0.0.1
by a real HTTP server that also records every POST /api/event it receives.

Each test's browser context has its own User-Agent, and the receiver files events by it, so
a late event from another test (a page closed while sending) cannot be counted here. "Exactly
one event" is checked after a sentinel: once a later event from the same context has arrived,
a duplicate click event (sent at click time, before it) would have arrived too."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ownmedia.site import build_site

pytestmark = pytest.mark.browser

DOMAIN = "blog.test"
TIMEOUT = 15.0
POST = "own-your-channel"  # sample post with an external CTA, an outbound and a PDF link
CTA_POST = "calls-to-action"  # sample post with the media-kit CTA and an end-of-post CTA
EXTERNAL = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")


@dataclass
class Received:
    """Event bodies and headers as they arrive, with a condition to wait on."""

    events: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def add(self, event: dict, headers: dict) -> None:
        with self.cond:
            self.events.append(event)
            self.headers.append(headers)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout: float = TIMEOUT) -> list[dict]:
        """All events so far, once one matches `predicate` (fails after `timeout`)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                events = list(self.events)
                if any(predicate(e) for e in events):
                    return events
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"no matching event within {timeout}s; got {events}")
                self.cond.wait(left)


def make_handler(received: Received):
    class Handler(SimpleHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's API)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path != "/api/event":
                self.send_error(404)
                return
            received.add(json.loads(body), dict(self.headers))
            self.send_response(202)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def send_error(self, code, message=None, explain=None):
            page = Path(self.directory) / "404.html"
            if code == 404 and self.command == "GET" and page.is_file():
                data = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            super().send_error(code, message, explain)

        def log_message(self, *args) -> None:
            pass

    return Handler


@dataclass
class Site:
    url: str
    received: Received
    requests: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # event names, in the order the page sent them


TRACKED = {"provider": "ownmedia", "domain": DOMAIN, "endpoint": "/api/event",
           "track_localhost": True, "track_automation": True}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Iterator:
    """Factory: builds(analytics) -> the sample site built with that ANALYTICS (cached)."""
    cache: dict[str, Path] = {}

    def _build(analytics: dict | None) -> Path:
        key = json.dumps(analytics, sort_keys=True)
        if key not in cache:
            out = tmp_path_factory.mktemp("tracked-site") / "output"
            cache[key] = build_site(out, SITEURL="", ANALYTICS=analytics)
        return cache[key]

    yield _build


@dataclass
class Visitor:
    page: object
    site: Site

    def events(self, predicate=lambda e: True) -> list[dict]:
        return self.site.received.wait_for(predicate)

    def sentinel(self) -> list[dict]:
        """Load a page with a unique URL and wait for its pageview: every event this visitor's
        earlier clicks sent is in by then. Returns the events received before it."""
        mark = uuid.uuid4().hex
        self.page.goto(f"{self.site.url}/about/?sentinel={mark}")
        events = self.events(lambda e: e["n"] == "pageview" and mark in e["u"])
        return events[: next(i for i, e in enumerate(events) if mark in e["u"])]


@pytest.fixture
def visit(browser, builds) -> Iterator:
    """Factory: visit(analytics, **context options) -> a Visitor with a fresh browser context
    and its own receiver on its own port (so no event of another test can be counted)."""
    started: list = []

    def _visit(analytics: dict | None = TRACKED, **options) -> Visitor:
        received = Received()
        server = ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(make_handler(received), directory=str(builds(analytics))))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        site = Site(f"http://127.0.0.1:{server.server_address[1]}", received)
        context = browser.new_context(**options)
        started.append((context, server))
        # other hosts never answer here: serve a stub so navigations away complete
        context.route(EXTERNAL, lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>elsewhere</title>"))
        page = context.new_page()
        page.on("request", lambda request: site.requests.append(request.url))

        def record(request) -> None:
            if request.method == "POST" and request.url.endswith("/api/event"):
                site.sent.append(json.loads(request.post_data)["n"])

        page.on("request", record)
        return Visitor(page, site)

    yield _visit
    for context, server in started:
        context.close()
        server.shutdown()
        server.server_close()


def named(name: str):
    return lambda e: e["n"] == name


def test_one_pageview_per_load_with_url_referrer_and_domain(visit):
    v = visit()
    post_url = f"{v.site.url}/2026/{POST}/"
    v.page.goto(post_url)
    first = v.events(named("pageview"))
    assert first == [{"n": "pageview", "u": post_url, "d": DOMAIN, "r": None}]
    v.page.click(".site-title a")
    v.events(lambda e: e["n"] == "pageview" and e["u"] == f"{v.site.url}/")
    events = v.sentinel()
    pageviews = [e for e in events if e["n"] == "pageview"]
    assert pageviews == [first[0], {"n": "pageview", "u": f"{v.site.url}/", "d": DOMAIN,
                                    "r": post_url}]
    assert all(h["Content-Type"].startswith("text/plain") for h in v.site.received.headers)


def test_external_cta_click_navigating_away_is_counted_once(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    link = v.page.locator("a.cta[class*='plausible-event-cta=partner']")
    href = link.get_attribute("href")
    assert "utm_campaign=own-your-channel" in href and "utm_content=partner" in href
    link.click()
    v.page.wait_for_url(re.compile(r"^https://hosting\.example\.net/"))
    events = v.sentinel()
    clicks = [e for e in events if e["n"] == "CTA Click"]
    assert len(clicks) == 1
    assert clicks[0]["p"] == {"cta": "partner", "post": POST, "url": href}
    assert clicks[0]["u"] == f"{v.site.url}/2026/{POST}/" and clicks[0]["d"] == DOMAIN
    assert not [e for e in events if e["n"] == "Outbound Link: Click"]  # tagged: one event


def test_internal_cta_with_revenue_is_counted_once(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    v.page.click(".cta-block.cta-end a.cta")  # site default: the newsletter landing page
    v.page.wait_for_url(f"{v.site.url}/newsletter/")
    events = v.sentinel()
    clicks = [e for e in events if e["n"] == "CTA Click"]
    assert len(clicks) == 1
    assert clicks[0]["p"] == {"cta": "newsletter", "post": POST,
                              "url": f"{v.site.url}/newsletter/"}
    assert clicks[0]["$"] == {"amount": "5.00", "currency": "EUR"}


def test_pdf_cta_is_a_cta_click_not_a_download(visit):
    v = visit(accept_downloads=True)
    v.page.goto(f"{v.site.url}/2026/{CTA_POST}/")
    v.page.click("a.cta[class*='plausible-event-cta=media-kit']")
    v.events(named("CTA Click"))
    events = v.sentinel()
    assert [e["p"] for e in events if e["n"] == "CTA Click"] == [
        {"cta": "media-kit", "post": CTA_POST, "url": f"{v.site.url}/images/media-kit.pdf"}]
    assert not [e for e in events if e["n"] == "File Download"]


def test_share_click_is_counted_once(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    link = v.page.locator("a.share-link[class*='plausible-event-network=linkedin']")
    href = link.get_attribute("href")
    with v.page.context.expect_page() as popup:
        link.click()
    popup.value.wait_for_load_state()
    events = v.sentinel()
    shares = [e for e in events if e["n"] == "Share"]
    assert len(shares) == 1
    assert shares[0]["p"] == {"network": "linkedin", "post": POST, "url": href}


def test_outbound_link_navigating_away_is_counted_once(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    link = v.page.locator(".entry-content a[href^='https://plausible.io']").first
    href = link.get_attribute("href")
    link.click()
    v.page.wait_for_url(href)
    events = v.sentinel()
    outbound = [e for e in events if e["n"] == "Outbound Link: Click"]
    assert [e["p"] for e in outbound] == [{"url": href}]


def test_pdf_link_is_a_file_download_counted_once(visit):
    v = visit(accept_downloads=True)
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    link = v.page.locator(".entry-content a[href$='.pdf']").first
    assert "plausible-event" not in (link.get_attribute("class") or "")
    link.click()
    v.events(named("File Download"))
    events = v.sentinel()
    downloads = [e for e in events if e["n"] == "File Download"]
    assert [e["p"] for e in downloads] == [{"url": f"{v.site.url}/images/media-kit.pdf"}]


def test_beforeprint_and_the_print_view_send_print(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    v.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    v.events(lambda e: e["n"] == "Print" and e["p"]["via"] == "beforeprint")
    v.page.click("a.print-link")
    v.events(lambda e: e["n"] == "Print" and e["p"]["via"] == "print-view")
    events = v.sentinel()
    prints = [e for e in events if e["n"] == "Print"]
    assert [e["p"] for e in prints] == [{"post": POST, "via": "beforeprint"},
                                        {"post": POST, "via": "print-view"}]
    print_view = [e for e in events if e["n"] == "pageview"][-1]
    assert prints[1]["u"] == print_view["u"] != f"{v.site.url}/2026/{POST}/"


def test_scrolling_sends_read_through_once_per_depth_and_engagement(visit):
    v = visit(viewport={"width": 800, "height": 400})
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    v.events(named("pageview"))
    height = v.page.evaluate(
        "(() => { const r = document.querySelector('[data-ownmedia-readthrough]')"
        ".getBoundingClientRect(); return r.top + scrollY + r.height })()")
    for y in (height * 0.3, height * 0.6, height, height, 0, height * 2):
        v.page.evaluate(f"window.scrollTo(0, {y})")
        v.page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
    v.events(lambda e: e["n"] == "Read Through" and e["p"]["depth"] == "100")
    v.sentinel()  # leaving the post sends its engagement event (pagehide)
    events = v.events(named("engagement"))
    depths = [e["p"]["depth"] for e in events if e["n"] == "Read Through"]
    assert sorted(depths, key=int) == ["25", "50", "75", "100"]
    assert all(e["p"]["post"] == POST and e["i"] is False
               for e in events if e["n"] == "Read Through")
    engagement = [e for e in events if e["n"] == "engagement"]
    assert engagement and engagement[0]["u"] == f"{v.site.url}/2026/{POST}/"
    assert engagement[0]["sd"] == 100 and engagement[0]["e"] >= 0


def test_read_through_is_not_sent_at_load(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    v.page.evaluate("plausible('Sentinel')")
    v.events(named("Sentinel"))
    v.page.evaluate("0")  # a round trip: Playwright has dispatched every earlier request event
    # requests are reported in the order the page made them: all load-time events came first
    assert v.site.sent == ["pageview", "Sentinel"]


def test_404_page_sends_404_with_path(visit):
    v = visit()
    response = v.page.goto(f"{v.site.url}/no/such/page/")
    assert response.status == 404
    events = v.events(named("404"))
    assert [e["p"] for e in events if e["n"] == "404"] == [{"path": "/no/such/page/"}]


def test_comment_form_submission_is_counted(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    v.page.fill("#comment-name", "Camille")
    v.page.fill("#comment-body", "Merci pour ce billet.")
    v.page.click("form.comment-form button[type=submit]")
    events = v.events(named("Form: Submission"))
    assert [e["p"] for e in events if e["n"] == "Form: Submission"] == [
        {"form": "comment", "post": POST}]


def test_tagged_element_counts_up_to_three_ancestors(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    v.page.evaluate("""() => {
      const d = document.createElement('div');
      d.className = 'plausible-event-name=Custom+Thing plausible-event-place--top';
      d.innerHTML = '<span><b><i id=deep3>3</i></b></span>'
        + '<span><b><i><u id=deep4>4</u></i></b></span>';
      document.querySelector('main').prepend(d);
    }""")
    v.page.click("#deep4")  # four levels down: not counted
    v.page.click("#deep3")  # three levels down: counted
    events = v.sentinel()
    assert [e["p"] for e in events if e["n"] == "Custom Thing"] == [{"place": "top"}]


def test_opt_out_button_stops_all_events(visit):
    v = visit()
    v.page.goto(f"{v.site.url}/privacy/")
    button = v.page.locator("[data-ownmedia-optout]")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert v.page.evaluate("localStorage.getItem('plausible_ignore')") == "true"
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    v.page.click(".cta-block.cta-end a.cta")
    v.page.wait_for_url(f"{v.site.url}/newsletter/")
    v.page.goto(f"{v.site.url}/privacy/")
    v.page.locator("[data-ownmedia-optout]").click()  # measure again
    assert v.page.evaluate("localStorage.getItem('plausible_ignore')") is None
    events = v.sentinel()
    # the first privacy page counted; nothing while opted out; measured again after
    assert [e["n"] for e in events if e["u"] == f"{v.site.url}/privacy/"][0] == "pageview"
    assert [e["n"] for e in events if e["n"] != "engagement"] == ["pageview"]
    assert not [e for e in events if POST in e["u"] or "newsletter" in e["u"]]
    cookies = v.page.context.cookies()
    assert cookies == []


@pytest.mark.parametrize("flags", [{"track_localhost": True}, {"track_automation": True}],
                         ids=["automation-not-tracked", "localhost-not-tracked"])
def test_localhost_and_automated_browsers_are_not_counted_unless_configured(visit, flags):
    v = visit({"provider": "ownmedia", "domain": DOMAIN, **flags})
    v.page.goto(f"{v.site.url}/2026/{POST}/")
    v.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    v.page.click(".cta-block.cta-end a.cta")
    v.page.wait_for_url(f"{v.site.url}/newsletter/")
    assert v.page.evaluate("navigator.webdriver") is True
    # the tracker ran (it replaced the queue stub) yet posted nothing
    assert v.page.evaluate("typeof window.plausible.q") == "undefined"
    assert not [u for u in v.site.requests if u.endswith("/api/event")]
    assert v.site.received.events == []


def test_provider_none_makes_no_request_beyond_its_origin(visit):
    v = visit(None, accept_downloads=True)
    origin = v.site.url + "/"
    for path in (f"/2026/{POST}/", "/", "/no/such/page/", f"/2026/{CTA_POST}/"):
        v.page.goto(origin + path.lstrip("/"))
        v.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        v.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    v.page.click("a.cta[class*='plausible-event-cta=media-kit']")  # a same-site CTA
    v.page.goto(origin + "privacy/")
    network = [u for u in v.site.requests if u.startswith(("http:", "https:"))]
    assert network, "the browser made no request at all?"
    assert [u for u in network if not u.startswith(origin)] == []
    assert not [u for u in network if "tracker.js" in u or "/api/event" in u]
    assert v.page.evaluate("typeof window.plausible") == "undefined"
    assert v.site.received.events == []

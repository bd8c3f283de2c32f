"""POST /api/event over ASGI: answers, headers, limits, proxies, bots."""

import json
import sqlite3

import pytest
from starlette.testclient import TestClient

from tests.service.eventapp import CHROME, count, events_app

BODY = {"n": "pageview", "u": "https://example.org/post/", "d": "example.org"}


@pytest.fixture
def client(tmp_path):
    app = events_app(tmp_path, server={"trusted_proxies": ["10.0.0.0/8"]})
    with TestClient(app, client=("192.0.2.1", 5555)) as c:
        c.headers["User-Agent"] = CHROME
        yield c


def post(client, body, **headers):
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/api/event", content=raw, headers=headers)


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_accepts_json_whatever_the_content_type(client, tmp_path, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    r = post(client, BODY, **headers)
    assert (r.status_code, r.text) == (202, "ok")
    assert r.headers["access-control-allow-origin"] == "*"
    assert "x-plausible-dropped" not in r.headers
    assert count(tmp_path) == 1


def test_preflight(client):
    r = client.options("/api/event", headers={"Origin": "https://other.example",
                                              "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]


def test_bad_field_gets_400_naming_it(client, tmp_path):
    r = post(client, {**BODY, "n": "x" * 121})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["name"]
    r = post(client, {**BODY, "d": "unknown.example"})
    assert r.status_code == 400 and "unknown domain" in r.json()["errors"]["domain"][0]
    r = post(client, b"{not json")
    assert r.status_code == 400 and r.json()["errors"]["body"] == ["not valid JSON"]
    assert count(tmp_path) == 0


def test_missing_user_agent(client, tmp_path):
    """Accepted like Plausible does, with browser, OS and device unknown."""
    r = client.post("/api/event", content=json.dumps(BODY), headers={"User-Agent": ""})
    assert r.status_code == 202
    assert count(tmp_path, "SELECT count(*) FROM events WHERE device = ''") == 1


def test_413_over_64_kb(client, tmp_path):
    big = json.dumps({**BODY, "p": {"pad": "x" * 1000}, "pad": "y" * 70_000})
    r = post(client, big)
    assert r.status_code == 413 and "body" in r.json()["errors"]

    def chunks():  # no Content-Length: counted while reading
        yield b'{"pad": "'
        for _ in range(70):
            yield b"z" * 1024
        yield b'"}'

    r = client.post("/api/event", content=chunks())
    assert r.status_code == 413
    assert count(tmp_path) == 0


def test_bots_dropped_with_header_and_counted(client, tmp_path):
    r = post(client, BODY, **{"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; "
                              "+http://www.google.com/bot.html)"})
    assert (r.status_code, r.text, r.headers["x-plausible-dropped"]) == (202, "ok", "1")
    assert count(tmp_path) == 0
    assert count(tmp_path, "SELECT count FROM dropped WHERE reason = 'bot'") == 1


def visitors(tmp_path):
    conn = sqlite3.connect(tmp_path / "events.sqlite3")
    try:
        return [r[0] for r in conn.execute("SELECT visitor_id FROM events ORDER BY id")]
    finally:
        conn.close()


def test_x_forwarded_for_only_from_trusted_proxies(tmp_path):
    app = events_app(tmp_path, server={"trusted_proxies": ["10.0.0.0/8"]})
    with TestClient(app, client=("10.1.2.3", 1)) as proxied, \
            TestClient(app, client=("192.0.2.50", 1)) as direct:
        for c in (proxied, direct):
            c.headers["User-Agent"] = CHROME
        post(proxied, BODY, **{"X-Forwarded-For": "198.51.100.7, 10.1.2.3"})
        post(proxied, BODY, **{"X-Forwarded-For": "garbage, 198.51.100.7"})
        post(direct, BODY, **{"X-Forwarded-For": "198.51.100.7"})  # spoof attempt: ignored
        post(direct, BODY)
    a, b, c, d = visitors(tmp_path)
    assert a == b  # both resolved to 198.51.100.7
    assert c == d != a  # the untrusted peer's own address


def test_row_values(client, tmp_path):
    post(client, {"name": "CTA Click", "url": "https://www.example.org/p/?utm_campaign=spring",
                  "domain": "example.org", "referrer": "https://www.linkedin.com/feed/",
                  "props": {"cta": "newsletter", "n": 2}, "interactive": False,
                  "revenue": {"currency": "EUR", "amount": "9.90"}})
    conn = sqlite3.connect(tmp_path / "events.sqlite3")
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM events").fetchone())
    conn.close()
    assert row["name"] == "CTA Click" and row["hostname"] == "example.org"
    assert row["pathname"] == "/p/" and row["utm_campaign"] == "spring"
    assert row["referrer_source"] == row["v_source"] == "LinkedIn"
    assert json.loads(row["props"]) == {"cta": "newsletter", "n": "2"}
    assert (row["revenue_amount"], row["revenue_currency"], row["interactive"]) == (
        "9.90", "EUR", 0)


def test_collector_published_for_other_parts(tmp_path):
    app = events_app(tmp_path)
    collector = app.state.ctx.state["events"]
    with TestClient(app):
        row = collector.ingest_sync(
            {"name": "Comment", "url": "https://example.org/post/", "domain": "example.org",
             "props": {"post": "hello"}}, CHROME, "192.0.2.9")
    assert row["name"] == "Comment" and row["id"] == 1

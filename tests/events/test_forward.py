"""Forwarding through the outbox to a real HTTP receiver on loopback that fails for a while
(503), then recovers: every event is delivered exactly once, with the visitor's User-Agent
and IP, and the outbox (which holds the IP) ends empty."""

import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.service.eventapp import CHROME

FAIL_FIRST = 7
EVENTS = 20


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.cond = threading.Condition()
        self.requests = 0
        self.accepted: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server: Receiver = self.server
        with server.cond:
            server.requests += 1
            failing = server.requests <= FAIL_FIRST
            if not failing:
                server.accepted.append({
                    "path": self.path, "body": json.loads(body),
                    "ua": self.headers["User-Agent"], "xff": self.headers["X-Forwarded-For"],
                })
            server.cond.notify_all()
        self.send_response(503 if failing else 202)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def outbox_size(data) -> int:
    conn = sqlite3.connect(data / "events.sqlite3")
    try:
        return conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        conn.close()


def test_forwarding_retries_then_delivers_each_event_once(start_service, receiver, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    site.mkdir()
    config = tmp_path / "ownmedia.toml"
    config.write_text(
        '[server]\ntrusted_proxies = ["127.0.0.1"]\n'
        f'[analytics]\nforward_url = "{receiver.url}"\n'
        "forward_backoff_seconds = 0.05\nforward_backoff_max_seconds = 0.2\n"
    )
    svc = start_service("--data", data, "--site", site, "--config", config)
    with httpx.Client(base_url=svc.url, headers={"User-Agent": CHROME}) as client:
        for i in range(EVENTS):
            r = client.post("/api/event", headers={"X-Forwarded-For": f"198.51.100.{i}"},
                            content=json.dumps({"n": "pageview", "d": "localhost",
                                                "u": f"http://localhost/f/{i}"}))
            assert r.status_code == 202
    with receiver.cond:
        assert receiver.cond.wait_for(lambda: len(receiver.accepted) >= EVENTS, timeout=30), (
            f"{len(receiver.accepted)} delivered of {EVENTS}")
    deadline = time.monotonic() + 30
    while outbox_size(data) and time.monotonic() < deadline:  # the deletes follow the answers
        with receiver.cond:
            receiver.cond.wait(timeout=0.05)
    assert outbox_size(data) == 0  # nothing left to send: no further deliveries can happen
    assert receiver.requests >= EVENTS + FAIL_FIRST
    got = sorted(receiver.accepted, key=lambda d: int(d["body"]["url"].rsplit("/", 1)[1]))
    assert [d["body"]["url"] for d in got] == [f"http://localhost/f/{i}" for i in range(EVENTS)]
    assert all(d["path"] == "/api/event" and d["ua"] == CHROME for d in got)
    assert [d["xff"] for d in got] == [f"198.51.100.{i}" for i in range(EVENTS)]
    assert got[0]["body"]["domain"] == "localhost" and got[0]["body"]["name"] == "pageview"
    log = "".join(svc.log)
    assert "to retry, last error: HTTP 503" in log

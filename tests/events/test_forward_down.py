"""The upstream is not even listening at first (connection refused), then comes up: the
outbox keeps the events, retries with backoff, delivers each once and empties."""

import asyncio
import json
import socket
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ownmedia.config import AnalyticsConfig
from ownmedia.events import EventCollector, EventStore
from ownmedia.events.forward import Forwarder

UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36")


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.cond:
            self.server.got.append((body["url"], self.headers["X-Forwarded-For"]))
            self.server.cond.notify_all()
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def attempts(path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT attempts FROM outbox")]
    finally:
        conn.close()


def test_connection_refused_then_recovery(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here until the sink starts
    db = tmp_path / "events.sqlite3"
    cfg = AnalyticsConfig(forward_url=f"http://127.0.0.1:{port}", forward_backoff_seconds=0.05,
                          forward_backoff_max_seconds=0.2, forward_timeout_seconds=2)

    async def scenario() -> list:
        store = EventStore(db, forward=True)
        collector = EventCollector(store, ["localhost"])
        forwarder = Forwarder(store, cfg)
        forwarder.start()
        for i in range(5):
            await collector.ingest({"n": "pageview", "u": f"http://localhost/{i}",
                                    "d": "localhost"}, UA, f"192.0.2.{i}")
        deadline = asyncio.get_running_loop().time() + 20
        while not (attempts(db) and min(attempts(db)) >= 2):  # refused at least twice
            assert asyncio.get_running_loop().time() < deadline, attempts(db)
            await asyncio.sleep(0.02)
        sink = ThreadingHTTPServer(("127.0.0.1", port), Sink)
        sink.got, sink.cond = [], threading.Condition()
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        try:
            while attempts(db) or len(sink.got) < 5:
                assert asyncio.get_running_loop().time() < deadline + 20, (sink.got, attempts(db))
                await asyncio.sleep(0.02)
        finally:
            await forwarder.stop()
            await store.aclose()
            sink.shutdown()
            sink.server_close()
        return sink.got

    got = asyncio.run(scenario())
    assert sorted(got) == [(f"http://localhost/{i}", f"192.0.2.{i}") for i in range(5)]

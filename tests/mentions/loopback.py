"""A small real HTTP server on loopback whose pages the test changes while it runs."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Pages:
    """path -> (status, headers, body); records POSTs as (path, headers, body)."""

    def __init__(self):
        self.pages: dict[str, tuple[int, dict, bytes]] = {}
        self.posts: list[tuple[str, dict, bytes]] = []
        self.hits: Counter[str] = Counter()  # path -> requests seen (GET and POST)
        self.once: set[str] = set()  # paths that answer 410 after their first request
        self.release = threading.Event()  # for a deliberately stuck page
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def set(self, path: str, body: str | bytes = b"", status: int = 200,
            headers: dict | None = None) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = (status, {"Content-Type": "text/html; charset=utf-8",
                                     **(headers or {})}, data)
        return self.url + path

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self):
                pages.hits[self.path] += 1
                if self.path == "/stuck":
                    pages.release.wait(10)
                status, headers, body = pages.pages.get(
                    self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
                if self.path in pages.once and pages.hits[self.path] > 1:
                    status, headers, body = 410, {"Content-Type": "text/plain"}, b"expired"
                self.send_response(status)
                for k, v in headers.items():
                    for one in v if isinstance(v, list) else [v]:  # a list: repeated header
                        self.send_header(k, one)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._answer()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                pages.posts.append((self.path, dict(self.headers), self.rfile.read(length)))
                self._answer()

        return Handler

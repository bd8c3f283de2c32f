"""One PostgreSQL pool per process and database URL: a real `ownmedia serve` under concurrent
events, comments and admin logins never holds more connections than `[storage] pool_size`
(counted by the server, in pg_stat_activity), and every event it accepted is stored."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import psycopg

from tests.comments.sitekit import wait_for
from tests.service.eventapp import CHROME
from tests.storage.test_postgres_service import admin_login, migrate, pg_site, post_comment

POOL_SIZE = 3
EVENTS = 300
CONCURRENCY = 32
COUNTER = "connection-counter"  # the counters' own connections, not counted


class ConnectionCounter(threading.Thread):
    """Polls pg_stat_activity for the connections to one database (its own excepted) and
    keeps the highest count seen."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.most = 0
        self.at_most: list[tuple] = []
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True, application_name=COUNTER) as conn:
            while not self.done.is_set():
                rows = conn.execute(
                    "SELECT application_name, left(query, 60) FROM pg_stat_activity WHERE"
                    " datname = current_database() AND backend_type = 'client backend'"
                    " AND application_name <> %s",
                    [COUNTER]).fetchall()
                if len(rows) > self.most:
                    self.most, self.at_most = len(rows), rows
                self.samples += 1
                self.done.wait(0.01)


async def send_events(base: str) -> list[int]:
    limit = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, timeout=60,
                                 headers={"User-Agent": CHROME}) as client:
        async def one(i: int) -> int:
            async with limit:
                body = {"n": "pageview", "d": "localhost", "u": f"http://localhost/p/{i}"}
                r = await client.post("/api/event", content=json.dumps(body),
                                      headers={"X-Forwarded-For": f"203.0.113.{i % 250}"})
                return r.status_code
        return await asyncio.gather(*(one(i) for i in range(EVENTS)))


def test_serve_opens_at_most_the_pool_size_of_connections(tmp_path, postgres_url,
                                                          start_service):
    site = pg_site(tmp_path, postgres_url, comments_toml="rate_limit = 10\n")
    config = site.config_file.read_text().replace(
        "[storage]\n", f"[storage]\npool_size = {POOL_SIZE}\n")
    config = config.replace("[server]\n", '[server]\ntrusted_proxies = ["127.0.0.1"]\n')
    site.config_file.write_text(config + '[analytics]\ndomains = ["localhost"]\n')
    migrate(site)
    svc = start_service("--config", site.config_file)
    wait_for(lambda: "live publishing ready" in "".join(svc.log), timeout=120)

    counter = ConnectionCounter(postgres_url)
    counter.start()
    comments: list[int] = []

    def comment_and_log_in() -> None:  # the comment, mail and auth stores, meanwhile
        for n in range(5):
            comments.append(post_comment(svc.url, f"comment {n} during the load").status_code)
        admin_login(svc.url).close()

    side = threading.Thread(target=comment_and_log_in)
    side.start()
    try:
        statuses = asyncio.run(send_events(svc.url))
        side.join(120)
    finally:
        deadline = time.monotonic() + 5
        while counter.samples < 10 and time.monotonic() < deadline:
            time.sleep(0.01)  # a few samples at least, even on a fast run
        counter.done.set()
        counter.join(10)

    assert statuses.count(202) == EVENTS, sorted(set(statuses))
    assert comments == [201] * 5
    assert 1 <= counter.most <= POOL_SIZE, counter.at_most
    with psycopg.connect(postgres_url) as conn:
        stored = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert stored == EVENTS

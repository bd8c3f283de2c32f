"""Two real `ownmedia serve` processes on one PostgreSQL database behave as one service: a
visitor whose requests alternate between them is one visitor with one visit, the Stats API of
either counts every event, and the forwarding outbox delivers each event exactly once
whichever instance took it (upstream: a real HTTP receiver on loopback, failing at first)."""

from __future__ import annotations

import json
import time
from collections import Counter

import httpx
import psycopg
import pytest

from ownmedia.config import load_config
from ownmedia.stats.keys import KeyStore
from tests.events.test_forward import Receiver
from tests.service.eventapp import CHROME

VISITS = 12      # pageviews of the one visitor who alternates between the instances
OTHERS = 20      # one pageview each from other visitors, alternating too


@pytest.fixture
def receiver():
    import threading

    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _outbox_size(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM outbox").fetchone()[0]


def test_two_instances_share_visitors_visits_and_the_outbox(start_service, postgres_url,
                                                           receiver, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    config = tmp_path / "ownmedia.toml"
    config.write_text(
        '[server]\ntrusted_proxies = ["127.0.0.1"]\n'
        f'[analytics]\nforward_url = "{receiver.url}"\n'
        "forward_backoff_seconds = 0.05\nforward_backoff_max_seconds = 0.2\n"
        f'[storage]\nurl = "{postgres_url}"\n'
    )
    keys = KeyStore(load_config(config))  # in the shared database: both instances know it
    _, key = keys.create("tests")
    keys.close()
    instances = [start_service("--data", tmp_path / name, "--site", site, "--config", config)
                 for name in ("a", "b")]
    clients = [httpx.Client(base_url=svc.url, headers={"User-Agent": CHROME})
               for svc in instances]
    sent = []
    try:
        for i in range(VISITS):  # the same visitor (User-Agent + address), instance a, b, a...
            url = f"http://localhost/visit/{i}"
            r = clients[i % 2].post("/api/event", headers={"X-Forwarded-For": "198.51.100.7"},
                                    content=json.dumps({"n": "pageview", "d": "localhost",
                                                        "u": url}))
            assert r.status_code == 202, r.text
            sent.append(url)
        for i in range(OTHERS):
            url = f"http://localhost/other/{i}"
            r = clients[i % 2].post("/api/event", headers={"X-Forwarded-For": f"203.0.113.{i}"},
                                    content=json.dumps({"n": "pageview", "d": "localhost",
                                                        "u": url}))
            assert r.status_code == 202, r.text
            sent.append(url)
        r = clients[1].post("/api/v2/query", headers={"Authorization": f"Bearer {key}"},
                            json={"site_id": "localhost", "date_range": "all",
                                  "metrics": ["visitors", "visits", "pageviews"]})
        assert r.status_code == 200, r.text  # keys are shared: b knows the key made for a
        assert r.json()["results"][0]["metrics"] == [1 + OTHERS, 1 + OTHERS, VISITS + OTHERS]
        r = clients[0].post("/api/v2/query", headers={"Authorization": f"Bearer {key}"},
                            json={"site_id": "localhost", "date_range": "all",
                                  "metrics": ["visitors", "visits", "pageviews"]})
        assert r.status_code == 200, r.text
        assert r.json()["results"][0]["metrics"] == [1 + OTHERS, 1 + OTHERS, VISITS + OTHERS]
    finally:
        for client in clients:
            client.close()

    with psycopg.connect(postgres_url) as conn:
        visitors, visits = conn.execute(
            "SELECT count(DISTINCT visitor_id), count(DISTINCT session_id) FROM events"
            " WHERE pathname LIKE '/visit/%'").fetchone()
        pageviews, entry, exit_page = conn.execute(
            "SELECT pageviews, entry_page, exit_page FROM sessions s WHERE EXISTS (SELECT 1"
            " FROM events e WHERE e.session_id = s.session_id AND e.pathname = '/visit/0')"
        ).fetchone()
    assert (visitors, visits) == (1, 1)
    assert (pageviews, entry, exit_page) == (VISITS, "/visit/0", f"/visit/{VISITS - 1}")

    with receiver.cond:
        assert receiver.cond.wait_for(lambda: len(receiver.accepted) >= len(sent), timeout=30), (
            f"{len(receiver.accepted)} delivered of {len(sent)}")
    deadline = time.monotonic() + 30
    while _outbox_size(postgres_url) and time.monotonic() < deadline:
        with receiver.cond:
            receiver.cond.wait(timeout=0.05)
    assert _outbox_size(postgres_url) == 0
    delivered = Counter(d["body"]["url"] for d in receiver.accepted)
    assert delivered == Counter(sent)  # each event exactly once, whichever instance took it

"""The Stats API on PostgreSQL reads through the process's one pool: however many threads
answer queries at once, the server sees at most `[storage] pool_size` connections from the
service (counted in pg_stat_activity, during the load and after it), every thread gets the
same answer, and a query that starts after a 202 counts that event (read-your-writes). A
database that is down is reported at once, by its refusal."""

from __future__ import annotations

import json
import warnings
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from ownmedia.config import load_config
from ownmedia.service.app import create_app
from ownmedia.stats.keys import KeyStore
from ownmedia.storage.errors import DatabaseUnavailable
from ownmedia.storage.postgres.stats import PostgresStatsBackend
from tests.service.eventapp import CHROME
from tests.storage.test_postgres_pool import COUNTER, ConnectionCounter

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SITE = "example.org"
POOL_SIZE = 3
THREADS = 16
QUERIES = 6  # per thread


def _connections(url: str) -> int:
    """The database's connections now, the counters' own excepted."""
    with psycopg.connect(url, autocommit=True, application_name=COUNTER) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                            " current_database() AND backend_type = 'client backend'"
                            " AND application_name <> %s",
                            [COUNTER]).fetchone()[0]


def _event(client: TestClient, n: int) -> None:
    body = {"n": "pageview", "u": f"https://{SITE}/post/{n % 5}/", "d": SITE}
    r = client.post("/api/event", content=json.dumps(body),
                    headers={"User-Agent": CHROME, "X-Forwarded-For": f"198.51.100.{n % 250}"})
    assert r.status_code == 202, r.text


def _pageviews(client: TestClient, key: str, **extra) -> list:
    body = {"site_id": SITE, "date_range": "all", "metrics": ["pageviews", "visitors"], **extra}
    r = client.post("/api/v2/query", json=body, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_concurrent_stats_queries_stay_within_the_pool(tmp_path, postgres_url):
    data = tmp_path / "data"
    data.mkdir()
    config = load_config(None, server={"data": str(data), "site": str(data / "site"),
                                       "trusted_proxies": ["127.0.0.0/8"]},
                         analytics={"domains": [SITE]},
                         storage={"url": postgres_url, "pool_size": POOL_SIZE})
    keys = KeyStore(config)
    _, key = keys.create("pool")
    keys.close()
    with TestClient(create_app(config), client=("127.0.0.1", 5555)) as client:
        for n in range(30):
            _event(client, n)
        expected = _pageviews(client, key)
        assert expected[0]["metrics"][0] == 30

        counter = ConnectionCounter(postgres_url)
        counter.start()
        queries = [{}, {"dimensions": ["event:page"]}, {"dimensions": ["visit:source"]}]
        baseline = {i: _pageviews(client, key, **q) for i, q in enumerate(queries)}

        def reader(t: int) -> list[bool]:
            return [_pageviews(client, key, **queries[(t + i) % 3]) == baseline[(t + i) % 3]
                    for i in range(QUERIES)]

        try:
            with ThreadPoolExecutor(THREADS) as pool:
                answers = list(pool.map(reader, range(THREADS)))
            after = _connections(postgres_url)  # the service's worker threads idle, not gone
        finally:
            counter.done.set()
            counter.join(10)

        assert all(all(a) for a in answers), answers
        assert 1 <= counter.most <= POOL_SIZE, counter.at_most
        assert after <= POOL_SIZE

        for n in range(30, 33):  # read-your-writes: each 202 is in the next answer
            _event(client, n)
            assert _pageviews(client, key)[0]["metrics"][0] == n + 1


def test_a_database_down_is_reported_by_its_refusal_not_a_pool_timeout():
    from tests.pgserver import _free_port

    url = f"postgresql://ownmedia:secret@127.0.0.1:{_free_port()}/none"
    backend = PostgresStatsBackend(url)
    try:
        with pytest.raises(DatabaseUnavailable) as failed:
            backend.exists()
    finally:
        backend.close()
    message = str(failed.value)
    assert "ownmedia:***@127.0.0.1" in message and "secret" not in message
    assert "refused" in message.lower() and "couldn't get a connection" not in message

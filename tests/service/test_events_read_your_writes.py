"""Read-your-writes through the running service: an event answered 202 is counted by every
Stats API query that starts afterwards, from the rollups and from the events alike."""

from __future__ import annotations

import json
import warnings

import pytest

from ownmedia.config import load_config
from ownmedia.service.app import create_app
from ownmedia.stats.keys import KeyStore
from tests.service.eventapp import CHROME

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SITE = "example.org"


@pytest.fixture()
def service(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    keys = KeyStore(data)
    _, key = keys.create("read-your-writes")
    keys.close()
    config = load_config(None, server={"data": str(data), "site": str(data / "site"),
                                       "trusted_proxies": ["127.0.0.0/8"]},
                         analytics={"domains": [SITE]})
    with TestClient(create_app(config), client=("127.0.0.1", 5555)) as client:
        client.headers["Authorization"] = f"Bearer {key}"
        yield client


def event(client, n: int, name: str = "pageview") -> None:
    body = {"n": name, "u": f"https://{SITE}/post/{n % 7}/", "d": SITE}
    r = client.post("/api/event", content=json.dumps(body),
                    headers={"User-Agent": CHROME, "X-Forwarded-For": f"198.51.100.{n % 250}"
                             if n < 250 else f"203.0.113.{n % 250}"})
    assert r.status_code == 202, r.text


def count(client, **body) -> list:
    r = client.post("/api/v2/query", json={"site_id": SITE, "date_range": "all", **body})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]["metrics"] if r.json()["results"] else [0]


def test_every_query_after_a_202_counts_the_event(service):
    assert count(service, metrics=["visitors"]) == [0]  # the rollups exist and are current
    sent = pageviews = clicks = 0
    for burst in (1, 40, 3, 120):
        for _ in range(burst):
            event(service, sent)
            sent, pageviews = sent + 1, pageviews + 1
        event(service, sent, name="CTA Click")
        sent, clicks = sent + 1, clicks + 1
        # visit-level (rollup), page-level (rollup), goal (props rollup) and an events-only
        # query (a behavioural filter): all see every acknowledged event at once
        assert count(service, metrics=["pageviews", "events"]) == [pageviews, sent]
        pages = service.post("/api/v2/query", json={
            "site_id": SITE, "date_range": "all", "metrics": ["pageviews"],
            "dimensions": ["event:page"]}).json()["results"]
        assert sum(r["metrics"][0] for r in pages) == pageviews
        assert count(service, metrics=["events"],
                     filters=[["is", "event:goal", ["CTA Click"]]]) == [clicks]
        assert count(service, metrics=["events"],
                     filters=[["has_not_done", ["is", "event:name", ["nothing"]]]]) == [sent]

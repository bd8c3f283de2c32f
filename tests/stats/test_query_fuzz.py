"""Property-based fuzzing of POST /api/v2/query: whatever JSON comes in, the answer is a 200
or a 4xx naming the problem, never a 5xx (Python errors such as OverflowError or KeyError
would be)."""

from __future__ import annotations

import json
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownmedia.config import load_config
from ownmedia.events import EventCollector, EventStore
from ownmedia.service.app import create_app
from ownmedia.stats.keys import KeyStore
from ownmedia.stats.query import METRICS, OPERATORS, PRESETS, TIME_DIMENSIONS, VISIT_DIMENSIONS
from tests.service.eventapp import CHROME

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SITE = "example.org"
DIMENSIONS = sorted(VISIT_DIMENSIONS | TIME_DIMENSIONS | {
    "event:page", "event:goal", "event:hostname", "event:name", "event:props:cta",
    "event:props:", "visit:nope", "visit:city_name"})

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
           | st.text(max_size=20))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)
dates = st.one_of(st.dates().map(str), st.datetimes().map(lambda d: d.isoformat() + "Z"),
                  st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-01-01T25:00"]),
                  st.text(max_size=12))
leaf = st.tuples(st.sampled_from(sorted(OPERATORS) + ["exists?"]),
                 st.sampled_from(DIMENSIONS),
                 st.one_of(st.lists(st.one_of(st.text(max_size=8), st.integers()), max_size=3),
                           json_values)).map(list)
filters = st.recursive(leaf, lambda inner: st.one_of(
    st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, max_size=3)).map(list),
    st.tuples(st.sampled_from(["not", "has_done", "has_not_done"]), inner).map(list),
    st.tuples(st.just("sequence"), st.lists(inner, max_size=3)).map(list)), max_leaves=5)
queries = st.fixed_dictionaries(
    {"site_id": st.sampled_from([SITE, SITE, "other.test", 3]),
     "metrics": st.one_of(st.lists(st.sampled_from(sorted(METRICS) + ["nope"]), min_size=1,
                                   max_size=4, unique=True), json_values)},
    optional={
        "date_range": st.one_of(st.sampled_from(sorted(PRESETS) + ["realtime"]),
                                st.lists(dates, min_size=2, max_size=2), json_values),
        "dimensions": st.one_of(st.lists(st.sampled_from(DIMENSIONS), max_size=3), json_values),
        "filters": st.one_of(st.lists(filters, max_size=3), json_values),
        "order_by": st.one_of(st.lists(st.tuples(st.sampled_from(sorted(METRICS) + DIMENSIONS),
                                                 st.sampled_from(["asc", "desc", "up"])).map(list),
                                       max_size=2), json_values),
        "include": st.one_of(st.fixed_dictionaries({}, optional={
            "total_rows": st.booleans(), "time_labels": st.booleans(),
            "imports": json_values}), json_values),
        "pagination": st.one_of(st.fixed_dictionaries({}, optional={
            "limit": st.integers(-5, 20_000), "offset": st.integers(-5, 10**20)}), json_values),
    },
)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz") / "data"
    store = EventStore.in_dir(data)
    collector = EventCollector(store, [SITE])
    for i, name in enumerate(["pageview", "pageview", "CTA Click", "engagement"]):
        body = {"n": name, "u": f"https://{SITE}/p{i % 2}?utm_source=x", "d": SITE,
                "p": {"cta": "don"}, "sd": 40, "e": 1000,
                "$": {"currency": "EUR", "amount": "2"}}
        collector.ingest_sync(body, CHROME, "192.0.2.9")
    store.close()
    keys = KeyStore(data)
    _, key = keys.create("fuzz")
    keys.close()
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         analytics={"domains": [SITE]})
    with TestClient(create_app(config)) as c:
        c.headers["Authorization"] = f"Bearer {key}"
        yield c


def check(client, raw: bytes) -> None:
    r = client.post("/api/v2/query", content=raw)
    assert r.status_code in (200, 400), (r.status_code, raw[:300], r.text[:300])
    if r.status_code == 400:
        assert isinstance(r.json()["error"], str) and r.json()["error"]
    else:
        assert isinstance(r.json()["results"], list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(body=queries)
def test_nearly_valid_queries_never_fail_the_server(client, body):
    check(client, json.dumps(body).encode())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(body=json_values)
def test_any_json_never_fails_the_server(client, body):
    check(client, json.dumps(body).encode())


def test_the_overflowing_date_range_is_a_400(client):
    r = client.post("/api/v2/query", json={"site_id": SITE, "metrics": ["visitors"],
                                           "date_range": ["0001-01-01", "9999-12-31"]})
    assert r.status_code == 400 and "date_range" in r.json()["error"]


goal_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"site_id": st.sampled_from([SITE, "other.test", 3, None])}, optional={
        "goal_type": st.sampled_from(["event", "page", "nope", 1]),
        "event_name": st.one_of(st.text(max_size=130), json_values),
        "page_path": st.one_of(st.text(max_size=30), json_values),
        "display_name": st.one_of(st.text(max_size=130), json_values)}))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(body=goal_bodies, site=st.one_of(st.text(max_size=20), st.just(SITE)))
def test_goals_endpoint_never_fails_the_server(client, body, site):
    put = client.put("/api/v1/sites/goals", content=json.dumps(body).encode())
    assert put.status_code < 500, (put.status_code, body, put.text[:300])
    listed = client.get("/api/v1/sites/goals", params={"site_id": site})
    assert listed.status_code < 500, (listed.status_code, site, listed.text[:300])
    assert client.get("/api/v1/sites/goals", params={"site_id": SITE}).status_code == 200

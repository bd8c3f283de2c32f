"""Stats API v2 over the generated store: every metric, dimension, filter and error."""

from __future__ import annotations

import shutil
import sqlite3
import warnings

import pytest

from ownmedia.config import load_config
from ownmedia.service.app import create_app
from ownmedia.stats.keys import KeyStore
from tests.stats.conftest import PERIOD
from tests.storage.backends import BACKENDS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SITE = "127.0.0.1"


@pytest.fixture(scope="module", params=BACKENDS)
def api(request, sim, tmp_path_factory):
    """A client with a valid key, over a copy of the generated store (SQLite), or over the
    same events in PostgreSQL; `sql()` checks read the SQLite copy, which holds the same rows."""
    url = request.getfixturevalue("sim_postgres") if request.param == "postgres" else ""
    data = tmp_path_factory.mktemp("api") / "data"
    shutil.copytree(sim[0], data)
    # the generated site has no Pelican settings: no CTA goals or goal pages from the repo's
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         comments={"pelican_settings": str(data / "site" / "no-settings.py")},
                         storage={"url": url})
    keys = KeyStore(config)  # where the service reads them: the configured backend
    _, key = keys.create("tests")
    keys.close()
    with TestClient(create_app(config)) as client:
        client.headers["Authorization"] = f"Bearer {key}"
        client.data_dir = data
        client.config = config
        yield client


def query(api, status=200, **body):
    body = {"site_id": SITE, "date_range": PERIOD, **body}
    r = api.post("/api/v2/query", json=body)
    assert r.status_code == status, r.text
    return r.json()


def rows(api, **body) -> dict:
    """dimensions tuple (or single value) -> metrics list (or single value)."""
    out = {}
    for row in query(api, **body)["results"]:
        k = tuple(row["dimensions"])
        out[k[0] if len(k) == 1 else k] = row["metrics"][0] if len(row["metrics"]) == 1 \
            else row["metrics"]
    return out


def sql(api, statement, *params):
    conn = sqlite3.connect(api.data_dir / "events.sqlite3")
    try:
        return conn.execute(statement, params).fetchone()[0]
    finally:
        conn.close()


# --- metrics ---------------------------------------------------------------------------------

def test_aggregate_metrics(api, sim):
    truth = sim[1]
    got = query(api, metrics=["visitors", "visits", "pageviews", "events", "views_per_visit",
                              "bounce_rate", "visit_duration"])
    v, visits, pv, events, vpv, bounce, duration = got["results"][0]["metrics"]
    assert (v, visits, pv) == (truth["visitors"], truth["visits"], truth["pageviews"])
    assert events == sql(api, "SELECT COUNT(*) FROM events WHERE name != 'engagement'")
    assert vpv == round(pv / visits, 2)
    assert bounce == round(100 * sql(api, "SELECT AVG(pageviews <= 1 AND interactive_events <= 1)"
                                          " FROM sessions"))
    assert duration == round(sql(api, "SELECT AVG(end - start) FROM sessions"))
    assert got["query"]["metrics"][0] == "visitors"


def test_conversion_rate_and_percentage(api, sim):
    truth = sim[1]
    got = rows(api, metrics=["visitors", "conversion_rate"],
               filters=[["is", "event:goal", ["CTA Click"]]])
    visitors, rate = got[()]
    assert visitors == truth["goals"]["CTA Click"]["visitors"]
    assert rate == round(100 * visitors / truth["visitors"], 1)  # Plausible: one decimal
    by_goal = rows(api, metrics=["visitors", "conversion_rate"], dimensions=["event:goal"])
    assert by_goal["Print"][1] == round(100 * truth["goals"]["Print"]["visitors"]
                                        / truth["visitors"], 1)
    pct = rows(api, metrics=["visitors", "percentage"], dimensions=["visit:device"])
    assert abs(sum(p for _, p in pct.values()) - 100) < 0.1


def test_scroll_depth(api):
    got = rows(api, metrics=["scroll_depth"], dimensions=["event:page"],
               filters=[["contains", "event:page", ["billet-"]]])
    assert got and all(0 < v <= 100 for v in got.values())
    page = next(iter(got))
    expect = sql(api, "SELECT AVG(m) FROM (SELECT MAX(scroll_depth) m FROM events WHERE "
                      "name = 'engagement' AND pathname = ? GROUP BY visitor_id)", page)
    assert got[page] == round(expect)


# --- dimensions ------------------------------------------------------------------------------

def test_goal_and_props_dimensions(api, sim):
    truth = sim[1]
    goals = rows(api, metrics=["events", "visitors"], dimensions=["event:goal"])
    assert {g: {"events": e, "visitors": v} for g, (e, v) in goals.items()} == truth["goals"]
    ctas = rows(api, metrics=["events"], dimensions=["event:props:cta"],
                filters=[["is", "event:goal", ["CTA Click"]]])
    assert ctas == {c: t["clicks"] for c, t in truth["ctas"].items()}
    none = rows(api, metrics=["events"], dimensions=["event:props:cta"],
                filters=[["is", "event:goal", ["Share"]]])
    assert list(none) == ["(none)"]


def test_visit_dimensions(api, sim):
    truth = sim[1]
    assert rows(api, metrics=["visitors"], dimensions=["visit:source"]) == truth["sources"]
    for dim in ("visit:device", "visit:browser", "visit:os", "visit:entry_page",
                "visit:referrer", "visit:utm_source", "visit:utm_content", "visit:utm_term"):
        assert sum(rows(api, metrics=["visits"], dimensions=[dim]).values()) == truth["visits"]
    camp = rows(api, metrics=["visits"],
                dimensions=["visit:utm_medium", "visit:utm_source", "visit:utm_campaign"])
    assert {"|".join(k): v for k, v in camp.items() if k[0] != "(not set)"} == truth["campaigns"]


def test_time_dimensions(api, sim):
    truth = sim[1]
    weeks = query(api, metrics=["visitors", "pageviews"], dimensions=["time:week"],
                  include={"time_labels": True})
    got = {r["dimensions"][0]: dict(zip(["visitors", "pageviews"], r["metrics"], strict=True))
           for r in weeks["results"]}
    assert got == truth["weekly"]
    assert weeks["meta"]["time_labels"] == sorted(truth["weekly"])
    days = rows(api, metrics=["pageviews"], dimensions=["time:day"])
    assert len(days) == 91 and sum(days.values()) == truth["pageviews"]
    assert sum(rows(api, metrics=["pageviews"], dimensions=["time:month"]).values()) \
        == truth["pageviews"]
    assert list(rows(api, metrics=["pageviews"], dimensions=["time"])) == list(days)


# --- filters ---------------------------------------------------------------------------------

def test_filters(api, sim):
    truth = sim[1]

    def visits(*filters):
        return rows(api, metrics=["visits"], filters=list(filters))[()]

    direct = visits(["is", "visit:source", ["Direct / None"]])
    assert direct + visits(["is_not", "visit:source", ["Direct / None"]]) == truth["visits"]
    assert direct == visits(["not", ["is_not", "visit:source", ["Direct / None"]]])
    assert visits(["contains", "visit:source", ["oogle"]]) == \
        visits(["is", "visit:source", ["Google"]])
    assert visits(["contains", "visit:source", ["GOOGLE"], {"case_sensitive": False}]) == \
        visits(["is", "visit:source", ["Google"]])
    assert visits(["matches", "visit:source", ["^(Google|Direct / None)$"]]) == \
        visits(["or", [["is", "visit:source", ["Google"]], ["is", "visit:source",
                                                             ["Direct / None"]]]])
    assert visits(["contains_not", "visit:source", ["oogle"]]) + \
        visits(["contains", "visit:source", ["oogle"]]) == truth["visits"]
    assert visits(["matches_not", "visit:utm_medium", ["^print$"]]) == \
        truth["visits"] - truth["print_returns"]
    both = visits(["and", [["is", "visit:utm_medium", ["print"]],
                           ["is", "visit:device", ["Mobile"]]]])
    assert 0 < both < truth["print_returns"]
    cta = truth["ctas"]["don"]
    assert visits(["is", "event:goal", ["Visit /merci/"]],
                  ["has_done", ["and", [["is", "event:goal", ["CTA Click"]],
                                        ["is", "event:props:cta", ["don"]]]]]) \
        == cta["converted_visits"]
    assert visits(["has_not_done", ["is", "event:goal", ["CTA Click"]]]) < truth["visits"]


def test_order_pagination_total_rows(api):
    base = {"metrics": ["visitors"], "dimensions": ["event:page"],
            "include": {"total_rows": True}}
    first = query(api, **base, order_by=[["visitors", "asc"]], pagination={"limit": 5})
    assert len(first["results"]) == 5 and first["meta"]["total_rows"] > 5
    values = [r["metrics"][0] for r in first["results"]]
    assert values == sorted(values)
    second = query(api, **base, order_by=[["visitors", "asc"]],
                   pagination={"limit": 5, "offset": 5})
    assert second["results"][0]["metrics"][0] >= values[-1]
    by_name = query(api, **base, order_by=[["event:page", "desc"]], pagination={"limit": 3})
    names = [r["dimensions"][0] for r in by_name["results"]]
    assert names == sorted(names, reverse=True)


def test_date_ranges(api, sim):
    truth = sim[1]
    assert rows(api, metrics=["visitors"], date_range="all")[()] == truth["visitors"]
    end = PERIOD[1]
    week = rows(api, metrics=["pageviews"], date_range="7d", date=end)[()]
    days = rows(api, metrics=["pageviews"], dimensions=["time:day"])
    assert week == sum(v for d, v in days.items() if d > sorted(days)[-8])
    iso = rows(api, metrics=["visitors"],
               date_range=[PERIOD[0] + "T00:00:00Z", PERIOD[1] + "T23:59:59+00:00"])[()]
    assert iso == truth["visitors"]
    assert rows(api, metrics=["visitors"], date_range=["2020-01-01", "2020-01-31"])[()] == 0


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("patch", "named"), [
    ({"metrics": ["visitorz"]}, "visitorz"),
    ({"metrics": ["time_on_page"]}, "time_on_page"),
    ({"metrics": []}, "metrics"),
    ({"dimensions": ["event:nope"]}, "event:nope"),
    ({"dimensions": ["visit:exit_page_hostname"]}, "visit:exit_page_hostname"),
    ({"filters": [["like", "event:page", ["/"]]]}, "like"),
    ({"filters": [["is", "time:day", ["2026-01-01"]]]}, "time:day"),
    ({"filters": [["is", "event:goal", ["Nope"]]]}, "Nope"),
    ({"filters": [["matches", "event:page", ["("]]]}, "regular expression"),
    ({"filters": [["is", "event:page", []]]}, "Invalid filter"),
    ({"date_range": "fortnight"}, "fortnight"),
    ({"date_range": ["2026-13-01", "2026-01-01"]}, "date_range"),
    ({"date_range": ["0001-01-01", "9999-12-31"]}, "date_range"),
    ({"metrics": ["conversion_rate"]}, "conversion_rate"),
    ({"metrics": ["percentage"]}, "percentage"),
    ({"metrics": ["scroll_depth"]}, "scroll_depth"),
    ({"order_by": [["pageviews", "desc"]]}, "pageviews"),
    ({"pagination": {"limit": 0}}, "limit"),
    ({"include": {"imports_meta": True}}, "imports_meta"),
    ({"colour": "blue"}, "colour"),
    ({"site_id": "example.com"}, "example.com"),
])
def test_bad_queries_get_400_naming_the_problem(api, patch, named):
    body = {"site_id": SITE, "metrics": ["visitors"], "date_range": PERIOD, **patch}
    r = api.post("/api/v2/query", json=body)
    assert r.status_code == 400, r.text
    assert named in r.json()["error"]


def test_not_json_is_400(api):
    r = api.post("/api/v2/query", content=b"{nope")
    assert r.status_code == 400 and "JSON" in r.json()["error"]


def test_keys_are_required_and_revocable(api):
    body = {"site_id": SITE, "metrics": ["visitors"], "date_range": PERIOD}
    assert api.post("/api/v2/query", json=body, headers={"Authorization": ""}).status_code == 401
    assert api.post("/api/v2/query", json=body,
                    headers={"Authorization": "Bearer om_wrong"}).status_code == 401
    keys = KeyStore(api.config)
    info, key = keys.create("short-lived")
    ok = api.post("/api/v2/query", json=body, headers={"Authorization": f"Bearer {key}"})
    assert ok.status_code == 200
    assert keys.revoke(str(info.id)) == 1
    keys.close()
    if api.config.storage.url:
        import psycopg

        with psycopg.connect(api.config.storage.url) as conn:
            stored = conn.execute("SELECT hash FROM api_keys WHERE id = %s",
                                  (info.id,)).fetchone()
    else:
        with sqlite3.connect(api.data_dir / "keys.sqlite3") as conn:
            stored = conn.execute("SELECT hash FROM api_keys WHERE id = ?",
                                  (info.id,)).fetchone()
    assert key not in stored[0]
    r = api.post("/api/v2/query", json=body, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401


def test_goals_put_is_idempotent(api):
    goal = {"site_id": SITE, "goal_type": "page", "page_path": "/newsletter/",
            "display_name": "Newsletter page"}
    first = api.put("/api/v1/sites/goals", json=goal)
    again = api.put("/api/v1/sites/goals", json=goal)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    listed = api.get("/api/v1/sites/goals", params={"site_id": SITE}).json()["goals"]
    assert [g["display_name"] for g in listed].count("Newsletter page") == 1
    got = rows(api, metrics=["visitors"], filters=[["is", "event:goal", ["Newsletter page"]]])
    assert got[()] == sql(api, "SELECT COUNT(DISTINCT visitor_id) FROM events WHERE "
                               "name = 'pageview' AND pathname = '/newsletter/'")
    assert api.put("/api/v1/sites/goals", json={"site_id": SITE, "goal_type": "event"}) \
        .status_code == 400
    assert api.put("/api/v1/sites/goals", json={**goal, "extra": 1}).status_code == 400


def test_more_dimensions(api, sim):
    truth = sim[1]
    hosts = rows(api, metrics=["pageviews"], dimensions=["event:hostname"])
    assert hosts == {"127.0.0.1": truth["pageviews"]}
    names = rows(api, metrics=["events"], dimensions=["event:name"])
    assert names["pageview"] == truth["pageviews"] and "engagement" not in names
    hours = rows(api, metrics=["pageviews"], dimensions=["time:hour"],
                 date_range=[PERIOD[0], PERIOD[0]])
    assert all(len(h) == 19 and h.endswith(":00:00") for h in hours)
    assert sum(hours.values()) == rows(api, metrics=["pageviews"],
                                       date_range=[PERIOD[0], PERIOD[0]])[()]
    versions = rows(api, metrics=["visits"], dimensions=["visit:browser_version"])
    assert sum(versions.values()) == truth["visits"]

"""The rollups answer exactly what the events answer, and follow new events."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from ownmedia.stats.engine import rollup_for
from ownmedia.stats.query import parse_query
from ownmedia.stats.store import StatsStore
from tests.stats.conftest import PERIOD

SITE = "127.0.0.1"
CTA = [["is", "event:goal", ["CTA Click"]]]
RT100 = [["is", "event:goal", ["Read Through"]], ["is", "event:props:depth", ["100"]]]
QUERIES = [  # (expected rollup, body)
    (
        "visits",
        {
            "metrics": [
                "visitors",
                "visits",
                "pageviews",
                "views_per_visit",
                "bounce_rate",
                "visit_duration",
                "events",
            ]
        },
    ),
    ("visits", {"metrics": ["visitors", "visits", "percentage"], "dimensions": ["visit:source"]}),
    ("visits", {"metrics": ["visits"], "dimensions": ["visit:source", "visit:utm_medium"]}),
    (
        "visits",
        {
            "metrics": ["visitors", "visits"],
            "dimensions": ["visit:utm_medium", "visit:utm_source", "visit:utm_campaign"],
        },
    ),
    ("visits", {"metrics": ["visitors", "pageviews"], "dimensions": ["time:week"]}),
    (
        "visits",
        {
            "metrics": ["visitors"],
            "dimensions": ["visit:device", "time:month"],
            "filters": [["is_not", "visit:source", ["Direct / None"]]],
        },
    ),
    ("pages", {"metrics": ["visitors", "pageviews", "visits"], "dimensions": ["event:page"]}),
    (
        "pages",
        {
            "metrics": ["visits"],
            "dimensions": ["time:day", "event:page"],
            "filters": [["contains", "event:page", ["billet-00"]]],
        },
    ),
    (
        "props",
        {
            "metrics": ["visitors", "events"],
            "dimensions": ["event:goal"],
            "filters": [["is", "event:goal", ["CTA Click", "Print", "Share", "Comment"]]],
        },
    ),
    (
        "props",
        {
            "metrics": ["events"],
            "dimensions": ["event:goal", "event:props:post"],
            "filters": [["is", "event:goal", ["CTA Click", "Print", "Share", "Comment"]]],
        },
    ),
    ("props", {"metrics": ["visitors"], "dimensions": ["event:props:post"], "filters": RT100}),
    ("props", {"metrics": ["visitors"], "filters": RT100}),
    (
        "props",
        {
            "metrics": ["visitors", "visits", "events"],
            "dimensions": ["event:props:cta"],
            "filters": CTA,
        },
    ),
    (
        "props",
        {
            "metrics": ["events"],
            "dimensions": ["event:props:cta", "event:props:post"],
            "filters": CTA,
        },
    ),
    (
        "props",
        {
            "metrics": ["events"],
            "dimensions": ["time:week", "event:goal"],
            "filters": [["is", "event:goal", ["CTA Click", "Print"]]],
        },
    ),
    (
        "props",
        {
            "metrics": ["events"],
            "dimensions": ["event:props:cta"],  # no cta: "(none)"
            "filters": [["is", "event:goal", ["CTA Click", "Share"]]],
        },
    ),
    (
        None,
        {
            "metrics": ["visitors"],
            "dimensions": ["visit:entry_page"],
            "filters": [["is", "event:goal", ["Visit /merci/"]]],
        },
    ),
    # funnels: behavioural filters on r_visits, their steps' events stored per day
    (
        "visits",
        {
            "metrics": ["visits"],
            "dimensions": ["visit:entry_page"],
            "filters": [["has_done", ["and", RT100]]],
        },
    ),
    (
        "visits",
        {
            "metrics": ["visits", "visitors"],
            "filters": [
                ["sequence", [["and", RT100], CTA[0], ["is", "event:goal", ["Visit /merci/"]]]]
            ],
        },
    ),
    (
        "visits",
        {
            "metrics": ["visits"],
            "dimensions": ["visit:source"],
            "filters": [["sequence", [CTA[0], ["and", RT100]]]],
        },
    ),  # the other order
    (
        "visits",
        {
            "metrics": ["visits"],
            "dimensions": ["time:week"],
            "filters": [["sequence", [["is", "event:page", ["/"]], CTA[0]]]],
        },
    ),
    (None, {"metrics": ["visitors", "conversion_rate"], "dimensions": ["event:goal"]}),
]


@pytest.fixture()
def stores(sim, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sim[0], data)
    fast, slow = StatsStore(data, rollups=True), StatsStore(data, rollups=False)
    yield fast, slow, data
    fast.close()
    slow.close()


def answers(store: StatsStore) -> list:
    out = []
    for _, body in QUERIES:
        res = store.query({"site_id": SITE, "date_range": PERIOD, **body})["results"]
        out.append(sorted((tuple(r["dimensions"]), tuple(r["metrics"])) for r in res))
    return out


def test_each_query_takes_the_expected_path(stores):
    fast = stores[0]
    names = {g.display_name for g in fast.goals(SITE)}
    for kind, body in QUERIES:
        q = parse_query({"site_id": SITE, "date_range": PERIOD, **body}, names)
        assert rollup_for(q) == kind, body


def test_rollups_answer_like_the_events(stores):
    fast, slow, _ = stores
    assert answers(fast) == answers(slow)


def test_funnel_steps_are_stored_once(stores):
    fast = stores[0]
    answers(fast)
    conn = fast.reader()
    stored = dict(
        conn.execute(
            "SELECT s.step, COUNT(*) FROM st.r_steps s "
            "JOIN st.r_step_rows r ON r.step_id = s.id GROUP BY s.id"
        )
    )
    assert len(stored) == 4 and all(stored.values())  # RT100, CTA, /merci/, page /
    rows = conn.execute("SELECT COUNT(*) FROM st.r_step_rows").fetchone()[0]
    answers(fast)
    assert conn.execute("SELECT COUNT(*) FROM st.r_step_rows").fetchone()[0] == rows


def _copy_first_day(conn: sqlite3.Connection, shift: float, offset: int, vid: int) -> None:
    """The first day's events and sessions again, `shift` seconds later, as new visitors
    (ids are made per day) and new sessions (`offset` added to their ids); not committed."""
    cols = [r[1] for r in conn.execute("PRAGMA table_info(events)") if r[1] != "id"]
    conn.execute(
        f"INSERT INTO events ({', '.join(cols)}) SELECT "
        + ", ".join(
            "ts + ?"
            if c == "ts"
            else "session_id + ?"
            if c == "session_id"
            else f"visitor_id + {vid}"
            if c == "visitor_id"
            else c
            for c in cols
        )
        + " FROM events WHERE ts < (SELECT MIN(ts) FROM events) + 86400",
        (shift, offset),
    )
    scols = [r[1] for r in conn.execute("PRAGMA table_info(sessions)")]
    conn.execute(
        f"INSERT INTO sessions ({', '.join(scols)}) SELECT "
        + ", ".join(
            {
                "session_id": "session_id + ?",
                "visitor_id": "visitor_id + ?",
                "start": "start + ?",
                "end": "end + ?",
            }.get(c, c)
            for c in scols
        )
        + " FROM sessions WHERE start < (SELECT MIN(start) FROM sessions) + 86400",
        (offset, vid, shift, shift),
    )


def test_new_events_are_rolled_up(stores):
    fast, slow, data = stores
    before = answers(fast)
    conn = sqlite3.connect(data / "events.sqlite3")
    top = conn.execute("SELECT MAX(session_id) FROM events").fetchone()[0]
    # on the same day and on the last day
    for shift, offset, vid in ((0.0, top, 1), (86400.0 * 90, 2 * top, 2)):
        _copy_first_day(conn, shift, offset, vid)
    conn.commit()
    conn.close()
    after = answers(fast)
    assert after != before
    assert after == answers(slow)


def _full_refresh_with(conn, recompute) -> None:
    """Every day recomputed from scratch, through `recompute(conn, *args)` in place of the
    rollups' own day recomputation (which it calls: a test's events written meanwhile)."""
    from ownmedia.storage.sqlite import rollups as rollup

    real = rollup._recompute
    rollup._recompute = recompute
    try:
        conn.execute("UPDATE st.r_state SET watermark = 0")
        rollup.refresh(conn)
    finally:
        rollup._recompute = real


def test_a_refresh_never_locks_the_collector_out(stores):
    """While the rollups are being recomputed, the events file stays writable."""
    from ownmedia.storage.sqlite import rollups as rollup

    fast, _, data = stores
    conn = fast.reader()
    seen = []
    real = rollup._recompute

    def recompute_and_write(c, *args):
        real(c, *args)
        writer = sqlite3.connect(data / "events.sqlite3", timeout=0)  # no waiting at all
        try:
            writer.execute(
                "INSERT INTO dropped (day, domain, reason, count) "
                "VALUES ('2000-01-01', 'x', 'bot', 1)"
            )
            writer.commit()
            seen.append("written")
        finally:
            writer.close()

    _full_refresh_with(conn, recompute_and_write)
    assert seen and seen[0] == "written"


ENTRY_PAGE = {"metrics": ["visits"], "dimensions": ["visit:entry_page"]}


def test_visits_per_entry_page_read_the_entry_page_index(stores):
    fast = stores[0]
    fast.query({"site_id": SITE, "date_range": PERIOD, **ENTRY_PAGE})
    conn = fast.reader()
    plans = []
    conn.set_trace_callback(plans.append)
    try:
        fast.query(
            {
                "site_id": SITE,
                "date_range": PERIOD,
                **ENTRY_PAGE,
                "filters": [["has_done", ["and", RT100]]],
            }
        )
    finally:
        conn.set_trace_callback(None)
    sql = next(s for s in plans if "st.r_visits" in s)
    plan = [str(r[3]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    inner = plan[: plan.index("SCAN i")]  # the outer query groups the inner one's few rows
    assert any("COVERING INDEX r_visits_entry" in p for p in inner), plan
    assert not any("TEMP B-TREE" in p for p in inner), plan


def test_a_stats_file_of_an_older_version_gets_the_new_migrations(stores):
    fast, slow, data = stores
    before = answers(fast)
    fast.close()
    # as the version before left it: no entry-page index, the funnel steps' tables made by
    # their first query, the last two migrations not recorded
    old = sqlite3.connect(data / "stats.sqlite3")
    old.execute("DROP INDEX r_visits_entry")
    old.execute("DROP INDEX r_pages_path")
    old.execute(
        "DELETE FROM schema_migrations WHERE name IN "
        "('0005_visit_steps', '0006_entry_page_index', '0007_pages_by_path')"
    )
    old.commit()
    steps = old.execute("SELECT COUNT(*) FROM r_step_rows").fetchone()[0]
    old.close()
    again = StatsStore(data, rollups=True)
    try:
        conn = again.reader()
        assert (
            conn.execute(
                "SELECT COUNT(*) FROM st.sqlite_master WHERE name IN "
                "('r_visits_entry', 'r_pages_path')"
            ).fetchone()[0]
            == 2
        )
        assert conn.execute("SELECT COUNT(*) FROM st.r_step_rows").fetchone()[0] == steps > 0
        assert answers(again) == before == answers(slow)
    finally:
        again.close()


def test_counts_per_page_read_the_page_index(stores):
    fast = stores[0]
    body = {
        "site_id": SITE,
        "date_range": PERIOD,
        "metrics": ["visitors", "pageviews", "visits"],
        "dimensions": ["event:page"],
    }
    fast.query(body)
    conn = fast.reader()
    plans = []
    conn.set_trace_callback(plans.append)
    try:
        fast._cache.clear()
        fast.query(body)
    finally:
        conn.set_trace_callback(None)
    sql = next(s for s in plans if "st.r_pages" in s)
    plan = [str(r[3]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert any("COVERING INDEX r_pages_path" in p for p in plan), plan
    assert not any("TEMP B-TREE" in p for p in plan), plan


def _first_day(conn) -> int:
    return int(conn.execute("SELECT MIN(ts) FROM main.events").fetchone()[0] // 86400)


def test_a_day_in_one_run_of_ids_is_read_as_a_rowid_range(stores):
    from ownmedia.storage.sqlite.rollups import day_rows_source

    fast, slow, data = stores
    conn = fast.reader()
    day = _first_day(conn) + 1
    source, params = day_rows_source(conn, SITE, day, 10**12)
    plan = [
        str(r[3])
        for r in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT e.name FROM {source} AND e.name != 'engagement'", params
        )
    ]
    assert plan == ["SEARCH e USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"], plan
    n = conn.execute(
        "SELECT COUNT(*) FROM main.events WHERE domain = ? AND ts >= ? AND ts < ?",
        (SITE, day * 86400, (day + 1) * 86400),
    ).fetchone()[0]
    assert params["last"] - params["first"] + 1 == n > 0
    # a late event of that day, written after the others: the day is no longer one run
    writer = sqlite3.connect(data / "events.sqlite3")
    cols = [r[1] for r in writer.execute("PRAGMA table_info(events)") if r[1] != "id"]
    writer.execute(
        f"INSERT INTO events ({', '.join(cols)}) SELECT {', '.join(cols)} FROM events WHERE id = ?",
        (params["first"],),
    )
    writer.commit()
    writer.close()
    source, params = day_rows_source(conn, SITE, day, 10**12)
    assert "INDEXED BY events_domain_ts" in source and params["domain"] == SITE
    assert answers(fast) == answers(slow)


def test_page_rows_are_the_events_grouped_per_day_and_page(stores):
    """r_pages, counted by the refresh's reading thread, holds each day's and page's counts."""
    fast = stores[0]
    answers(fast)
    conn = fast.reader()
    stored = conn.execute(
        "SELECT day, pathname, visitors, visits, pageviews, events FROM st.r_pages "
        "WHERE domain = ? ORDER BY 1, 2",
        (SITE,),
    ).fetchall()
    grouped = conn.execute(
        "SELECT CAST(ts / 86400 AS INTEGER) AS d, pathname, COUNT(DISTINCT visitor_id), "
        "COUNT(DISTINCT session_id), SUM(name = 'pageview'), COUNT(*) FROM main.events "
        "WHERE domain = ? AND name != 'engagement' GROUP BY d, pathname ORDER BY 1, 2",
        (SITE,),
    ).fetchall()
    assert len(stored) > 1000 and [tuple(r) for r in stored] == [tuple(r) for r in grouped]


def test_events_written_during_a_refresh_are_counted_once_after_the_next(stores):
    """The refresh counts the events up to its watermark on both its connections; what was
    written meanwhile is counted by the next refresh, once."""
    from ownmedia.storage.sqlite import rollups as rollup

    fast, slow, data = stores
    conn = fast.reader()
    day = _first_day(conn)
    writer = sqlite3.connect(data / "events.sqlite3")
    top_session = writer.execute("SELECT MAX(session_id) FROM events").fetchone()[0]
    _copy_first_day(writer, 0.0, top_session, 1)  # the first day: no longer one run of ids
    writer.commit()
    real = rollup._recompute
    arrived = []

    def recompute_while_events_arrive(c, *args):
        if not arrived:  # after the refresh has read its watermark
            _copy_first_day(writer, 0.0, 2 * top_session, 2)
            writer.commit()
            arrived.append(True)
        real(c, *args)

    try:
        _full_refresh_with(conn, recompute_while_events_arrive)
    finally:
        writer.close()
    assert arrived
    mark = conn.execute("SELECT watermark FROM st.r_state").fetchone()[0]
    pageviews, custom = conn.execute(
        "SELECT SUM(name = 'pageview'), SUM(name NOT IN ('pageview', 'engagement')) "
        "FROM main.events WHERE domain = ? AND ts >= ? AND ts < ? AND id <= ?",
        (SITE, day * 86400, (day + 1) * 86400, mark),
    ).fetchone()
    span = (SITE, day)
    assert (
        conn.execute(
            "SELECT SUM(pageviews) FROM st.r_pages WHERE domain = ? AND day = ?", span
        ).fetchone()[0]
        == pageviews
    )
    assert (
        conn.execute(
            "SELECT SUM(pageviews) FROM st.r_visits WHERE domain = ? AND day = ?", span
        ).fetchone()[0]
        == pageviews
    )
    assert (
        conn.execute(
            "SELECT SUM(events) FROM st.r_props WHERE domain = ? AND day = ? AND k1 = ''", span
        ).fetchone()[0]
        == custom
    )
    assert rollup.refresh(conn) >= 1  # the day written meanwhile
    assert answers(fast) == answers(slow)

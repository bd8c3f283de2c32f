"""On PostgreSQL, funnel steps kept per day answer what the events answer, are stored once, and
follow new events (a second simulated batch written through the sink on the same days)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from ownmedia.review.simulate import SimSpec, simulate
from ownmedia.stats.store import StatsStore
from ownmedia.storage.postgres.events import PostgresEventSink
from ownmedia.storage.postgres.stats import PostgresStatsBackend
from tests.stats.test_rollup import QUERIES

SPEC = SimSpec(seed=11, events=6_000, posts=20, days=28)
PERIOD = [SPEC.start.isoformat(), SPEC.end.isoformat()]
FUNNELS = [body for _, body in QUERIES
           if any(f[0] in ("has_done", "sequence") for f in body.get("filters", []))]


def _write(url: str, spec: SimSpec, data) -> None:
    sink = PostgresEventSink(url, durable=False)
    try:
        simulate(data, spec, sink=sink)
    finally:
        sink.close()


@pytest.fixture()
def stores(postgres_url, tmp_path):
    """(with stored steps, steps read from the events, no rollups at all) over one database."""
    _write(postgres_url, SPEC, tmp_path / "a")
    made = []
    for rollups, stored in ((True, True), (True, False), (False, False)):
        backend = PostgresStatsBackend(postgres_url)
        if not stored:
            backend.step_rows = None
        made.append(StatsStore(tmp_path, rollups=rollups, backend=backend))
    yield made, postgres_url, tmp_path
    for store in made:
        store.close()


def answers(store: StatsStore, period: list[str] = PERIOD) -> list:
    out = []
    for body in FUNNELS:
        res = store.query({"site_id": SPEC.domain, "date_range": period, **body})["results"]
        out.append(sorted((tuple(r["dimensions"]), tuple(r["metrics"])) for r in res))
    return out


def _stored(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT s.step, COUNT(r.id) FROM st.r_steps s "
                                 "LEFT JOIN st.r_step_rows r ON r.step_id = s.id GROUP BY s.step"))


def test_stored_steps_answer_like_the_events(stores):
    (fast, events, plain), url, _ = stores
    got = answers(fast)
    assert got == answers(events) == answers(plain)
    assert all(got) and any(len(a) > 1 for a in got)  # the funnels select something
    stored = _stored(url)
    assert len(stored) == 4 and all(stored.values())  # RT100, CTA, /merci/, page /
    assert answers(fast) == got
    assert _stored(url) == stored  # read again, not stored again
    week = [SPEC.start.isoformat(), (SPEC.start + timedelta(days=6)).isoformat()]
    assert answers(fast, week) == answers(events, week)  # a part of the stored days


def _more_visits(url: str, days: int, *, low_ids: bool = False) -> int:
    """The last `days` days' visits again, as new visitors and visits on the same days, written
    through the sink's bulk insert (which marks their days); how many events. `low_ids`: under
    ids below every stored one, as a batch that took its ids first and commits last."""
    from ownmedia.review.simulate import EVENT_COLUMNS, SESSION_COLUMNS

    lo = _epoch(SPEC.end - timedelta(days=days - 1))
    cols = ", ".join('"end"' if c == "end" else c for c in SESSION_COLUMNS)
    with psycopg.connect(url) as conn:
        top = conn.execute("SELECT MAX(session_id), MAX(visitor_id) FROM sessions").fetchone()
        events = conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE ts >= %s"
                              .replace("props", "props::text"), [lo]).fetchall()
        sessions = conn.execute(f"SELECT {cols} FROM sessions WHERE start >= %s",
                                [lo]).fetchall()
    sid, vid = EVENT_COLUMNS.index("session_id"), EVENT_COLUMNS.index("visitor_id")
    shift = {sid: top[0], vid: top[1]}
    events = [tuple(v + shift[i] if i in shift else v for i, v in enumerate(row))
              for row in events]
    s_sid, s_vid = SESSION_COLUMNS.index("session_id"), SESSION_COLUMNS.index("visitor_id")
    sessions = [tuple(v + top[0] if i == s_sid else v + top[1] if i == s_vid else v
                      for i, v in enumerate(row)) for row in sessions]
    columns = EVENT_COLUMNS
    if low_ids:
        columns = ("id", *EVENT_COLUMNS)
        events = [(-n, *row) for n, row in enumerate(events, 1)]
    sink = PostgresEventSink(url, durable=False)
    try:
        sink.bulk_insert(events, sessions, event_columns=columns,
                         session_columns=SESSION_COLUMNS)
    finally:
        sink.close()
    return len(events)


def _epoch(day) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def test_new_events_replace_their_days_rows(stores):
    (fast, events, _), url, _ = stores
    before = answers(fast)
    stored = _stored(url)
    assert _more_visits(url, 5) > 0
    after = answers(fast)
    assert after != before
    assert after == answers(events)
    assert sum(_stored(url).values()) > sum(stored.values())


def test_events_committed_under_lower_ids_are_counted(stores):
    """With several writers ids commit out of order: the funnel steps cached between queries
    are keyed by the refreshes, not by the highest id."""
    (fast, events, _), url, _ = stores
    before = answers(fast)  # the store's step cache now holds every step's rows
    assert _more_visits(url, 5, low_ids=True) > 0
    after = answers(fast)
    assert after != before
    assert after == answers(events)


def test_a_paginated_answer_is_not_reused_across_new_events(stores):
    (fast, events, _), url, _ = stores
    body = {"site_id": SPEC.domain, "date_range": PERIOD, "metrics": ["visitors"],
            "dimensions": ["event:page"], "pagination": {"limit": 3}}
    first = fast.query(dict(body))["results"]  # the whole answer is kept for its next pages
    assert _more_visits(url, 5, low_ids=True) > 0
    again = fast.query(dict(body))["results"]
    assert again != first
    assert again == events.query(dict(body))["results"]


def test_fills_side_by_side_store_each_row_once(stores):
    (_, events, _), url, tmp_path = stores
    expected = answers(events)
    many = [StatsStore(tmp_path, backend=PostgresStatsBackend(url)) for _ in range(3)]
    try:
        with ThreadPoolExecutor(len(many)) as pool:
            got = list(pool.map(answers, many))
    finally:
        for store in many:
            store.close()
    assert got == [expected] * len(many)
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT COUNT(*), COUNT(DISTINCT (step_id, id)) "
                            "FROM st.r_step_rows").fetchone()
    assert rows[0] == rows[1] > 0

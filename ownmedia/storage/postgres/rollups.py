"""Daily rollups on PostgreSQL: the same three tables as on SQLite (see
ownmedia.storage.sqlite.rollups for what each holds and why), in schema `st`.

What to recompute is not a watermark of event ids (with several writers, ids commit out of
order) but `st.rollup_dirty`: each batch of events marks its (site, UTC day) pairs in its own
transaction, and a refresh takes the marks (DELETE ... RETURNING) and recomputes those days
under an advisory lock, so one instance refreshes at a time. A query that starts after a 202
sees that event's mark, so it is counted (read-your-writes)."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from ownmedia.stats.props_rollup import PropsCounter
from ownmedia.storage.postgres import visit_steps
from ownmedia.storage.postgres.db import ROLLUP_LOCK
from ownmedia.storage.sqlite.rollups import EMPTY_AS, VISIT_COLUMNS

DAY = 86400
MARK_DIRTY = ("INSERT INTO st.rollup_dirty (domain, day) VALUES (%s, %s)"
              " ON CONFLICT DO NOTHING")


def dirty_days(rows: Iterable[tuple], ts_index: int = 0, domain_index: int = 1) -> set[tuple]:
    """The (site, UTC day) pairs of event rows."""
    return {(r[domain_index], int(r[ts_index] // DAY)) for r in rows}


def mark(cur: psycopg.Cursor, days: set[tuple]) -> None:
    if days:
        cur.executemany(MARK_DIRTY, sorted(days))


def mark_all(conn: psycopg.Connection) -> None:
    """Mark every (site, day) that has events: after rows were written around the sink (a
    copy), so the next query recomputes their days."""
    conn.execute("INSERT INTO st.rollup_dirty (domain, day) SELECT DISTINCT domain,"
                 " floor(ts / 86400)::int FROM events ON CONFLICT DO NOTHING")


def pending(conn) -> bool:
    return conn.execute("SELECT 1 FROM st.rollup_dirty LIMIT 1").fetchone() is not None


def refresh(conn: psycopg.Connection) -> int:
    """Recompute the marked days; returns how many (site, day) pairs."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
        days = sorted(conn.execute("DELETE FROM st.rollup_dirty RETURNING domain, day"))
        counter = PropsCounter()  # parsed props shared by the days of this refresh
        for domain, day in days:
            for table in ("r_visits", "r_pages", "r_props"):
                conn.execute(f"DELETE FROM st.{table} WHERE domain = %s AND day = %s",
                             [domain, day])
            visit_steps.forget(conn, domain, day)
            _recompute_day(conn, (domain, day * DAY, (day + 1) * DAY), counter)
        if days:  # the funnel steps' rows cached in memory are keyed by it (PostgresDialect)
            conn.execute("UPDATE st.r_state SET generation = generation + 1")
    return len(days)


def _shown(col: str) -> str:
    if col == "v_city":
        return "CASE f.v_city WHEN 0 THEN '(not set)' ELSE f.v_city::text END"
    empty = EMPTY_AS.get(col)
    if empty is None:
        return f"f.{col}"
    return f"CASE f.{col} WHEN '' THEN '{empty}' ELSE f.{col} END"


def _recompute_day(conn: psycopg.Connection, params: tuple[str, int, int],
                   counter: PropsCounter) -> None:
    conn.execute(
        f"INSERT INTO st.r_visits (domain, day, ts, session_id, visitor_id, "
        f"{', '.join(VISIT_COLUMNS)}, exit_page, pageviews, events, bounce, duration, vfirst) "
        f"SELECT g.domain, g.d, g.d * 86400.0, g.sid, g.vid, "
        f"{', '.join(_shown(c) for c in VISIT_COLUMNS)}, COALESCE(s.exit_page, ''), g.pv, g.n, "
        "COALESCE((s.pageviews <= 1 AND s.interactive_events <= 1)::int, 0), "
        'COALESCE(s."end" - s.start, 0), '
        "(ROW_NUMBER() OVER (PARTITION BY g.domain, g.d, g.vid ORDER BY g.sid) = 1)::int "
        "FROM (SELECT e.domain AS domain, floor(e.ts / 86400)::int AS d, "
        "e.session_id AS sid, MIN(e.visitor_id) AS vid, MIN(e.id) AS fid, "
        "COUNT(*) FILTER (WHERE e.name = 'pageview') AS pv, COUNT(*) AS n FROM events e "
        "WHERE e.domain = %s AND e.ts >= %s AND e.ts < %s AND e.name != 'engagement' "
        "GROUP BY e.domain, d, e.session_id) g "
        "JOIN events f ON f.id = g.fid "
        "LEFT JOIN sessions s ON s.session_id = g.sid", params)
    conn.execute(
        "INSERT INTO st.r_pages (domain, day, ts, pathname, visitors, visits, pageviews, events) "
        "SELECT e.domain, floor(e.ts / 86400)::int AS d, MIN(floor(e.ts / 86400)) * 86400.0, "
        "e.pathname, COUNT(DISTINCT e.visitor_id), COUNT(DISTINCT e.session_id), "
        "COUNT(*) FILTER (WHERE e.name = 'pageview'), COUNT(*) FROM events e "
        "WHERE e.domain = %s AND e.ts >= %s AND e.ts < %s AND e.name != 'engagement' "
        "GROUP BY e.domain, d, e.pathname", params)
    _props_day(conn, params, counter)


def _props_day(conn: psycopg.Connection, params: tuple[str, int, int],
               counter: PropsCounter) -> None:
    """r_props rows of one day, counted by ownmedia.stats.props_rollup as on SQLite (props
    read as text: the counter parses each distinct text once)."""
    domain, lo, _hi = params
    day = lo // DAY
    events = conn.execute(
        "SELECT e.name, e.visitor_id, e.session_id, e.props::text FROM events e "
        "WHERE e.domain = %s AND e.ts >= %s AND e.ts < %s "
        "AND e.name NOT IN ('engagement', 'pageview') ORDER BY e.visitor_id, e.session_id",
        params).fetchall()
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO st.r_props (domain, name, k1, k2, v1, day, v2, ts, visitors, visits, "
            "events) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(domain, name, k1, k2, v1, day, v2, day * 86400.0, visitors, visits, n)
             for name, k1, k2, v1, v2, visitors, visits, n in counter.day_rows(events)])

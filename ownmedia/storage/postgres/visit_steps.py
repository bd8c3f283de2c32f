"""Funnel steps' events kept per UTC day next to the rollups (schema `st`): the PostgreSQL twin
of ownmedia.storage.sqlite.visit_steps, which says why and what a row is.

Several instances may fill and refresh at once. A refresh forgets a day's rows under the
rollups' advisory lock, taken exclusively (ownmedia.storage.postgres.rollups); a fill takes
the same lock shared, so fills run side by side but never across a refresh: rows stored for
a day are the step evaluated on that day's events at one moment, and an event committed
later marks its day dirty, so the next refresh forgets those rows. Stored rows are read in
one statement together with the count of stored days: one snapshot, so a day is read whole
or found missing, never half forgotten."""

from __future__ import annotations

import json
from itertools import groupby

import psycopg

from ownmedia.storage.postgres.db import (
    ROLLUP_LOCK,
    UNAVAILABLE,
    Reader,
    translate,
    unavailable,
)

STEPS = 64
DAY = 86400

# the stored rows of a step's days and, in the row without a session, how many days are stored
# (one statement, one snapshot: see the module's doc)
_READ = (
    "WITH s AS (SELECT id FROM st.r_steps WHERE step = %(key)s) "
    "SELECT NULL::bigint, NULL::float8, (SELECT COUNT(*) FROM st.r_step_days d "
    "  WHERE d.step_id = (SELECT id FROM s) AND d.day >= %(d0)s AND d.day < %(d1)s) "
    "UNION ALL "
    "SELECT r.session_id, r.ts, r.id FROM st.r_step_rows r "
    "WHERE r.step_id = (SELECT id FROM s) AND r.day >= %(d0)s AND r.day < %(d1)s")


def forget(conn: psycopg.Connection, domain: str, day: int) -> None:
    """Drop the stored rows of `domain`'s `day`; called by the rollup refresh, inside its
    transaction (which holds the rollups' lock exclusively)."""
    for table in ("r_step_days", "r_step_rows"):
        conn.execute(f"DELETE FROM st.{table} WHERE day = %s AND step_id IN "
                     "(SELECT id FROM st.r_steps WHERE domain = %s)", [day, domain])


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Increasing days as runs of consecutive days (first, last): one statement per run."""
    runs = [list(g) for _, g in groupby(enumerate(days), lambda p: p[1] - p[0])]
    return [(run[0][1], run[-1][1]) for run in runs]


def _step_id(conn: psycopg.Connection, domain: str, key: str) -> int:
    """The step's id, made if new (the oldest steps beyond STEPS dropped)."""
    row = conn.execute("INSERT INTO st.r_steps (domain, step) VALUES (%s, %s) "
                       "ON CONFLICT (step) DO NOTHING RETURNING id", [domain, key]).fetchone()
    if row is None:
        return conn.execute("SELECT id FROM st.r_steps WHERE step = %s", [key]).fetchone()[0]
    old = "SELECT id FROM st.r_steps ORDER BY id DESC OFFSET %s"
    for table in ("r_step_days", "r_step_rows"):
        conn.execute(f"DELETE FROM st.{table} WHERE step_id IN ({old})", [STEPS])
    conn.execute(f"DELETE FROM st.r_steps WHERE id IN ({old})", [STEPS])
    return row[0]


def _fill(conn: psycopg.Connection, domain: str, key: str, sql: str, params: list,
          d0: int, d1: int) -> list[tuple]:
    """Store the step's rows for the days of d0..d1-1 not stored yet, then read them all,
    in one transaction under the shared lock."""
    conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", [ROLLUP_LOCK])
    step_id = _step_id(conn, domain, key)
    have = {r[0] for r in conn.execute(
        "SELECT day FROM st.r_step_days WHERE step_id = %s AND day >= %s AND day < %s",
        [step_id, d0, d1])}
    condition = translate(sql)
    for lo, hi in _runs([d for d in range(d0, d1) if d not in have]):
        # another instance may fill the same days meanwhile: its rows are the same rows
        conn.execute(
            "INSERT INTO st.r_step_rows (step_id, day, session_id, ts, id) "
            "SELECT %s, floor(e.ts / 86400)::int, e.session_id, e.ts, e.id "
            "FROM events e WHERE e.domain = %s AND e.ts >= %s AND e.ts < %s "
            f"AND e.name != 'engagement' AND ({condition}) ON CONFLICT DO NOTHING",
            [step_id, domain, lo * DAY, (hi + 1) * DAY, *params])
        conn.execute(
            "INSERT INTO st.r_step_days (step_id, day) SELECT %s, d "
            "FROM generate_series(%s::int, %s::int) d ON CONFLICT DO NOTHING",
            [step_id, lo, hi])
    return conn.execute(
        "SELECT session_id, ts, id FROM st.r_step_rows WHERE step_id = %s AND day >= %s "
        "AND day < %s", [step_id, d0, d1]).fetchall()


def step_rows(conn: Reader, domain: str, d0: int, d1: int, sql: str,
              params: list) -> list[tuple]:
    """(session_id, ts, id) of the events of `domain`'s days d0..d1-1 that `sql` (a condition
    on the events as `e`, with `?` placeholders) matches, engagement events excluded, in no
    particular order. The rollups are refreshed before (StatsStore.query)."""
    key = json.dumps([domain, sql, params])
    try:
        with conn.db.connection() as pg:
            rows = pg.execute(_READ, {"key": key, "d0": d0, "d1": d1}).fetchall()
            if [r[2] for r in rows if r[0] is None] == [d1 - d0]:
                return [r for r in rows if r[0] is not None]
            with pg.transaction():
                pg.execute("SET LOCAL synchronous_commit = off")  # derived rows, kept anew
                return _fill(pg, domain, key, sql, params, d0, d1)
    except UNAVAILABLE as exc:
        raise unavailable(conn.url, exc) from exc

"""Funnel steps' events, kept per UTC day in the rollups file (data/stats.sqlite3).

Why: a funnel step such as "a Read Through at depth 100" selects a few percent of the events,
but finding them means reading half of them (their props are JSON). The first query that asks
for a step stores, for each day of its period, the (session, ts, id) of the events the step
matches; later queries read those rows only. A row is the step's SQL evaluated on the events,
so answers are the events' answers, order within the visit included. The rollup refresh forgets
the days that received new events (forget()), and the next query recomputes them.

A step is named by its compiled SQL and parameters (goal definitions are inlined in it): a
changed goal is another step. At most STEPS steps are kept, the oldest dropped first."""

from __future__ import annotations

import json
import sqlite3
import threading
from itertools import groupby

STEPS = 64
DAY = 86400
_LOCK = threading.Lock()
# created by the rollup migrations (ownmedia.storage.sqlite.rollups, 0005_visit_steps)
SCHEMA = """
CREATE TABLE IF NOT EXISTS r_steps (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL,
    step TEXT NOT NULL UNIQUE           -- JSON [domain, sql, params]
);
CREATE TABLE IF NOT EXISTS r_step_days (  -- the days whose rows are stored
    step_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (step_id, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS r_step_rows (
    step_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    session_id INTEGER NOT NULL,
    ts REAL NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (step_id, day, session_id, ts, id)
) WITHOUT ROWID;
"""


def forget(conn: sqlite3.Connection, domain: str | None = None, lo: int = 0,
           hi: int = 2**40) -> None:
    """Drop the stored rows of `domain`'s days lo..hi (every site's with domain None); called
    by the rollup refresh inside its transaction."""
    steps = "SELECT id FROM st.r_steps" + (" WHERE domain = ?" if domain is not None else "")
    args = ([domain] if domain is not None else []) + [lo, hi]
    for table in ("r_step_days", "r_step_rows"):
        conn.execute(f"DELETE FROM st.{table} WHERE step_id IN ({steps}) "
                     "AND day BETWEEN ? AND ?", args)


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Increasing days as runs of consecutive days (first, last): one statement per run."""
    runs = [list(g) for _, g in groupby(enumerate(days), lambda p: p[1] - p[0])]
    return [(run[0][1], run[-1][1]) for run in runs]


def _step_id(conn: sqlite3.Connection, key: str) -> int | None:
    row = conn.execute("SELECT id FROM st.r_steps WHERE step = ?", (key,)).fetchone()
    return row[0] if row else None


def _missing(conn: sqlite3.Connection, step_id: int | None, d0: int, d1: int) -> list[int]:
    have = set() if step_id is None else {r[0] for r in conn.execute(
        "SELECT day FROM st.r_step_days WHERE step_id = ? AND day >= ? AND day < ?",
        (step_id, d0, d1))}
    return [d for d in range(d0, d1) if d not in have]


def _fill(conn: sqlite3.Connection, domain: str, key: str, sql: str, params: list,
          d0: int, d1: int) -> int:
    """Store the step's rows for the days of d0..d1-1 not stored yet; returns its id."""
    with _LOCK:
        conn.execute("BEGIN")  # deferred: the first write takes st's lock, not the events'
        try:
            # take st's write lock before reading what is stored (another process may fill)
            conn.execute("DELETE FROM st.r_steps WHERE id IS NULL")
            step_id = _step_id(conn, key)
            if step_id is None:
                step_id = conn.execute("INSERT INTO st.r_steps (domain, step) VALUES (?, ?)",
                                       (domain, key)).lastrowid
                for (old,) in conn.execute(
                        "SELECT id FROM st.r_steps ORDER BY id DESC LIMIT -1 OFFSET ?",
                        (STEPS,)).fetchall():
                    for table in ("r_step_days", "r_step_rows"):
                        conn.execute(f"DELETE FROM st.{table} WHERE step_id = ?", (old,))
                    conn.execute("DELETE FROM st.r_steps WHERE id = ?", (old,))
            for lo, hi in _runs(_missing(conn, step_id, d0, d1)):
                conn.execute(
                    "INSERT INTO st.r_step_rows (step_id, day, session_id, ts, id) "
                    "SELECT ?, CAST(e.ts / 86400 AS INTEGER), e.session_id, e.ts, e.id "
                    "FROM main.events e WHERE e.domain = ? AND e.ts >= ? AND e.ts < ? "
                    f"AND e.name != 'engagement' AND ({sql})",
                    [step_id, domain, lo * DAY, (hi + 1) * DAY, *params])
                conn.executemany("INSERT INTO st.r_step_days (step_id, day) VALUES (?, ?)",
                                 [(step_id, d) for d in range(lo, hi + 1)])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return step_id


def step_rows(conn: sqlite3.Connection, domain: str, d0: int, d1: int, sql: str,
              params: list) -> list[tuple]:
    """(session_id, ts, id) of the events of `domain`'s days d0..d1-1 that `sql` (a condition
    on the events as `e`) matches, engagement events excluded, in (session, ts, id) order per
    day. `conn` has the rollups attached as `st`, refreshed."""
    key = json.dumps([domain, sql, params])
    step_id = _step_id(conn, key)
    if step_id is None or _missing(conn, step_id, d0, d1):
        step_id = _fill(conn, domain, key, sql, params, d0, d1)
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: tens of thousands of rows
    return cur.execute(
        "SELECT session_id, ts, id FROM st.r_step_rows WHERE step_id = ? AND day >= ? "
        "AND day < ?", (step_id, d0, d1)).fetchall()

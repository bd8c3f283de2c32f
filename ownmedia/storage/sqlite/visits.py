"""Visit state (sessions) in the events file's `sessions` table (a VisitState)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ownmedia.events.record import SESSION_COLUMNS

_SELECT = ", ".join("COALESCE(last_seen, end)" if c == "last_seen" else c
                    for c in SESSION_COLUMNS)
UPSERT_SESSION = (
    f"INSERT INTO sessions ({', '.join(SESSION_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(SESSION_COLUMNS))})"
    " ON CONFLICT(session_id) DO UPDATE SET end = excluded.end,"
    " exit_page = excluded.exit_page, entry_page = excluded.entry_page,"
    " pageviews = excluded.pageviews, events = excluded.events,"
    " interactive_events = excluded.interactive_events,"
    " last_seen = excluded.last_seen"
)


def open_visits(conn: sqlite3.Connection, since: float) -> list[tuple]:
    """Sessions active after `since`, oldest last activity first."""
    return [tuple(r) for r in conn.execute(
        f"SELECT {_SELECT} FROM sessions WHERE COALESCE(last_seen, end) > ? ORDER BY end",
        (since,))]


def max_session_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT max(session_id) FROM sessions").fetchone()[0] or 0


def save(conn: sqlite3.Connection, sessions: Sequence[tuple]) -> None:
    if sessions:
        conn.executemany(UPSERT_SESSION, sessions)

"""Stored goals on PostgreSQL: the collector's `goals` table (made by the event store's
migrations), the one the Stats API reads, so a goal added from the command line, the API or a
copy is the service's on every instance. Empty event names and page paths are NULL there, as
in SQLite."""

from __future__ import annotations

import threading

from ownmedia.storage.ports import GoalRecord
from ownmedia.storage.postgres.db import PgDatabase

_SCHEMA_LOCK = threading.Lock()
_MIGRATED: set[str] = set()


def _record(row: dict) -> GoalRecord:
    return GoalRecord(row["domain"], row["goal_type"], row["event_name"] or "",
                      row["page_path"] or "", row["display_name"])


class PgGoalStorage:
    """The `GoalStorage` port on PostgreSQL."""

    def __init__(self, db: PgDatabase, *, schema_ready: bool = False):
        """`schema_ready`: the event store's migrations already ran (the sink itself)."""
        self.db = db
        with _SCHEMA_LOCK:  # the table is the event store's: its migrations make it
            if not schema_ready and db.url not in _MIGRATED:
                from ownmedia.storage.postgres.events import PostgresEventSink

                PostgresEventSink(db.url, durable=False).close()
                _MIGRATED.add(db.url)

    def close(self) -> None:
        """The pool belongs to the backend."""

    def goals(self, domain: str) -> list[GoalRecord]:
        rows = self.db.query(
            "SELECT domain, goal_type, event_name, page_path, display_name FROM goals"
            " WHERE domain = %s ORDER BY id", (domain,))
        return [_record(r) for r in rows]

    def put(self, goal: GoalRecord) -> tuple[GoalRecord, bool]:
        """Create the goal unless the same definition exists (idempotent: one writer at a
        time per definition, by a transaction advisory lock)."""
        same = ("domain = %s AND goal_type = %s AND COALESCE(event_name, '') = %s"
                " AND COALESCE(page_path, '') = %s")
        key = (goal.domain, goal.goal_type, goal.event_name, goal.page_path)
        with self.db.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("|".join(key),))
            row = conn.execute("SELECT domain, goal_type, event_name, page_path, display_name"
                               f" FROM goals WHERE {same}", key).fetchone()
            if row is not None:
                return _record(row), False
            conn.execute(
                "INSERT INTO goals (domain, goal_type, event_name, page_path, display_name)"
                " VALUES (%s, %s, %s, %s, %s)",
                (goal.domain, goal.goal_type, goal.event_name or None, goal.page_path or None,
                 goal.display_name))
        return goal, True

    def delete(self, domain: str, display_name: str) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM goals WHERE domain = %s AND display_name = %s",
                                (domain, display_name)).rowcount > 0

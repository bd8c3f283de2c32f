"""Stored goals on SQLite: the `goals` table of data/events.sqlite3 (made by the event
store's migrations, so the Stats API reads goals and events from one file)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from ownmedia.storage.errors import StorageError, StorageUnavailable
from ownmedia.storage.ports import GoalRecord
from ownmedia.storage.sqlite import connect, migrate

EVENTS_FILE = "events.sqlite3"


def _error(exc: sqlite3.Error) -> StorageError:
    if isinstance(exc, sqlite3.OperationalError):
        return StorageUnavailable(f"goal store unavailable: {exc}")
    return StorageError(f"goal store: {exc}")


class SqliteGoalStorage:
    """The `GoalStorage` port on events.sqlite3, or on a connection to it already open."""

    def __init__(self, data_dir: str | Path | None = None, *,
                 conn: sqlite3.Connection | None = None):
        from ownmedia.storage.sqlite.events_schema import EVENT_MIGRATIONS

        self.lock = threading.Lock()
        self._own = conn is None
        try:
            self.conn = conn if conn is not None else connect(Path(data_dir) / EVENTS_FILE)
            if self._own:
                migrate(self.conn, EVENT_MIGRATIONS)
        except sqlite3.Error as exc:
            raise _error(exc) from exc

    def close(self) -> None:
        if self._own:
            self.conn.close()

    def goals(self, domain: str) -> list[GoalRecord]:
        with self.lock:
            try:
                rows = self.conn.execute(
                    "SELECT goal_type, event_name, page_path, display_name FROM goals"
                    " WHERE domain = ? ORDER BY id", (domain,)).fetchall()
            except sqlite3.Error as exc:
                raise _error(exc) from exc
        return [GoalRecord(domain, r[0], r[1] or "", r[2] or "", r[3]) for r in rows]

    def put(self, goal: GoalRecord) -> tuple[GoalRecord, bool]:
        """Create the goal unless the same definition exists (idempotent)."""
        with self.lock:
            try:
                row = self.conn.execute(
                    "SELECT goal_type, event_name, page_path, display_name FROM goals"
                    " WHERE domain = ? AND goal_type = ? AND COALESCE(event_name, '') = ?"
                    " AND COALESCE(page_path, '') = ?",
                    (goal.domain, goal.goal_type, goal.event_name, goal.page_path)).fetchone()
                if row is not None:
                    return GoalRecord(goal.domain, row[0], row[1] or "", row[2] or "",
                                      row[3]), False
                self.conn.execute(
                    "INSERT INTO goals (domain, goal_type, event_name, page_path, display_name)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (goal.domain, goal.goal_type, goal.event_name or None,
                     goal.page_path or None, goal.display_name))
            except sqlite3.Error as exc:
                raise _error(exc) from exc
        return goal, True

    def delete(self, domain: str, display_name: str) -> bool:
        with self.lock:
            try:
                return self.conn.execute(
                    "DELETE FROM goals WHERE domain = ? AND display_name = ?",
                    (domain, display_name)).rowcount > 0
            except sqlite3.Error as exc:
                raise _error(exc) from exc

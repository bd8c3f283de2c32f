"""Admin sessions and failed logins on SQLite (tables of comments.sqlite3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ownmedia.storage.ports import AdminSession

if TYPE_CHECKING:
    from ownmedia.storage.sqlite.comments import CommentsDb


class SqliteAuthStore:
    """The `AuthStore` port on comments.sqlite3."""

    def __init__(self, db: CommentsDb):
        self.db = db

    def create_session(self, id_hash: str, csrf: str, created: float, expires: float) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM admin_sessions WHERE expires < ?", (created,))
            conn.execute(
                "INSERT INTO admin_sessions(id_hash, created, expires, csrf) VALUES (?, ?, ?, ?)",
                (id_hash, created, expires, csrf))

    def session(self, id_hash: str) -> AdminSession | None:
        rows = self.db.query("SELECT csrf, expires FROM admin_sessions WHERE id_hash = ?",
                             (id_hash,))
        return AdminSession(rows[0][0], rows[0][1]) if rows else None

    def delete_session(self, id_hash: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (id_hash,))

    def login_failures(self, key: str) -> tuple[int, float] | None:
        rows = self.db.query("SELECT count, last FROM login_failures WHERE key = ?", (key,))
        return (rows[0][0], rows[0][1]) if rows else None

    def login_failed(self, key: str, now: float) -> int:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO login_failures(key, count, last) VALUES (?, 1, ?)"
                " ON CONFLICT(key) DO UPDATE SET count = count + 1, last = excluded.last",
                (key, now))
            return conn.execute("SELECT count FROM login_failures WHERE key = ?",
                                (key,)).fetchone()[0]

    def login_succeeded(self, key: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE key = ?", (key,))

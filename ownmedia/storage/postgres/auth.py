"""Admin sessions and failed logins on PostgreSQL, shared by every instance: a login delay
earned on one instance holds on the other."""

from __future__ import annotations

from ownmedia.storage.ports import AdminSession
from ownmedia.storage.postgres.db import PgDatabase


class PgAuthStore:
    """The `AuthStore` port on PostgreSQL."""

    def __init__(self, db: PgDatabase):
        self.db = db

    def create_session(self, id_hash: str, csrf: str, created: float, expires: float) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM admin_sessions WHERE expires < %s", (created,))
            conn.execute(
                "INSERT INTO admin_sessions(id_hash, created, expires, csrf)"
                " VALUES (%s, %s, %s, %s)", (id_hash, created, expires, csrf))

    def session(self, id_hash: str) -> AdminSession | None:
        rows = self.db.query("SELECT csrf, expires FROM admin_sessions WHERE id_hash = %s",
                             (id_hash,))
        return AdminSession(rows[0]["csrf"], rows[0]["expires"]) if rows else None

    def delete_session(self, id_hash: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM admin_sessions WHERE id_hash = %s", (id_hash,))

    def login_failures(self, key: str) -> tuple[int, float] | None:
        rows = self.db.query("SELECT count, last FROM login_failures WHERE key = %s", (key,))
        return (rows[0]["count"], rows[0]["last"]) if rows else None

    def login_failed(self, key: str, now: float) -> int:
        with self.db.transaction() as conn:
            return conn.execute(
                "INSERT INTO login_failures(key, count, last) VALUES (%s, 1, %s)"
                " ON CONFLICT (key) DO UPDATE SET count = login_failures.count + 1,"
                " last = excluded.last RETURNING count", (key, now)).fetchone()["count"]

    def login_succeeded(self, key: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE key = %s", (key,))

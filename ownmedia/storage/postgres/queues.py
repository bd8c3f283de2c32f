"""The mail queue on PostgreSQL (`mail_outbox`). Several instances may send: `due` claims
the mails it returns for a minute (next_attempt moves on, SKIP LOCKED), so a mail goes out
once whichever instance's loop finds it first."""

from __future__ import annotations

from collections.abc import Sequence

from ownmedia.storage.ports import MailJob
from ownmedia.storage.postgres.db import PgDatabase

_COLUMNS = "id, created, recipient, subject, body, attempts, last_error"
CLAIM_SECONDS = 60.0


class PgMailQueue:
    """The `MailQueue` port on PostgreSQL."""

    def __init__(self, db: PgDatabase):
        self.db = db

    def due(self, now: float, max_attempts: int, limit: int = 50) -> list[MailJob]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM mail_outbox WHERE next_attempt <= %s AND attempts < %s"
                " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                (now, max_attempts, limit)).fetchall()
            if rows:
                conn.execute("UPDATE mail_outbox SET next_attempt = %s WHERE id = ANY(%s)",
                             (now + CLAIM_SECONDS, [r["id"] for r in rows]))
        return [MailJob(**r) for r in rows]

    def sent(self, mail_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM mail_outbox WHERE id = %s", (mail_id,))

    def failed(self, mail_ids: Sequence[int], now: float, error: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = %s,"
                " next_attempt = %s + least(3600, 5 * (1 << least(attempts, 10)))"
                " WHERE id = ANY(%s)", (error, now, list(mail_ids)))

    def all(self) -> list[MailJob]:
        rows = self.db.query(f"SELECT {_COLUMNS} FROM mail_outbox ORDER BY id")
        return [MailJob(**r) for r in rows]

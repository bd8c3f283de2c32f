"""The mail queue on SQLite (the `outbox` table of comments.sqlite3): mails are queued inside
the comment transaction that needs them (SqliteCommentTx.queue_mail) and sent from here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ownmedia.storage.ports import MailJob

if TYPE_CHECKING:
    from ownmedia.storage.sqlite.comments import CommentsDb

_COLUMNS = "id, created, recipient, subject, body, attempts, last_error"


class SqliteMailQueue:
    """The `MailQueue` port on comments.sqlite3."""

    def __init__(self, db: CommentsDb):
        self.db = db

    def due(self, now: float, max_attempts: int, limit: int = 50) -> list[MailJob]:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM outbox WHERE next_attempt <= ? AND attempts < ?"
            " ORDER BY id LIMIT ?", (now, max_attempts, limit))
        return [MailJob(*r) for r in rows]

    def sent(self, mail_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM outbox WHERE id = ?", (mail_id,))

    def failed(self, mail_ids: Sequence[int], now: float, error: str) -> None:
        """One more attempt each; the next one after 5 s, 10 s ... at most an hour."""
        with self.db.transaction() as conn:
            for mail_id in mail_ids:
                conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                    " next_attempt = ? + min(3600, 5 * (1 << min(attempts, 10)))"
                    " WHERE id = ?", (error, now, mail_id))

    def all(self) -> list[MailJob]:
        return [MailJob(*r) for r in self.db.query(f"SELECT {_COLUMNS} FROM outbox ORDER BY id")]

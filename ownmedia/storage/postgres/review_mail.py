"""Which weeks' review mail went out, on PostgreSQL: the `SentReviews` port, shared by every
instance of the database, so a second instance finds the week already sent."""

from __future__ import annotations

import time
from collections.abc import Sequence

from ownmedia.storage.postgres.db import Migration, PgDatabase

REVIEW_MAIL_MIGRATIONS: list[Migration] = [(
    "review_mail_0001_sent",
    """
    CREATE TABLE review_mail_sent (
        week TEXT PRIMARY KEY,             -- Monday of the reviewed week, YYYY-MM-DD
        sent_at DOUBLE PRECISION NOT NULL,
        recipients TEXT NOT NULL
    );
    """,
)]


class PgSentReviews:
    """The `SentReviews` port on PostgreSQL."""

    def __init__(self, db: PgDatabase):
        self.db = db

    def close(self) -> None:
        """The pool belongs to the backend."""

    def was_sent(self, week: str) -> bool:
        return bool(self.db.query("SELECT 1 FROM review_mail_sent WHERE week = %s", (week,)))

    def record(self, week: str, recipients: Sequence[str], when: float | None = None) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO review_mail_sent (week, sent_at, recipients) VALUES (%s, %s, %s)"
                " ON CONFLICT (week) DO UPDATE SET sent_at = excluded.sent_at,"
                " recipients = excluded.recipients",
                (week, time.time() if when is None else when, ", ".join(recipients)))

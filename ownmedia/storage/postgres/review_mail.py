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
), (
    "review_mail_0002_claims",
    """
    CREATE TABLE review_mail_claims (
        week TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        until DOUBLE PRECISION NOT NULL    -- the claim lapses then (its holder died sending)
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

    def claim(self, week: str, holder: str, now: float, lease_seconds: float) -> bool:
        with self.db.transaction() as conn:
            return conn.execute(
                "INSERT INTO review_mail_claims (week, holder, until) VALUES (%s, %s, %s)"
                " ON CONFLICT (week) DO UPDATE SET holder = excluded.holder,"
                " until = excluded.until WHERE review_mail_claims.until < %s",
                (week, holder, now + lease_seconds, now)).rowcount == 1

    def release(self, week: str, holder: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM review_mail_claims WHERE week = %s AND holder = %s",
                         (week, holder))

    def record(self, week: str, recipients: Sequence[str], when: float | None = None) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO review_mail_sent (week, sent_at, recipients) VALUES (%s, %s, %s)"
                " ON CONFLICT (week) DO UPDATE SET sent_at = excluded.sent_at,"
                " recipients = excluded.recipients",
                (week, time.time() if when is None else when, ", ".join(recipients)))

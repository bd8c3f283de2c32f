"""Which weeks' review mail went out, on SQLite (data/review_mail.sqlite3): the `SentReviews`
port. Its own small file, as before the ports: existing data directories keep their record."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ownmedia.storage.sqlite import connect, mapped, migrate

FILE = "review_mail.sqlite3"
MIGRATIONS = [(
    "0001_review_mail_sent",
    "CREATE TABLE review_mail_sent (\n"
    "  week TEXT PRIMARY KEY,\n"       # Monday of the reviewed week, YYYY-MM-DD
    "  sent_at REAL NOT NULL,\n"
    "  recipients TEXT NOT NULL\n"
    ");",
), (
    "0002_review_mail_claims",
    "CREATE TABLE review_mail_claims (\n"
    "  week TEXT PRIMARY KEY,\n"
    "  holder TEXT NOT NULL,\n"
    "  until REAL NOT NULL\n"        # the claim lapses then (its holder died while sending)
    ");",
)]


class SqliteSentReviews:
    """The record of sent weekly reviews, one row per reviewed week."""

    def __init__(self, data_dir: str | Path):
        self.conn = connect(Path(data_dir) / FILE)
        self.lock = threading.Lock()
        with mapped("review mail record"):
            migrate(self.conn, MIGRATIONS)

    def was_sent(self, week: str) -> bool:
        with self.lock, mapped("review mail record"):
            return self.conn.execute("SELECT 1 FROM review_mail_sent WHERE week = ?",
                                     (week,)).fetchone() is not None

    def claim(self, week: str, holder: str, now: float, lease_seconds: float) -> bool:
        with self.lock, mapped("review mail record"):
            return self.conn.execute(
                "INSERT INTO review_mail_claims(week, holder, until) VALUES (?, ?, ?)"
                " ON CONFLICT(week) DO UPDATE SET holder = excluded.holder,"
                " until = excluded.until WHERE review_mail_claims.until < ?",
                (week, holder, now + lease_seconds, now)).rowcount == 1

    def release(self, week: str, holder: str) -> None:
        with self.lock, mapped("review mail record"):
            self.conn.execute("DELETE FROM review_mail_claims WHERE week = ? AND holder = ?",
                              (week, holder))

    def record(self, week: str, recipients: Sequence[str], when: float | None = None) -> None:
        with self.lock, mapped("review mail record"):
            self.conn.execute(
                "INSERT OR REPLACE INTO review_mail_sent(week, sent_at, recipients)"
                " VALUES (?, ?, ?)",
                (week, time.time() if when is None else when, ", ".join(recipients)))

    def close(self) -> None:
        self.conn.close()

"""Which weeks' review mail went out (data/review_mail.sqlite3): the weekly sender asks it
before sending, so a restart in the same week does not send the same review twice.

Its own small file for now; the storage ports being built for issue 12 can take it over."""

from __future__ import annotations

import time
from pathlib import Path

from ownmedia.storage.sqlite import connect, migrate

FILE = "review_mail.sqlite3"
MIGRATIONS = [(
    "0001_review_mail_sent",
    "CREATE TABLE review_mail_sent (\n"
    "  week TEXT PRIMARY KEY,\n"       # Monday of the reviewed week, YYYY-MM-DD
    "  sent_at REAL NOT NULL,\n"
    "  recipients TEXT NOT NULL\n"
    ");",
)]


class SentWeeks:
    """The record of sent weekly reviews, one row per reviewed week."""

    def __init__(self, data_dir: str | Path):
        self.conn = connect(Path(data_dir) / FILE)
        migrate(self.conn, MIGRATIONS)

    def was_sent(self, week: str) -> bool:
        return self.conn.execute("SELECT 1 FROM review_mail_sent WHERE week = ?",
                                 (week,)).fetchone() is not None

    def record(self, week: str, recipients: list[str], when: float | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO review_mail_sent(week, sent_at, recipients) VALUES (?, ?, ?)",
            (week, time.time() if when is None else when, ", ".join(recipients)))

    def close(self) -> None:
        self.conn.close()

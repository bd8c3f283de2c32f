"""Visitor-hash salts in the events file's `salts` table (a SaltStore)."""

from __future__ import annotations

import sqlite3


def load_salts(conn: sqlite3.Connection, today: str, yesterday: str,
               new_salt: bytes) -> dict[str, bytes]:
    """Today's salt (made now unless it exists) and yesterday's; older ones are deleted, after
    which nobody can link a hash back to a user agent + IP pair."""
    conn.execute("INSERT OR IGNORE INTO salts(day, salt) VALUES (?, ?)", (today, new_salt))
    conn.execute("DELETE FROM salts WHERE day < ?", (yesterday,))
    return dict(conn.execute("SELECT day, salt FROM salts WHERE day IN (?, ?)",
                             (today, yesterday)))

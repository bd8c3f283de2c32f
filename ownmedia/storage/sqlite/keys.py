"""Stats API keys on SQLite (data/keys.sqlite3), stored by their SHA-256 only."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from ownmedia.storage.errors import StorageError, StorageUnavailable
from ownmedia.storage.ports import KeyRecord
from ownmedia.storage.sqlite import Migration, connect, migrate

KEYS_FILE = "keys.sqlite3"
KEY_MIGRATIONS: list[Migration] = [
    (
        "0001_api_keys",
        """
        CREATE TABLE api_keys (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            hint TEXT NOT NULL,               -- the first characters, to recognise a key
            hash TEXT NOT NULL UNIQUE,        -- sha256 hex of the whole key
            created REAL NOT NULL,
            last_used REAL,
            revoked REAL
        );
        """,
    ),
    (
        "0002_key_sites",
        """
        -- JSON list of the site ids (domains) the key may read; [] = every site
        ALTER TABLE api_keys ADD COLUMN sites TEXT NOT NULL DEFAULT '[]';
        """,
    ),
]
_COLUMNS = "id, name, hint, hash, created, last_used, revoked, sites"


def _record(row) -> KeyRecord:
    *head, sites = row
    return KeyRecord(*head, tuple(json.loads(sites or "[]")))


def _error(exc: sqlite3.Error) -> StorageError:
    if isinstance(exc, sqlite3.OperationalError):
        return StorageUnavailable(f"key store unavailable: {exc}")
    return StorageError(f"key store: {exc}")


class SqliteKeyStorage:
    """The `KeyStorage` port on keys.sqlite3 (autocommit: one statement per change)."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / KEYS_FILE
        self.lock = threading.Lock()
        try:
            self.conn = connect(self.path)
            migrate(self.conn, KEY_MIGRATIONS)
        except sqlite3.Error as exc:
            raise _error(exc) from exc

    def _run(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        with self.lock:
            try:
                return self.conn.execute(sql, tuple(params))
            except sqlite3.Error as exc:
                raise _error(exc) from exc

    def close(self) -> None:
        self.conn.close()

    def add(self, name: str, hint: str, key_hash: str, created: float,
            sites: Sequence[str]) -> int:
        return self._run(
            "INSERT INTO api_keys (name, hint, hash, created, sites) VALUES (?, ?, ?, ?, ?)",
            (name, hint, key_hash, created, json.dumps(list(sites)))).lastrowid

    def active_by_hash(self, key_hash: str) -> KeyRecord | None:
        row = self._run(f"SELECT {_COLUMNS} FROM api_keys WHERE hash = ? AND revoked IS NULL",
                        (key_hash,)).fetchone()
        return _record(row) if row else None

    def touch(self, key_id: int, now: float) -> None:
        self._run("UPDATE api_keys SET last_used = ? WHERE id = ?", (now, key_id))

    def all(self) -> list[KeyRecord]:
        return [_record(r) for r in
                self._run(f"SELECT {_COLUMNS} FROM api_keys ORDER BY id").fetchall()]

    def revoke(self, ref: str, now: float) -> int:
        return self._run(
            "UPDATE api_keys SET revoked = ? WHERE revoked IS NULL AND "
            "(CAST(id AS TEXT) = ? OR name = ? OR hint = ?)", (now, ref, ref, ref)).rowcount

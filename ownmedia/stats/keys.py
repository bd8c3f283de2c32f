"""Stats API keys, stored hashed in data/keys.sqlite3.

A key is shown once, when it is made; only its SHA-256 is stored (keys are 256 random bits, so
a fast hash is enough: there is nothing to brute-force). A revoked key stops working at once.
A key may be scoped to some sites (`--site`, like Plausible's per-site keys); without a scope
it reads every site of the server."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ownmedia.storage.sqlite import Migration, connect, migrate

KEYS_FILE = "keys.sqlite3"
PREFIX = "om_"
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


@dataclass(frozen=True)
class KeyInfo:
    id: int
    name: str
    hint: str
    created: float
    last_used: float | None
    revoked: float | None
    sites: tuple[str, ...] = ()  # empty: every site

    def may_read(self, site_id: str) -> bool:
        return not self.sites or site_id in self.sites


_COLUMNS = "id, name, hint, created, last_used, revoked, sites"


def _info(row) -> KeyInfo:
    *head, sites = row
    return KeyInfo(*head, tuple(json.loads(sites or "[]")))


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    """Create, check, list and revoke API keys of one data directory."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / KEYS_FILE
        self.conn: sqlite3.Connection = connect(self.path)
        migrate(self.conn, KEY_MIGRATIONS)

    def close(self) -> None:
        self.conn.close()

    def create(self, name: str, sites: list[str] | tuple[str, ...] = ()) -> tuple[KeyInfo, str]:
        """A new key (for `sites` only, when given); the clear key is returned here and
        never again."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ValueError("a key name is 1 to 100 characters")
        scope = tuple(dict.fromkeys(s.strip().lower() for s in sites))
        if any(not s or len(s) > 253 for s in scope):
            raise ValueError("a site is a domain of 1 to 253 characters")
        key = PREFIX + secrets.token_urlsafe(32)
        now = time.time()
        cur = self.conn.execute(
            "INSERT INTO api_keys (name, hint, hash, created, sites) VALUES (?, ?, ?, ?, ?)",
            (name, key[:8], _hash(key), now, json.dumps(list(scope))))
        return KeyInfo(cur.lastrowid, name, key[:8], now, None, None, scope), key

    def lookup(self, key: str) -> KeyInfo | None:
        """The key's record when it is known and unrevoked (and remember when it was last
        used), else None."""
        if not key or len(key) > 200:
            return None
        digest = _hash(key)
        row = self.conn.execute(
            f"SELECT {_COLUMNS}, hash FROM api_keys WHERE hash = ? AND revoked IS NULL",
            (digest,)).fetchone()
        if row is None or not hmac.compare_digest(row[-1], digest):
            return None
        info = _info(row[:-1])
        now = time.time()
        if not info.last_used or now - info.last_used > 60:  # not one durable write per query
            self.conn.execute("UPDATE api_keys SET last_used = ? WHERE id = ?", (now, info.id))
        return info

    def verify(self, key: str) -> bool:
        """True for a known, unrevoked key."""
        return self.lookup(key) is not None

    def list(self) -> list[KeyInfo]:
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM api_keys ORDER BY id")
        return [_info(r) for r in rows]

    def revoke(self, ref: str) -> int:
        """Revoke by id, name or hint; returns how many keys were revoked."""
        cur = self.conn.execute(
            "UPDATE api_keys SET revoked = ? WHERE revoked IS NULL AND "
            "(CAST(id AS TEXT) = ? OR name = ? OR hint = ?)", (time.time(), ref, ref, ref))
        return cur.rowcount

"""Stats API keys, stored hashed (data/keys.sqlite3, or the `api_keys` table of the
PostgreSQL database of [storage] url).

A key is shown once, when it is made; only its SHA-256 is stored (keys are 256 random bits, so
a fast hash is enough: there is nothing to brute-force). A revoked key stops working at once.
A key may be scoped to some sites (`--site`, like Plausible's per-site keys); without a scope
it reads every site of the server."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ownmedia.storage import Backend, open_backend
from ownmedia.storage.ports import KeyRecord
from ownmedia.storage.sqlite.keys import KEY_MIGRATIONS, KEYS_FILE

PREFIX = "om_"
__all__ = ["KEYS_FILE", "KEY_MIGRATIONS", "PREFIX", "KeyInfo", "KeyStore"]


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


def _info(record: KeyRecord) -> KeyInfo:
    return KeyInfo(record.id, record.name, record.hint, record.created, record.last_used,
                   record.revoked, record.sites)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    """Create, check, list and revoke API keys, on the backend of a Config (or the SQLite
    file of a data directory, or a Backend already open)."""

    def __init__(self, where: str | Path | Backend | Any):
        if isinstance(where, Backend):
            self._backend, self._own = where, False
        elif isinstance(where, (str, Path)):
            self._backend, self._own = open_backend(data_dir=where), True
        else:  # a Config
            self._backend, self._own = open_backend(where), True
        self.storage = self._backend.keys

    def close(self) -> None:
        if self._own:
            self._backend.close()

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
        key_id = self.storage.add(name, key[:8], _hash(key), now, scope)
        return KeyInfo(key_id, name, key[:8], now, None, None, scope), key

    def lookup(self, key: str) -> KeyInfo | None:
        """The key's record when it is known and unrevoked (and remember when it was last
        used), else None."""
        if not key or len(key) > 200:
            return None
        digest = _hash(key)
        record = self.storage.active_by_hash(digest)
        if record is None or not hmac.compare_digest(record.hash, digest):
            return None
        info = _info(record)
        now = time.time()
        if not info.last_used or now - info.last_used > 60:  # not one durable write per query
            self.storage.touch(info.id, now)
        return info

    def verify(self, key: str) -> bool:
        """True for a known, unrevoked key."""
        return self.lookup(key) is not None

    def list(self) -> list[KeyInfo]:
        return [_info(r) for r in self.storage.all()]

    def revoke(self, ref: str) -> int:
        """Revoke by id, name or hint; returns how many keys were revoked."""
        return self.storage.revoke(ref, time.time())

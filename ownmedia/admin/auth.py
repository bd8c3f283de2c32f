"""Admin authentication: a scrypt password hash in the data directory, server-side sessions,
CSRF tokens bound to the session, and a growing delay after failed logins.

The delay is computed, never slept: a login attempt during the delay is refused with the
number of seconds left, so an attacker gains nothing by hammering and tests need no sleep."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ownmedia.fsutil import atomic_write_text
from ownmedia.storage.ports import AuthStore

PASSWORD_FILE = "admin.json"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_SECONDS = 8 * 3600
MIN_PASSWORD_CHARS = 10


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024,
                          dklen=32)


def set_password(data_dir: str | Path, password: str) -> Path:
    """Store a scrypt hash of `password` (file mode 0600, written atomically)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    salt = secrets.token_bytes(16)
    record = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt.hex(),
              "hash": _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P).hex()}
    return atomic_write_text(Path(data_dir) / PASSWORD_FILE, json.dumps(record), mode=0o600)


def has_password(data_dir: str | Path) -> bool:
    return (Path(data_dir) / PASSWORD_FILE).exists()


def check_password(data_dir: str | Path, password: str) -> bool:
    path = Path(data_dir) / PASSWORD_FILE
    try:
        record = json.loads(path.read_text())
        salt = bytes.fromhex(record["salt"])
        expected = bytes.fromhex(record["hash"])
        n, r, p = int(record["n"]), int(record["r"]), int(record["p"])
    except (OSError, ValueError, KeyError):
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)


class LoginBusy(Exception):
    """Too many password checks already waiting: answer 503 rather than queue for ever."""


class PasswordChecker:
    """scrypt off the event loop and bounded: at most `concurrency` hashes at once in worker
    threads (hashlib releases the GIL while hashing; by default one fewer than the CPUs, at
    most 2), at most `max_waiting` more queued; any other login attempt is refused at once.
    So a burst of logins costs the other requests nothing but a thread hop, and costs the
    machine at most `concurrency` cores."""

    def __init__(self, data_dir: str | Path, *, concurrency: int | None = None,
                 max_waiting: int = 64):
        self.data_dir = data_dir
        # one core left to the event loop (and everything else) whatever the burst
        self.concurrency = concurrency or max(1, min(2, (os.cpu_count() or 1) - 1))
        self.max_waiting = max_waiting
        self._semaphore: asyncio.Semaphore | None = None
        self.waiting = 0  # queued or hashing now

    async def check(self, password: str) -> bool:
        """check_password in a worker thread; raises LoginBusy when the queue is full."""
        if self._semaphore is None:  # created on the serving loop
            self._semaphore = asyncio.Semaphore(self.concurrency)
        if self.waiting >= self.concurrency + self.max_waiting:
            raise LoginBusy
        self.waiting += 1
        try:
            async with self._semaphore:
                return await asyncio.to_thread(check_password, self.data_dir, password)
        finally:
            self.waiting -= 1


def login_delay(failures: int) -> float:
    """Seconds to wait before the next attempt after `failures` failed ones in a row:
    none for the first 2, then 1, 2, 4 ... capped at 5 minutes."""
    if failures < 3:
        return 0.0
    return float(min(300, 2 ** (failures - 3)))


@dataclass
class Session:
    csrf: str
    expires: float


def _hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """Server-side sessions in the auth store; the cookie holds a random id."""

    def __init__(self, store: AuthStore):
        self.store = store

    def create(self, now: float) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        session = Session(csrf=secrets.token_urlsafe(32), expires=now + SESSION_SECONDS)
        self.store.create_session(_hash_id(session_id), session.csrf, now, session.expires)
        return session_id, session

    def get(self, session_id: str | None, now: float) -> Session | None:
        if not session_id or len(session_id) > 200:
            return None
        found = self.store.session(_hash_id(session_id))
        if found is None or found.expires < now:
            return None
        return Session(csrf=found.csrf, expires=found.expires)

    def delete(self, session_id: str | None) -> None:
        if session_id:
            self.store.delete_session(_hash_id(session_id))


class LoginThrottle:
    """Failed logins per client key; the delay grows with each failure in a row."""

    def __init__(self, store: AuthStore):
        self.store = store

    def wait_seconds(self, key: str, now: float) -> float:
        found = self.store.login_failures(key)
        if found is None:
            return 0.0
        count, last = found
        return max(0.0, last + login_delay(count) - now)

    def failed(self, key: str, now: float) -> int:
        return self.store.login_failed(key, now)

    def succeeded(self, key: str) -> None:
        self.store.login_succeeded(key)

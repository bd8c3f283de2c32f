"""Daily salts for visitor hashes, so a visitor can be counted without cookies or stored IPs.

A 16-byte random salt is made per UTC day; yesterday's is kept so sessions continue across
midnight; older salts are deleted, after which nobody (us included) can link a hash back to a
user agent + IP pair. The clock is injected so rotation is testable without waiting a day."""

from __future__ import annotations

import hashlib
import ipaddress
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from publicsuffixlist import PublicSuffixList

SALT_BYTES = 16


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


_PSL: list[PublicSuffixList] = []


@lru_cache(maxsize=1024)
def root_domain(hostname: str) -> str:
    """The registrable domain of a page's host (blog.example.co.uk -> example.co.uk); an IP or
    a name without a public suffix stays as it is; no host is "(none)"."""
    if not hostname:
        return "(none)"
    try:
        ipaddress.ip_address(hostname.strip("[]"))
        return hostname
    except ValueError:
        pass
    if not _PSL:
        _PSL.append(PublicSuffixList())
    return _PSL[0].privatesuffix(hostname) or hostname


def visitor_id(salt: bytes, user_agent: str, ip: str, domain: str, hostname: str = "") -> int:
    """Keyed hash of UA + IP + domain + root domain of the page's host (Plausible's inputs) as
    a positive 63-bit integer (fits SQLite INTEGER)."""
    data = f"{user_agent}\x00{ip}\x00{domain}\x00{root_domain(hostname)}".encode(
        "utf-8", "surrogatepass")
    digest = hashlib.blake2b(data, key=salt, digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


SaltLoader = Callable[[Any, str, str, bytes], dict[str, bytes]]


class SaltBox:
    """Today's and yesterday's salts, read from and rotated in the store's salts (a SaltStore's
    `load`), cached for the day.

    Used by the writer only, inside its transaction, so a new salt is committed together with
    the first event hashed with it; on a shared store the first instance's salt wins."""

    def __init__(self, load: SaltLoader) -> None:
        self.load = load
        self.day = ""
        self.salts: list[bytes] = []  # [today, yesterday?]
        self._start = self._end = 0.0  # the UTC day self.salts is valid for

    def ensure(self, conn: Any, now: float) -> list[bytes]:
        """Rotate when the UTC day changed; returns [today's salt, yesterday's salt?]."""
        if self._start <= now < self._end:
            return self.salts
        today = utc_day(now)
        yesterday = (datetime.fromtimestamp(now, UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
        rows = self.load(conn, today, yesterday, os.urandom(SALT_BYTES))
        self.salts = [rows[today]] + ([rows[yesterday]] if yesterday in rows else [])
        self.day = today
        start = datetime.strptime(today, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
        self._start, self._end = start, start + 86400
        return self.salts

    def reset(self) -> None:
        """Forget the cache (after a rolled-back transaction)."""
        self.day, self.salts = "", []
        self._start = self._end = 0.0

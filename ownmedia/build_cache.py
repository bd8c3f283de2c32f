"""A content-addressed cache of build artefacts (comment HTML, QR codes, print views).

Each entry is keyed by a hash of everything the artefact depends on (the caller builds the
key with `key()`; the ownmedia code fingerprint is always part of it), so an entry is never
stale: it is either the right answer or absent. It lives in one SQLite file beside Pelican's
own cache (`<CACHE_PATH>/ownmedia/artefacts.sqlite3`); every value carries a checksum.

Deleting the folder is always safe (the next build is a cold one). A file that is not a
cache of this format (corrupted, truncated, another program's, another format version) is
reported in one log line, set aside and replaced by an empty cache: never a traceback, never
a wrong page."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path

from ownmedia.pelican_support import plain_logger

log = plain_logger("ownmedia.build")

FORMAT = "ownmedia-build-cache/1"
FILENAME = "artefacts.sqlite3"
FLUSH_EVERY = 500  # entries kept in memory before one transaction writes them


def key(*parts: str | bytes) -> str:
    """A hash of the parts (each length-prefixed, so ("ab", "c") != ("a", "bc"))."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def _checksum(kind: str, entry_key: str, value: str) -> str:
    return key(FORMAT, kind, entry_key, value)[:32]


class BuildCache:
    """get/put text artefacts by (kind, key). New entries are kept in memory and written in
    one transaction by `flush()` (end of build), so a cold build pays one commit.

    A cache that was empty when opened (a cold build) answers its misses without asking
    SQLite: only what this build flushed can be there. In a forked build-stage worker the
    file is off (an SQLite connection must not cross a fork): the worker finds only the
    misses it made itself (build_stage.made_here), and the build process keeps them."""

    def __init__(self, folder: str | Path | None):
        self.folder = Path(folder) if folder else None
        self._conn: sqlite3.Connection | None = None
        self._new: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.stage = None  # an ownmedia.build_stage.Stage whose workers may have the value
        self.disabled_reason = ""
        self._pid = os.getpid()
        self._stored = True  # whether the file may hold an entry this build did not flush
        self._flushed: set[tuple[str, str]] = set()
        if self.folder is not None:
            self._open()

    # --- opening and checking ---------------------------------------------------------
    def _open(self) -> None:
        path = self.folder / FILENAME
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._conn = self._connect(path)
        except (sqlite3.DatabaseError, OSError, ValueError) as exc:
            self._set_aside(path, str(exc))

    def _connect(self, path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if not tables:
                conn.executescript(
                    "CREATE TABLE meta (format TEXT NOT NULL);"
                    "CREATE TABLE entries (kind TEXT, key TEXT, value TEXT, checksum TEXT,"
                    " PRIMARY KEY (kind, key)) WITHOUT ROWID;"
                )
                conn.execute("INSERT INTO meta VALUES (?)", (FORMAT,))
                self._stored = False
            else:
                row = conn.execute("SELECT format FROM meta").fetchone() if "meta" in tables \
                    else None
                if row is None or row[0] != FORMAT or "entries" not in tables:
                    raise ValueError(f"not an {FORMAT} file")
                self._stored = conn.execute("SELECT 1 FROM entries LIMIT 1").fetchone() \
                    is not None
        except BaseException:
            conn.close()
            raise
        return conn

    def _set_aside(self, path: Path, why: str) -> None:
        """One line, then start from an empty cache (or none if even that fails)."""
        log.warning("build cache %s ignored (%s); building without it", path, why)
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            self._conn = self._connect(path)
        except (sqlite3.DatabaseError, OSError, ValueError) as exc:
            self.disabled_reason = str(exc)
            self._conn = None

    # --- use ----------------------------------------------------------------------------
    def _in_worker(self) -> bool:
        return os.getpid() != self._pid

    def _may_hold(self, kind: str, entry_key: str) -> bool:
        """Whether a SELECT can find the entry (not on a cold build's unflushed misses)."""
        return self._stored or (kind, entry_key) in self._flushed

    def get(self, kind: str, entry_key: str) -> str | None:
        if self._in_worker():
            from ownmedia.build_stage import made_here

            return made_here(kind, entry_key)
        with self._lock:
            value = self._new.get((kind, entry_key))
            if value is not None:
                self.hits += 1
                return value
            if self._conn is None:
                self.misses += 1
                return None
            if not self._may_hold(kind, entry_key):
                return self._from_stage(kind, entry_key)
            try:
                row = self._conn.execute(
                    "SELECT value, checksum FROM entries WHERE kind = ? AND key = ?",
                    (kind, entry_key),
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                self._set_aside(self.folder / FILENAME, str(exc))
                row = None
            if row is None:
                return self._from_stage(kind, entry_key)
            if not isinstance(row[0], str) or row[1] != _checksum(kind, entry_key, row[0]):
                self._set_aside(self.folder / FILENAME, f"entry {kind}/{entry_key[:12]} is "
                                                        "corrupted")
                self.misses += 1
                return None
            self.hits += 1
            return row[0]

    def _from_stage(self, kind: str, entry_key: str) -> str | None:
        """A miss: the build stage's result if a worker made it (lock held)."""
        made = self.stage.take(kind, entry_key) if self.stage is not None else None
        if made is not None:
            self._new[(kind, entry_key)] = made
            self.hits += 1
            return made
        self.misses += 1
        return None

    def has(self, kind: str, entry_key: str) -> bool:
        """Whether the cache holds the entry (not checked: get() does that)."""
        with self._lock:
            if (kind, entry_key) in self._new:
                return True
            if self._conn is None or not self._may_hold(kind, entry_key):
                return False
            try:
                return self._conn.execute(
                    "SELECT 1 FROM entries WHERE kind = ? AND key = ?", (kind, entry_key)
                ).fetchone() is not None
            except sqlite3.DatabaseError:
                return False

    def put(self, kind: str, entry_key: str, value: str) -> None:
        if self._in_worker():
            return
        with self._lock:
            self._new[(kind, entry_key)] = value
            full = len(self._new) >= FLUSH_EVERY
        if full:  # keeps a cold build's memory flat
            self.flush()

    def get_or_make(self, kind: str, entry_key: str, make) -> str:
        value = self.get(kind, entry_key)
        if value is None:
            value = make()
            self.put(kind, entry_key, value)
        return value

    def flush(self) -> None:
        """Write the new entries (one transaction); a failure only loses the cache."""
        with self._lock:
            if self._in_worker():
                return
            new, self._new = self._new, {}
            if self._conn is None or not new:
                return
            if not self._stored:
                self._flushed.update(new)
            try:
                self._conn.execute("BEGIN")
                self._conn.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                    [(k, e, v, _checksum(k, e, v)) for (k, e), v in new.items()],
                )
                self._conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                log.warning("build cache not updated (%s)", exc)
                try:
                    self._conn.execute("ROLLBACK")
                except sqlite3.DatabaseError:
                    pass

    def close(self) -> None:
        if self._in_worker():
            return
        self.flush()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

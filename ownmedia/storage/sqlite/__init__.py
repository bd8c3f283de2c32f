"""SQLite connections set up the one way ownmedia uses them, and named migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ownmedia.storage.errors import StorageError, StorageUnavailable

Migration = tuple[str, str]  # (name, SQL script); applied once, in list order


def storage_error(exc: sqlite3.Error, what: str) -> StorageError:
    """A driver error as our family: an operational one (locked, disk full, read-only file)
    passes and is worth a retry; the others (a file that is not a database) do not."""
    if isinstance(exc, sqlite3.OperationalError):
        return StorageUnavailable(f"{what}: {exc}")
    return StorageError(f"{what}: {exc}")


@contextmanager
def mapped(what: str) -> Iterator[None]:
    """Run a block with SQLite's errors raised as the StorageError family, naming `what`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise storage_error(exc, what) from exc


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """WAL mode (readers never block the writer), synchronous=FULL so that a committed
    transaction survives power loss and kill -9, and a busy timeout instead of errors.
    A file that cannot be opened as a database raises the StorageError family."""
    path = Path(path)
    with mapped(str(path)):
        return _connect(path, readonly)


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.row_factory = sqlite3.Row
    return conn


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> list[str]:
    """Apply the migrations not yet applied; returns their names (sqlite3 errors: the stores
    map them, some retry)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, script in migrations:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split(script):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def _split(script: str) -> list[str]:
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements

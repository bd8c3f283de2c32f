"""One exception family for every backend, so the HTTP layer maps storage trouble to a clear
503 without knowing which database is behind it."""

from __future__ import annotations

import sqlite3

# SQLite's messages for SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_BUSY (after the
# busy timeout), SQLITE_CANTOPEN: all pass once the disk has room again / the lock is freed
_SQLITE_TRANSIENT = ("disk is full", "disk i/o error", "readonly database", "database is locked",
                     "unable to open database")


class StorageError(Exception):
    """Base of every storage failure a backend reports."""


class StorageUnavailable(StorageError):
    """The store cannot take or serve data now (database down, disk full, locked): retry later.
    Nothing of the failed operation was kept."""


class DatabaseUnavailable(StorageUnavailable):
    """A database server (PostgreSQL) cannot be reached: down, refusing, or too slow to lend
    a connection; the message names it without its password."""


class SchemaVersionError(StorageError):
    """The database's schema is not the one this version expects; the message names the
    command that migrates it."""


# Driver errors a store let through unmapped (the stores map their own; this is the net under
# them), for the HTTP layer's handlers: it then names no driver.
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError,)


def as_storage_error(exc: BaseException) -> StorageError | None:
    """`exc` as the StorageError family when it is storage trouble that passes (a full disk, a
    locked file), else None: then it is a bug, and keeps its traceback."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if any(part in text for part in _SQLITE_TRANSIENT):
            return StorageUnavailable(str(exc))
    return None

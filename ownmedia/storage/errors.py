"""One exception family for every backend, so the HTTP layer maps storage trouble to a clear
503 without knowing which database is behind it."""

from __future__ import annotations


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

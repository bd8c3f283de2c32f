"""One PostgreSQL database per process: a psycopg 3 connection pool, named migrations (as for
SQLite, one `schema_migrations` table), a schema version check, and driver errors turned into
the `StorageError` family.

The pool checks each connection as it lends it, so after the server restarts the next
request gets a fresh connection: the service reconnects by itself. A request that finds the
server down waits at most `timeout` seconds, then gets StorageUnavailable (a 503)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from ownmedia.storage.errors import DatabaseUnavailable, SchemaVersionError, StorageError
from ownmedia.storage.postgres import redact_url

Migration = tuple[str, str]  # (name, SQL script); applied once, in list order
MIGRATE_COMMAND = "ownmedia storage migrate"
_MIGRATION_LOCK = 4_201_112  # pg_advisory_xact_lock key: one migrating instance at a time


def storage_error(exc: BaseException, url: str) -> StorageError:
    """A driver error as our family: a lost or refused connection is worth a retry."""
    if isinstance(exc, (psycopg.OperationalError, PoolTimeout)):
        return DatabaseUnavailable(f"PostgreSQL unavailable at {redact_url(url)}: "
                                  f"{str(exc).strip().splitlines()[0] if str(exc) else exc}")
    return StorageError(f"PostgreSQL error: {exc}")


class PgDatabase:
    """The pool of one database URL, shared by every store of the process."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10,
                 timeout: float = 5.0):
        self.url = url
        self.timeout = timeout
        self._lock = threading.Lock()
        self.pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, timeout=timeout, open=False,
            kwargs={"connect_timeout": max(1, int(timeout)), "autocommit": True},
            check=ConnectionPool.check_connection, name="ownmedia",
            # a failed connection is not retried in the background: the next request asks
            # for a new one, so an outage costs no busy loop and recovery is immediate
            reconnect_timeout=0,
        )
        self.pool.open(wait=False)

    def check_reachable(self) -> None:
        """Connect once, now: StorageUnavailable naming the URL (without its password)."""
        try:
            with psycopg.connect(self.url, connect_timeout=max(1, int(self.timeout))):
                pass
        except psycopg.Error as exc:
            raise storage_error(exc, self.url) from exc

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """A connection inside BEGIN ... COMMIT; rows as dicts."""
        try:
            with self.pool.connection() as conn:
                conn.row_factory = dict_row
                with conn.transaction():
                    yield conn
        except (psycopg.Error, PoolTimeout) as exc:
            raise storage_error(exc, self.url) from exc

    def query(self, sql: str, params: Sequence = ()) -> list[dict]:
        with self.transaction() as conn:
            return conn.execute(sql, tuple(params)).fetchall()

    # --- schema ---------------------------------------------------------------------------
    def applied(self) -> set[str]:
        with self.transaction() as conn:
            exists = conn.execute("SELECT to_regclass('schema_migrations') AS t").fetchone()
            if exists["t"] is None:
                return set()
            return {r["name"] for r in conn.execute("SELECT name FROM schema_migrations")}

    def migrate(self, migrations: Sequence[Migration]) -> list[str]:
        """Apply the migrations not yet applied, each in its own transaction, one instance at
        a time (an advisory lock); returns their names."""
        applied = []
        for name, script in migrations:
            with self.transaction() as conn:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                done = conn.execute("SELECT 1 FROM schema_migrations WHERE name = %s",
                                    (name,)).fetchone()
                if done:
                    continue
                conn.execute(script)
                conn.execute("INSERT INTO schema_migrations(name) VALUES (%s)", (name,))
            applied.append(name)
        return applied

    def require(self, migrations: Sequence[Migration], what: str) -> None:
        """SchemaVersionError naming the migration command unless every migration is there."""
        missing = [name for name, _ in migrations if name not in self.applied()]
        if missing:
            raise SchemaVersionError(
                f"the {what} schema of {redact_url(self.url)} is not up to date "
                f"({len(missing)} migration(s) missing, first {missing[0]}): run "
                f"`{MIGRATE_COMMAND}` with the same [storage] url")

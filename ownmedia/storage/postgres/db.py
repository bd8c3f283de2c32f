"""PostgreSQL plumbing of every store: connection pools that reconnect by themselves, named
migrations under an advisory lock (several instances may start at once) in one
`schema_migrations` table, the schema version check, and driver errors turned into the
`StorageError` family.

The pool checks each connection as it lends it, so after the server restarts the next
request gets a fresh connection: the service reconnects by itself. A request that finds the
server down waits at most `timeout` seconds, then gets StorageUnavailable (a 503)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.adapt import Loader
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import ConnectionPool, PoolTimeout

from ownmedia.storage.errors import (
    DatabaseUnavailable,
    SchemaVersionError,
    StorageError,
)
from ownmedia.storage.postgres import redact_url

log = logging.getLogger("ownmedia.storage")

Migration = tuple[str, str]  # (name, SQL script); applied once, in list order
MIGRATE_COMMAND = "ownmedia storage migrate"
_MIGRATION_LOCK = 4_201_112  # pg_advisory_xact_lock key: one migrating instance at a time
ROLLUP_LOCK = 0x6F776E72  # the rollups' key ("ownr"): a refresh takes it exclusively
UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)


def storage_error(exc: BaseException, url: str) -> StorageError:
    """A driver error as our family: a lost or refused connection is worth a retry."""
    if isinstance(exc, UNAVAILABLE):
        return unavailable(url, exc)
    return StorageError(f"PostgreSQL error: {exc}")


POOL_SIZE = 10  # connections one process opens at most, every store included ([storage])
_SHARED: dict[str, PgDatabase] = {}
_SHARED_LOCK = threading.Lock()


class PgDatabase:
    """The pool of one database URL. `PgDatabase.shared(url)` is the process's one pool for
    that URL, which every store borrows (the Backend's, the event sink, the outbox): a process
    then opens at most `max_size` connections, however many stores it has."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = POOL_SIZE,
                 timeout: float = 5.0):
        self.url = url
        self.timeout = timeout
        self.max_size = max_size
        self._users = 1
        self._lock = threading.Lock()
        self.pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, timeout=timeout, open=False,
            kwargs={"connect_timeout": max(1, int(timeout)), "autocommit": True,
                    "application_name": "ownmedia"},
            check=ConnectionPool.check_connection, name="ownmedia",
            # a failed connection is not retried in the background: the next request asks
            # for a new one, so an outage costs no busy loop and recovery is immediate
            reconnect_timeout=0,
        )
        self._opened = False  # opened on first loan: a database down at start is reported
        #                       once, by check_reachable, not also by the pool's log

    def _open(self) -> None:
        with self._lock:
            if not self._opened:
                self.pool.open(wait=False)
                self._opened = True

    @property
    def opened(self) -> bool:
        """Whether the pool lent a connection already (its first loan opens it)."""
        return self._opened

    @classmethod
    def shared(cls, url: str, *, max_size: int | None = None) -> PgDatabase:
        """The process's pool for `url`, opened by its first user (whose `max_size` it takes)
        and closed when its last user closes it."""
        with _SHARED_LOCK:
            db = _SHARED.get(url)
            if db is not None and db._users > 0:
                db._users += 1
                return db
            db = cls(url, max_size=max_size or POOL_SIZE)
            _SHARED[url] = db
            return db

    def borrowed(self) -> PgDatabase:
        """This pool for one more user (who closes it when done)."""
        with _SHARED_LOCK:
            self._users += 1
        return self

    def close(self) -> None:
        """Give the pool back; the last of its users closes it."""
        with _SHARED_LOCK:
            self._users -= 1
            if self._users > 0:
                return
            if _SHARED.get(self.url) is self:
                del _SHARED[self.url]
        self.pool.close()

    def check_reachable(self) -> None:
        """Connect once, now: StorageUnavailable naming the URL (without its password)."""
        try:
            with psycopg.connect(self.url, connect_timeout=max(1, int(self.timeout))):
                pass
        except psycopg.Error as exc:
            raise storage_error(exc, self.url) from exc

    def hold(self) -> psycopg.Connection:
        """A connection kept out of the pool until `release`d, for a session-level lock: it
        counts in the pool's size, so the process still opens at most `max_size`."""
        if not self._opened:
            self._open()
        try:
            conn = self.pool.getconn()
        except (psycopg.Error, PoolTimeout) as exc:
            raise storage_error(exc, self.url) from exc
        conn.row_factory = tuple_row
        return conn

    def release(self, conn: psycopg.Connection) -> None:
        """Give a held connection back, without the session locks it took (a broken one is
        dropped by the pool)."""
        if not conn.closed and not conn.broken:
            try:
                conn.execute("SELECT pg_advisory_unlock_all()")
            except psycopg.Error:
                pass
        self.pool.putconn(conn)

    @contextmanager
    def borrow(self, row_factory: Any = tuple_row, *,
               durable: bool = True) -> Iterator[psycopg.Connection]:
        """A connection inside BEGIN ... COMMIT, driver errors left as they are (for a caller
        that tells bad input from an outage itself); `durable=False` commits without waiting
        for the WAL flush (generated data)."""
        with self.connection(row_factory) as conn, conn.transaction():
            if not durable:
                conn.execute("SET LOCAL synchronous_commit = off")
            yield conn

    @contextmanager
    def connection(self, row_factory: Any = tuple_row) -> Iterator[psycopg.Connection]:
        """A pooled connection in autocommit (each statement sees every commit before it),
        driver errors left as they are; back to the pool on exit."""
        if not self._opened:
            self._open()
        with self.pool.connection() as conn:
            conn.row_factory = row_factory
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """A connection inside BEGIN ... COMMIT; rows as dicts."""
        try:
            with self.borrow(dict_row) as conn:
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
        """SchemaVersionError when the database holds migrations this version does not know:
        a newer ownmedia migrated it, and older code could misread or damage its data."""
        known = {name for name, _ in migrations}
        newer = sorted(n for n in self.applied() if ":" not in n and n not in known)
        if newer:
            raise SchemaVersionError(
                f"the {what} schema of {redact_url(self.url)} is newer than this ownmedia "
                f"({newer[-1]}): upgrade ownmedia; `{MIGRATE_COMMAND}` then brings the "
                "schema up to date")


# --- the analytics stores (event sink, stats reader, outbox) ---------------------------------
def unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """The one message for a database that cannot be reached (never with its password)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DatabaseUnavailable(f"PostgreSQL at {redact_url(url)} is unavailable: {first}")


def migrate(conn: psycopg.Connection, migrations: Sequence[Migration], what: str) -> list[str]:
    """Apply the migrations not yet applied (the first instance to start does it, the others
    wait on the lock); a schema newer than this version is refused with SchemaVersionError."""
    applied: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [_MIGRATION_LOCK])
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
        known = {name for name, _ in migrations}
        prefix = what + ":"
        unknown = sorted(n for n in done if n.startswith(prefix) and n[len(prefix):] not in known)
        if unknown:
            raise SchemaVersionError(
                f"the {what} schema in PostgreSQL is newer than this ownmedia ({unknown[-1]}): "
                "upgrade ownmedia, or run `ownmedia storage migrate` with the newer version")
        for name, script in migrations:
            if prefix + name in done:
                continue
            conn.execute(script)
            conn.execute("INSERT INTO schema_migrations(name) VALUES (%s)", [prefix + name])
            applied.append(name)
    return applied


def translate(sql: str) -> str:
    """The engine's `?` placeholders as psycopg's `%s` (a literal % doubled), string literals
    left alone."""
    out, quoted = [], False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
            out.append(ch)
        elif ch == "%":
            out.append("%%")
        elif ch == "?" and not quoted:
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


class NumberLoader(Loader):
    """NUMERIC (what SUM of a BIGINT or AVG return) as a Python int when whole, else a float:
    the engine's numbers are then the same types as SQLite's, JSON included."""

    def load(self, data: bytes | bytearray | memoryview) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class Rows:
    """A statement's rows, all fetched before its connection went back to the pool."""

    def __init__(self, rows: list, rowcount: int):
        self._rows = iter(rows)
        self.rowcount = rowcount

    def __iter__(self) -> Iterator:
        return self._rows

    def fetchone(self) -> Any:
        return next(self._rows, None)

    def fetchall(self) -> list:
        return list(self._rows)


class Reader:
    """The stats engine's SqlReader over the process's pool: each statement borrows a pooled
    connection (autocommit, so it sees every event committed before it) and gives it back
    with its rows, so threads hold no connection between statements and a process never opens
    more than the pool's size. `pinned` runs statements on one connection (a transaction)."""

    def __init__(self, db: PgDatabase, conn: psycopg.Connection | None = None,
                 sql: dict[str, str] | None = None):
        self.db = db
        self.url = db.url
        self.conn = conn
        self._sql: dict[str, str] = {} if sql is None else sql

    def pinned(self, conn: psycopg.Connection) -> Reader:
        return Reader(self.db, conn, self._sql)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        pg = self._sql.get(sql)
        if pg is None:
            pg = self._sql[sql] = translate(sql)
            if len(self._sql) > 4096:
                self._sql.clear()
        try:
            if self.conn is not None:
                return _rows(self.conn, pg, params)
            with self.db.connection() as conn:
                try:
                    return _rows(conn, pg, params)
                except UNAVAILABLE:
                    if not (conn.closed or conn.broken):
                        raise
            with self.db.connection() as conn:  # lost meanwhile: once more, on a fresh one
                return _rows(conn, pg, params)
        except UNAVAILABLE as exc:
            raise unavailable(self.url, exc) from exc


def _rows(conn: psycopg.Connection, sql: str, params: Sequence[Any]) -> Rows:
    with conn.cursor() as cur:
        cur.adapters.register_loader("numeric", NumberLoader)  # this cursor only
        cur.execute(sql, list(params))
        return Rows(cur.fetchall() if cur.description is not None else [], cur.rowcount)

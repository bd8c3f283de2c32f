"""Comments on SQLite (data/comments.sqlite3): every submission whatever its fate, the rate
hits, and the queues that turn an approval into a file, a page and a mail.

One connection per store, guarded by a lock: the service calls it from the event loop and
from worker threads, the CLI from its own process (WAL lets both run). The mail queue, the
mention queue and log, and the admin auth tables live in the same file (queues.py,
mentions.py, auth.py share this `CommentsDb`)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ownmedia.storage.comment_reads import CommentReads
from ownmedia.storage.comment_writes import CommentWrites
from ownmedia.storage.errors import StorageError, StorageUnavailable
from ownmedia.storage.sqlite import Migration, connect, migrate
from ownmedia.storage.sqlite.mentions import MENTION_MIGRATIONS

DB_FILE = "comments.sqlite3"

COMMENT_MIGRATIONS: list[Migration] = [
    (
        "0001_comments",
        """
        CREATE TABLE comments (
            id TEXT PRIMARY KEY,
            post TEXT NOT NULL,                  -- post slug
            type TEXT NOT NULL DEFAULT 'comment', -- comment | webmention | pingback
            status TEXT NOT NULL CHECK (status IN ('pending','approved','spam','rejected')),
            author TEXT NOT NULL,
            email TEXT NOT NULL DEFAULT '',      -- never published; reply notifications only
            notify INTEGER NOT NULL DEFAULT 0,   -- opted in to reply notifications
            website TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL,                  -- Markdown source
            reply_to TEXT,
            source TEXT,                         -- mentions: the page that links to us
            target TEXT,                         -- mentions: our URL it links to
            lang TEXT NOT NULL DEFAULT 'fr',
            created REAL NOT NULL,               -- UTC seconds
            updated REAL NOT NULL,
            visitor TEXT NOT NULL DEFAULT '',    -- keyed hash (never the IP)
            body_hash TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT ''      -- why it went to spam, for the moderator
        );
        CREATE INDEX comments_status ON comments(status, created);
        CREATE INDEX comments_post ON comments(post, status);
        CREATE UNIQUE INDEX comments_mention ON comments(source, target) WHERE source IS NOT NULL;

        CREATE TABLE submissions (              -- rate limit: one row per submission
            visitor TEXT NOT NULL,
            ts REAL NOT NULL
        );
        CREATE INDEX submissions_visitor ON submissions(visitor, ts);

        CREATE TABLE render_queue (             -- posts whose page must be re-rendered
            post TEXT PRIMARY KEY,
            queued REAL NOT NULL
        );

        CREATE TABLE outbox (                   -- mails to send; deleted once sent
            id INTEGER PRIMARY KEY,
            created REAL NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL,
            last_error TEXT
        );

        CREATE TABLE mention_queue (            -- received mentions waiting for verification
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,                 -- webmention | pingback
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            post TEXT NOT NULL,
            received REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL,
            last_error TEXT,
            UNIQUE (source, target)
        );

        CREATE TABLE sent_mentions (            -- what `ownmedia mentions send` already sent
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            kind TEXT NOT NULL,                 -- webmention | pingback | none
            endpoint TEXT NOT NULL DEFAULT '',
            status INTEGER NOT NULL DEFAULT 0,
            sent_at REAL NOT NULL,
            PRIMARY KEY (source, target)
        );

        CREATE TABLE admin_sessions (
            id_hash TEXT PRIMARY KEY,           -- sha256 of the cookie value
            created REAL NOT NULL,
            expires REAL NOT NULL,
            csrf TEXT NOT NULL
        );

        CREATE TABLE login_failures (
            key TEXT PRIMARY KEY,               -- keyed hash of the client address
            count INTEGER NOT NULL,
            last REAL NOT NULL
        );
        """,
    ),
    (
        "0002_file_intents",
        """
        -- comment files to write or remove, committed with the change that needs them and
        -- deleted once the file is done: a crash in between is finished at the next start
        CREATE TABLE file_intents (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            comment_id TEXT NOT NULL,
            post TEXT NOT NULL,
            queued REAL NOT NULL
        );
        """,
    ),
    (
        "0003_email_only_for_notifications",
        """
        -- an address is kept only to send the reply notifications its owner asked for
        UPDATE comments SET email = '' WHERE notify = 0 AND email != '';
        """,
    ),
]

ALL_MIGRATIONS = COMMENT_MIGRATIONS + MENTION_MIGRATIONS


def storage_error(exc: sqlite3.Error) -> StorageError:
    """A driver error as our family: a locked or full database is worth a retry."""
    if isinstance(exc, sqlite3.OperationalError):
        return StorageUnavailable(f"comment store unavailable: {exc}")
    return StorageError(f"comment store: {exc}")


class CommentsDb:
    """The one connection to comments.sqlite3, shared by the stores kept in that file."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / DB_FILE
        try:
            self.conn = connect(self.path)
            migrate(self.conn, ALL_MIGRATIONS)
        except sqlite3.Error as exc:
            raise storage_error(exc) from exc
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: committed (fsync'd) when the block ends."""
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise storage_error(exc) from exc
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                # SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR): a second
                # ROLLBACK would raise and hide the real error; a failed COMMIT leaves the
                # transaction open unless we end it, and the connection would be stuck in it
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise storage_error(exc) from exc
                raise

    def query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self.lock:
            try:
                return self.conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise storage_error(exc) from exc


class SqliteCommentTx(CommentWrites):
    """The statements of one comment transaction on SQLite (BEGIN IMMEDIATE: already
    exclusive, so a row read here cannot change before COMMIT, and nothing is locked)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def _run(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(params))


class SqliteCommentStore(CommentReads):
    """The `CommentStore` port on comments.sqlite3 (its reads: storage.comment_reads)."""

    def __init__(self, data_dir: str | Path | CommentsDb):
        self.db = data_dir if isinstance(data_dir, CommentsDb) else CommentsDb(data_dir)
        self.path = self.db.path

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[SqliteCommentTx]:
        with self.db.transaction() as conn:
            yield SqliteCommentTx(conn)

    # the dialect of the shared reads (CommentReads)
    def _query(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        return self.db.query(sql, params)

    def _execute(self, sql: str, params: Sequence = ()) -> None:
        with self.db.transaction() as conn:
            conn.execute(sql, tuple(params))

    def _in(self, column: str, values: Sequence) -> tuple[str, list]:
        return f"{column} IN ({', '.join('?' for _ in values)})", list(values)

    def render_leader(self) -> bool:
        """One machine, one service: it re-renders."""
        return True

"""Comments on SQLite (data/comments.sqlite3): every submission whatever its fate, the rate
hits, and the queues that turn an approval into a file, a page and a mail.

One connection per store, guarded by a lock: the service calls it from the event loop and
from worker threads, the CLI from its own process (WAL lets both run). The mail queue, the
mention queue and log, and the admin auth tables live in the same file (queues.py,
mentions.py, auth.py share this `CommentsDb`)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ownmedia.storage.comment_reads import SELECT_COMMENTS as _SELECT
from ownmedia.storage.comment_reads import CommentReads
from ownmedia.storage.errors import StorageError, StorageUnavailable
from ownmedia.storage.ports import (
    COMMENT_FIELDS,
    RateWindow,
    StoredComment,
)
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


class SqliteCommentTx:
    """The statements of one comment transaction on SQLite (BEGIN IMMEDIATE: already
    exclusive, so a row read here cannot change before COMMIT)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def get(self, comment_id: str) -> StoredComment | None:
        row = self.conn.execute(_SELECT + " WHERE id = ?", (comment_id,)).fetchone()
        return StoredComment.from_mapping(row) if row else None

    def by_mention(self, source: str, target: str) -> StoredComment | None:
        row = self.conn.execute(_SELECT + " WHERE source = ? AND target = ?",
                                (source, target)).fetchone()
        return StoredComment.from_mapping(row) if row else None

    def insert(self, row: dict[str, object]) -> StoredComment:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(f"INSERT INTO comments ({names}) VALUES ({marks})", tuple(row.values()))
        return self.get(str(row["id"]))

    def set_status(self, comment_id: str, status: str, now: float) -> None:
        self.conn.execute("UPDATE comments SET status = ?, updated = ? WHERE id = ?",
                          (status, now, comment_id))

    def edit(self, comment_id: str, author: str, body: str, website: str, now: float) -> None:
        self.conn.execute(
            "UPDATE comments SET author = ?, body = ?, website = ?, updated = ? WHERE id = ?",
            (author, body, website, now, comment_id))

    def update_mention(self, comment_id: str, *, author: str, website: str, body: str,
                       created: float, photo: str, now: float) -> None:
        self.conn.execute(
            "UPDATE comments SET author = ?, website = ?, body = ?, updated = ?, created = ?,"
            " photo = ? WHERE id = ?", (author, website, body, now, created, photo, comment_id))

    def update_from_file(self, comment_id: str, fields: dict[str, object], post: str,
                         now: float) -> None:
        unknown = set(fields) - set(COMMENT_FIELDS)
        if unknown:
            raise ValueError(f"unknown comment fields: {sorted(unknown)}")
        assignments = ", ".join(f"{k} = ?" for k in fields)
        self.conn.execute(
            f"UPDATE comments SET {assignments}, post = ?, status = 'approved', updated = ?"
            " WHERE id = ?", (*fields.values(), post, now, comment_id))

    def unpublish(self, comment_id: str, reason: str, now: float) -> bool:
        return bool(self.conn.execute(
            "UPDATE comments SET status = 'rejected', reason = ?, updated = ?"
            " WHERE id = ? AND status = 'approved'", (reason, now, comment_id)).rowcount)

    def delete(self, comment_id: str) -> None:
        self.conn.execute("DELETE FROM comments WHERE id = ?", (comment_id,))

    def duplicate_exists(self, post: str, body_hash: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM comments WHERE post = ? AND body_hash = ? AND status != 'rejected'",
            (post, body_hash)).fetchone() is not None

    def forget_email(self, email: str) -> None:
        self.conn.execute("UPDATE comments SET notify = 0, email = '' WHERE lower(email) = ?",
                          (email,))
        self.conn.execute("DELETE FROM outbox WHERE lower(recipient) = ?", (email,))

    def rate_window(self, visitor: str, since: float) -> RateWindow:
        count, oldest = self.conn.execute(
            "SELECT COUNT(*), MIN(ts) FROM submissions WHERE visitor = ? AND ts > ?",
            (visitor, since)).fetchone()
        return RateWindow(count, oldest)

    def add_rate_hit(self, visitor: str, now: float, *,
                     prune_before: float | None = None) -> None:
        if prune_before is not None:
            self.conn.execute("DELETE FROM submissions WHERE ts < ?", (prune_before,))
        self.conn.execute("INSERT INTO submissions(visitor, ts) VALUES (?, ?)", (visitor, now))

    def queue_file(self, comment_id: str, post: str) -> None:
        self.conn.execute("INSERT INTO file_intents(comment_id, post, queued) VALUES (?, ?, ?)",
                          (comment_id, post, time.time()))

    def file_pending(self, comment_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM file_intents WHERE comment_id = ?",
                                 (comment_id,)).fetchone() is not None

    def done_file(self, seq: int) -> None:
        self.conn.execute("DELETE FROM file_intents WHERE seq = ?", (seq,))

    def queue_render(self, post: str) -> None:
        self.conn.execute(
            "INSERT INTO render_queue(post, queued) VALUES (?, ?)"
            " ON CONFLICT(post) DO UPDATE SET queued = excluded.queued", (post, time.time()))

    def queue_mail(self, recipient: str, subject: str, body: str) -> None:
        now = time.time()
        self.conn.execute(
            "INSERT INTO outbox(created, recipient, subject, body, next_attempt)"
            " VALUES (?, ?, ?, ?, ?)", (now, recipient, subject, body, now))

    def drop_mention_job(self, source: str | None, target: str | None) -> None:
        self.conn.execute("DELETE FROM mention_queue WHERE source = ? AND target = ?",
                          (source, target))


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

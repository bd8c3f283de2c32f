"""The comment store (data/comments.sqlite3): every submission, whatever its fate, so that
nothing accepted is lost; the queues that turn an approval into a page, a mail, a mention.

One connection per Store, guarded by a lock: the service calls it from the event loop and
from worker threads, the CLI from its own process (SQLite WAL lets both run)."""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ownmedia.storage.sqlite import Migration, connect, migrate

DB_FILE = "comments.sqlite3"
STATUSES = ("pending", "approved", "spam", "rejected")

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


@dataclass
class StoredComment:
    """A row of the comments table."""

    id: str
    post: str
    type: str
    status: str
    author: str
    email: str
    notify: bool
    website: str
    body: str
    reply_to: str | None
    source: str | None
    target: str | None
    lang: str
    created: float
    updated: float
    visitor: str
    body_hash: str
    reason: str
    photo: str = ""  # mentions: local path of the author's photo (column added by mentions.db)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredComment:
        data = dict(row)
        data["notify"] = bool(data["notify"])
        return cls(**data)

    @property
    def created_dt(self) -> datetime:
        return datetime.fromtimestamp(self.created, UTC).replace(microsecond=0)


def new_comment_id(now: float | None = None) -> str:
    """Sortable and unguessable enough: 20261126-093012-4f2a9c."""
    moment = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


class Store:
    """All SQL of comments and mentions lives here."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / DB_FILE
        self.conn = connect(self.path)
        migrate(self.conn, COMMENT_MIGRATIONS)
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: committed (fsync'd) when the block ends."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR): a second
                # ROLLBACK would raise and hide the real error; a failed COMMIT leaves the
                # transaction open unless we end it, and the connection would be stuck in it
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    # --- comments -----------------------------------------------------------------------
    def insert(self, conn: sqlite3.Connection, **fields: object) -> None:
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        conn.execute(f"INSERT INTO comments ({names}) VALUES ({marks})", tuple(fields.values()))

    def get(self, comment_id: str) -> StoredComment | None:
        rows = self.query("SELECT * FROM comments WHERE id = ?", (comment_id,))
        return StoredComment.from_row(rows[0]) if rows else None

    def list(
        self, status: str | None = None, post: str | None = None, limit: int = 200
    ) -> list[StoredComment]:
        where, params = [], []
        if status:
            where.append("status = ?")
            params.append(status)
        if post:
            where.append("post = ?")
            params.append(post)
        sql = "SELECT * FROM comments"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created DESC, id DESC LIMIT ?"
        params.append(limit)
        return [StoredComment.from_row(r) for r in self.query(sql, params)]

    def counts(self) -> dict[str, int]:
        rows = self.query("SELECT status, COUNT(*) FROM comments GROUP BY status")
        result = dict.fromkeys(STATUSES, 0)
        result.update({r[0]: r[1] for r in rows})
        return result

    def by_mention(self, source: str, target: str) -> StoredComment | None:
        rows = self.query(
            "SELECT * FROM comments WHERE source = ? AND target = ?", (source, target)
        )
        return StoredComment.from_row(rows[0]) if rows else None

    # --- render queue ---------------------------------------------------------------------
    def queue_render(self, conn: sqlite3.Connection, post: str) -> None:
        conn.execute(
            "INSERT INTO render_queue(post, queued) VALUES (?, ?)"
            " ON CONFLICT(post) DO UPDATE SET queued = excluded.queued",
            (post, time.time()),
        )

    def pending_renders(self) -> list[tuple[str, float]]:
        return [(r[0], r[1]) for r in self.query("SELECT post, queued FROM render_queue")]

    def done_render(self, post: str, queued: float) -> None:
        """Forget the request unless it was queued again while we rendered."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM render_queue WHERE post = ? AND queued = ?", (post, queued))

    # --- file intents ---------------------------------------------------------------------
    def queue_file(self, conn: sqlite3.Connection, comment_id: str, post: str) -> None:
        """Inside the transaction that changes a comment: its file must follow the row."""
        conn.execute("INSERT INTO file_intents(comment_id, post, queued) VALUES (?, ?, ?)",
                     (comment_id, post, time.time()))

    def pending_files(self) -> list[tuple[int, str, str]]:
        """(seq, comment_id, post), oldest first."""
        return [(r[0], r[1], r[2]) for r in
                self.query("SELECT seq, comment_id, post FROM file_intents ORDER BY seq")]

    # --- outbox ---------------------------------------------------------------------------
    def queue_mail(self, conn: sqlite3.Connection, recipient: str, subject: str, body: str) -> None:
        now = time.time()
        conn.execute(
            "INSERT INTO outbox(created, recipient, subject, body, next_attempt)"
            " VALUES (?, ?, ?, ?, ?)",
            (now, recipient, subject, body, now),
        )

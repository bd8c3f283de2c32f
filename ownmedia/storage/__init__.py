"""Storage behind small interfaces (ownmedia.storage.ports, event_ports): SQLite files in the
data directory by default, or one PostgreSQL database shared by several instances
(`[storage] url = "postgresql://..."`).

`open_backend(config)` is the one place that chooses. A `Backend` opens each store on first
use and keeps it: `backend.comments`, `.mail`, `.mention_queue`, `.mention_log`, `.auth`,
`.keys`, `.goals`, `.review_mail`, `.campaigns`; other stores register their factories in
`SQLITE_STORES` and `POSTGRES_STORES` under a name and are opened with `backend.store(name)`.
On PostgreSQL every Backend of a process borrows the one pool of its URL.

With SQLite each concern keeps its own file (events, comments, keys), so high-rate event
writes never wait on a comment moderation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ownmedia.storage.errors import StorageError

if TYPE_CHECKING:
    from ownmedia.storage.campaign_port import CampaignStore
    from ownmedia.storage.ports import (
        AuthStore,
        CommentStore,
        GoalStorage,
        KeyStorage,
        MailQueue,
        MentionLog,
        MentionQueue,
        SentReviews,
    )

StoreFactory = Callable[["Backend"], Any]


def _sqlite_comments_db(backend: Backend):
    from ownmedia.storage.sqlite.comments import CommentsDb

    return CommentsDb(backend.data_dir)


def _sqlite(module: str, cls: str, *, shared_db: bool = True) -> StoreFactory:
    def factory(backend: Backend):
        import importlib

        store_cls = getattr(importlib.import_module(f"ownmedia.storage.sqlite.{module}"), cls)
        return store_cls(backend.store("comments_db") if shared_db else backend.data_dir)
    return factory


def _postgres(module: str, cls: str) -> StoreFactory:
    def factory(backend: Backend):
        import importlib

        store_cls = getattr(importlib.import_module(f"ownmedia.storage.postgres.{module}"), cls)
        return store_cls(backend.pg)
    return factory


SQLITE_STORES: dict[str, StoreFactory] = {
    "comments_db": _sqlite_comments_db,
    "comments": _sqlite("comments", "SqliteCommentStore"),
    "mail": _sqlite("queues", "SqliteMailQueue"),
    "mention_queue": _sqlite("mentions", "SqliteMentionQueue"),
    "mention_log": _sqlite("mentions", "SqliteMentionLog"),
    "auth": _sqlite("auth", "SqliteAuthStore"),
    "keys": _sqlite("keys", "SqliteKeyStorage", shared_db=False),
    "goals": _sqlite("goals", "SqliteGoalStorage", shared_db=False),
    "review_mail": _sqlite("review_mail", "SqliteSentReviews", shared_db=False),
    "campaigns": _sqlite("campaigns", "SqliteCampaignStore", shared_db=False),
}
POSTGRES_STORES: dict[str, StoreFactory] = {
    "comments": _postgres("comments", "PgCommentStore"),
    "mail": _postgres("queues", "PgMailQueue"),
    "mention_queue": _postgres("mentions", "PgMentionQueue"),
    "mention_log": _postgres("mentions", "PgMentionLog"),
    "auth": _postgres("auth", "PgAuthStore"),
    "keys": _postgres("keys", "PgKeyStorage"),
    "goals": _postgres("goals", "PgGoalStorage"),
    "review_mail": _postgres("review_mail", "PgSentReviews"),
    "campaigns": _postgres("campaigns", "PgCampaignStore"),
}


def postgres_migrations() -> list[tuple[str, str]]:
    """Every PostgreSQL migration of the stores of this module, in order (the collector's,
    goals included, are the event store's own: see storage/postgres/events_schema.py)."""
    from ownmedia.storage.postgres.campaigns import CAMPAIGN_MIGRATIONS
    from ownmedia.storage.postgres.comments import COMMENT_MIGRATIONS
    from ownmedia.storage.postgres.keys import KEY_MIGRATIONS
    from ownmedia.storage.postgres.review_mail import REVIEW_MAIL_MIGRATIONS

    out = COMMENT_MIGRATIONS + KEY_MIGRATIONS + REVIEW_MAIL_MIGRATIONS + CAMPAIGN_MIGRATIONS
    for extra in POSTGRES_MIGRATIONS:
        out += extra()
    return out


# Other stores add a callable returning their PostgreSQL migrations here.
POSTGRES_MIGRATIONS: list[Callable[[], list[tuple[str, str]]]] = []


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class Backend:
    """The stores of one process on the backend `url` chose ("" = SQLite in data_dir)."""

    def __init__(self, url: str = "", data_dir: str | Path = "data", *,
                 check_schema: bool = True, pool_size: int | None = None):
        self.url = url
        self.data_dir = Path(data_dir)
        self.kind = "postgresql" if is_postgres(url) else "sqlite"
        if url and self.kind == "sqlite" and not url.startswith("sqlite:"):
            raise StorageError(f"[storage] url must be empty, sqlite:DIR or postgresql://...,"
                               f" not {url.split('://')[0]}://...")
        if url.startswith("sqlite:"):
            self.data_dir = Path(url.removeprefix("sqlite:").removeprefix("//") or data_dir)
        self._stores: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._pg = None
        self.pool_size = pool_size
        self.check_schema = check_schema

    @property
    def pg(self):
        """The process's PostgreSQL pool for this URL (borrowed on first use, reachable and at
        the right schema): every Backend and event sink of the process on that URL shares it."""
        with self._lock:
            if self._pg is None:
                from ownmedia.storage.postgres.db import PgDatabase

                db = PgDatabase.shared(self.url, max_size=self.pool_size)
                try:
                    db.check_reachable()
                    if self.check_schema:  # as SQLite files are: migrated when opened
                        db.require(postgres_migrations(), "ownmedia")
                        db.migrate(postgres_migrations())
                except BaseException:
                    db.close()
                    raise
                self._pg = db
            return self._pg

    def migrate(self) -> list[str]:
        """Bring the schema up to date; returns the migrations applied (SQLite migrates each
        file as it opens it, so this opens them all)."""
        if self.kind == "postgresql":
            from ownmedia.storage.postgres.db import PgDatabase
            from ownmedia.storage.postgres.events import PostgresEventSink

            db = self._pg.borrowed() if self._pg else PgDatabase.shared(self.url)
            try:
                db.check_reachable()
                applied = db.migrate(postgres_migrations())
                PostgresEventSink(db, durable=False).close()  # the collector's tables too
            finally:
                db.close()
            return applied
        for name in SQLITE_STORES:
            self.store(name)
        return []

    def store(self, name: str) -> Any:
        """The store registered as `name` for this backend, opened once."""
        with self._lock:
            if name not in self._stores:
                factories = POSTGRES_STORES if self.kind == "postgresql" else SQLITE_STORES
                if name not in factories:
                    raise StorageError(f"no {name!r} store for {self.kind}")
                self._stores[name] = factories[name](self)
            return self._stores[name]

    @property
    def comments(self) -> CommentStore:
        return self.store("comments")

    @property
    def mail(self) -> MailQueue:
        return self.store("mail")

    @property
    def mention_queue(self) -> MentionQueue:
        return self.store("mention_queue")

    @property
    def mention_log(self) -> MentionLog:
        return self.store("mention_log")

    @property
    def auth(self) -> AuthStore:
        return self.store("auth")

    @property
    def keys(self) -> KeyStorage:
        return self.store("keys")

    @property
    def goals(self) -> GoalStorage:
        return self.store("goals")

    @property
    def review_mail(self) -> SentReviews:
        return self.store("review_mail")

    @property
    def campaigns(self) -> CampaignStore:
        return self.store("campaigns")

    def describe(self) -> str:
        """Where the data is, for messages (never a password)."""
        if self.kind == "postgresql":
            from ownmedia.storage.postgres import redact_url

            return redact_url(self.url)
        return f"sqlite:{self.data_dir}"

    def close(self) -> None:
        with self._lock:
            for name, store in reversed(list(self._stores.items())):
                if name != "comments_db" and hasattr(store, "close"):
                    store.close()
            if "comments_db" in self._stores:
                self._stores["comments_db"].close()
            self._stores.clear()
            if self._pg is not None:
                self._pg.close()
                self._pg = None


def open_backend(config: Any = None, *, url: str | None = None,
                 data_dir: str | Path | None = None) -> Backend:
    """The backend of a Config ([storage] url, [server] data), or of url/data_dir given."""
    if config is not None:
        url = config.storage.url if url is None else url
        data_dir = config.data_dir if data_dir is None else data_dir
    pool_size = config.storage.pool_size if config is not None else None
    return Backend(url or "", data_dir or "data", pool_size=pool_size)

"""The mentions' own schema changes, applied on the comment store's database (the tables
themselves were created with it): named migrations, so they go once, beside the others."""

from __future__ import annotations

from ownmedia.storage.sqlite import Migration, migrate

MENTION_MIGRATIONS: list[Migration] = [
    (
        "mentions_0001_queue_state",
        """
        -- a job that used up its attempts stays, failed, with the reason, for the owner
        ALTER TABLE mention_queue ADD COLUMN state TEXT NOT NULL DEFAULT 'queued';
        ALTER TABLE mention_queue ADD COLUMN updated REAL NOT NULL DEFAULT 0;
        CREATE INDEX mention_queue_due ON mention_queue(state, next_attempt);

        -- what each post linked to when `mentions send` last looked, to notify removed links
        CREATE TABLE sent_links (
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            PRIMARY KEY (source, target)
        );
        -- a fingerprint of each post's content as last sent, to re-send on change
        CREATE TABLE sent_posts (
            source TEXT PRIMARY KEY,
            digest TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            sent_at REAL NOT NULL
        );
        """,
    ),
    (
        "mentions_0002_comment_photo",
        """
        -- a webmention author's photo: the local path of our copy (ownmedia.mentions.photos)
        ALTER TABLE comments ADD COLUMN photo TEXT NOT NULL DEFAULT '';
        """,
    ),
]


def ensure_schema(store) -> None:
    """Apply what is missing (cheap when nothing is); safe to call from every entry point."""
    if getattr(store, "_mentions_schema", False):
        return
    with store.lock:
        migrate(store.conn, MENTION_MIGRATIONS)
    store._mentions_schema = True

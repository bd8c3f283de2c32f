"""`ownmedia storage copy`: everything of a SQLite data directory (comments, mentions, queues,
admin sessions, keys, goals, campaigns, sent weekly reviews, and the events, sessions, salts
and outbox of the collector) into a PostgreSQL database, migrated first.

Rows keep their ids and go in with ON CONFLICT DO NOTHING, so a second run (after an
interruption, or to catch up before switching) adds only what is missing and never
duplicates; a table without a key (the rate-limit hits, short-lived) is replaced whole. The
columns copied are those both sides have, so the event tables follow whatever schema the
event store's PostgreSQL migrations made; a table the target lacks is reported, not invented.
At the end each table's rows are counted on both sides and must match."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from ownmedia.storage import Backend
from ownmedia.storage.postgres.db import storage_error
from ownmedia.storage.postgres.rollups import mark_all

BATCH = 5000


@dataclass(frozen=True)
class TableCopy:
    """One SQLite table into one PostgreSQL table."""

    sqlite_file: str
    source: str
    target: str  # or "a|b": the first of these the target has
    key: tuple[str, ...] = ()  # () = no key: the target table is replaced whole
    expressions: dict[str, str] = field(default_factory=dict)  # target column -> SQLite expr
    identity: str = ""  # the target's generated id column, moved past the copied ids


TABLES: tuple[TableCopy, ...] = (
    TableCopy("comments.sqlite3", "comments", "comments", ("id",)),
    TableCopy("comments.sqlite3", "submissions", "comment_rate_hits"),
    TableCopy("comments.sqlite3", "render_queue", "render_queue", ("post",)),
    TableCopy("comments.sqlite3", "file_intents", "file_intents", ("seq",), identity="seq"),
    TableCopy("comments.sqlite3", "outbox", "mail_outbox", ("id",), identity="id"),
    TableCopy("comments.sqlite3", "mention_queue", "mention_queue", ("id",), identity="id"),
    TableCopy("comments.sqlite3", "sent_mentions", "sent_mentions", ("source", "target")),
    TableCopy("comments.sqlite3", "sent_links", "sent_links", ("source", "target"),
              {"seq": "rowid"}, identity="seq"),
    TableCopy("comments.sqlite3", "sent_posts", "sent_posts", ("source",)),
    TableCopy("comments.sqlite3", "admin_sessions", "admin_sessions", ("id_hash",)),
    TableCopy("comments.sqlite3", "login_failures", "login_failures", ("key",)),
    TableCopy("keys.sqlite3", "api_keys", "api_keys", ("id",), identity="id"),
    TableCopy("events.sqlite3", "goals", "goals", ("id",), identity="id"),
    TableCopy("review_mail.sqlite3", "review_mail_sent", "review_mail_sent", ("week",)),
    TableCopy("campaigns.sqlite3", "campaigns", "campaigns", ("name",)),
    # the collector's tables: copied into those the event store's migrations made
    TableCopy("events.sqlite3", "events", "events", ("id",), identity="id"),
    TableCopy("events.sqlite3", "sessions", "sessions", ("session_id",),
              {"last_seen": 'COALESCE(last_seen, "end")'}),  # NULL: visits before 0051
    TableCopy("events.sqlite3", "dropped", "dropped", ("day", "domain", "reason")),
    TableCopy("events.sqlite3", "salts", "salts", ("day",)),
    TableCopy("events.sqlite3", "outbox", "event_outbox|forward_outbox|outbox", ("id",),
              identity="id"),
)


@dataclass
class TableResult:
    table: str
    source_rows: int
    target_rows: int = 0
    copied: int = 0  # rows new in the target this run
    skipped: str = ""  # why the table was not copied

    @property
    def ok(self) -> bool:
        return bool(self.skipped) or self.source_rows == self.target_rows


Progress = Callable[[str, int], None]  # (table, rows just read) after each batch


def _sqlite_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _pg_columns(pg: psycopg.Connection, table: str) -> list[str]:
    rows = pg.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema ="
        " current_schema() AND table_name = %s ORDER BY ordinal_position", (table,)).fetchall()
    return [r[0] for r in rows]


def plan(source_dir: Path) -> list[tuple[TableCopy, int]]:
    """The tables present in the source, with their row counts."""
    out = []
    for spec in TABLES:
        path = source_dir / spec.sqlite_file
        if not path.exists():
            continue
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            present = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND"
                                   " name = ?", (spec.source,)).fetchone()
            if present:
                out.append((spec, conn.execute(f'SELECT COUNT(*) FROM "{spec.source}"'
                                               ).fetchone()[0]))
        finally:
            conn.close()
    return out


def copy_all(source_dir: Path, target_url: str, progress: Progress | None = None
             ) -> list[TableResult]:
    """Migrate the target, copy every table, count both sides."""
    Backend(target_url, source_dir, check_schema=False).migrate()
    results = []
    try:
        with psycopg.connect(target_url, autocommit=False) as pg:
            for spec, count in plan(source_dir):
                results.append(_copy_table(source_dir, spec, count, pg, progress))
            mark_all(pg)  # the copied events' days: the rollups recompute them when asked
            pg.commit()
            pg.autocommit = True
            pg.execute("ANALYZE")  # the planner's statistics of the tables just filled
    except psycopg.Error as exc:
        raise storage_error(exc, target_url) from exc
    return results


def _copy_table(source_dir: Path, spec: TableCopy, count: int, pg: psycopg.Connection,
                progress: Progress | None) -> TableResult:
    for name in spec.target.split("|"):
        target_columns = _pg_columns(pg, name)
        if target_columns:
            spec = TableCopy(spec.sqlite_file, spec.source, name, spec.key, spec.expressions,
                             spec.identity)
            break
    else:
        result = TableResult(spec.target.split("|")[0], count)
        result.skipped = f"no {' or '.join(spec.target.split('|'))} table in the target"
        return result
    result = TableResult(spec.target, count)
    conn = sqlite3.connect(f"file:{source_dir / spec.sqlite_file}?mode=ro", uri=True)
    try:
        source_columns = set(_sqlite_columns(conn, spec.source)) | set(spec.expressions)
        columns = [c for c in target_columns if c in source_columns]
        select = ", ".join(spec.expressions.get(c, f'"{c}"') for c in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("%s" for _ in columns)
        insert = f'INSERT INTO "{spec.target}" ({names}) VALUES ({marks})'
        if spec.key:
            insert += f" ON CONFLICT ({', '.join(spec.key)}) DO NOTHING"
        before = 0 if not spec.key else _count(pg, spec.target)
        with pg.transaction():
            if not spec.key:
                pg.execute(f'DELETE FROM "{spec.target}"')
            cursor = conn.execute(f'SELECT {select} FROM "{spec.source}"')
            with pg.cursor() as cur:
                while rows := cursor.fetchmany(BATCH):
                    cur.executemany(insert, rows)
                    if progress is not None:
                        progress(spec.target, len(rows))
            if spec.identity:
                pg.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s),"
                    f' GREATEST((SELECT MAX("{spec.identity}") FROM "{spec.target}"), 1))',
                    (spec.target, spec.identity))
        result.target_rows = _count(pg, spec.target)
        result.copied = result.target_rows - before
    finally:
        conn.close()
    return result


def _count(pg: psycopg.Connection, table: str) -> int:
    return pg.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


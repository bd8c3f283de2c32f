"""Run a test module on both analytics backends: the SQLite files of a data directory, and one
PostgreSQL database per module (on the session's server) emptied between cases, which keeps the
PostgreSQL half of a module's cost to one CREATE DATABASE and a TRUNCATE per case."""

from __future__ import annotations

import re
import uuid

import psycopg

BACKENDS = ["sqlite", "postgres"]
EVENT_TABLES = ("events", "sessions", "dropped", "salts", "outbox", "goals")
ROLLUP_TABLES = ("st.rollup_dirty", "st.r_visits", "st.r_pages", "st.r_props",
                 "st.r_step_rows", "st.r_step_days", "st.r_steps")


def module_database(request) -> str:
    """"" for SQLite, else a new PostgreSQL database's URL for the requesting module."""
    if request.param == "sqlite":
        return ""
    server = request.getfixturevalue("postgres_server")
    name = re.sub(r"[^a-z0-9_]", "_", request.module.__name__.lower())[-40:]
    return server.create_database(f"{name}_{uuid.uuid4().hex[:8]}")


def empty_event_tables(url: str) -> None:
    """Forget every event, visit, salt and goal (the tables exist once a store opened)."""
    if not url:
        return
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('events') IS NOT NULL").fetchone()[0]:
            for table in EVENT_TABLES + ROLLUP_TABLES:  # DELETE: cheaper than TRUNCATE here
                conn.execute(f"DELETE FROM {table}")


def stored_text(data_dir, url: str, tables: tuple[str, ...] = ("events", "sessions")) -> str:
    """Every row of the given tables as text, from whichever backend holds them: what a test
    searches for something that must never be stored (an IP address)."""
    if url:
        with psycopg.connect(url) as conn:
            return "\n".join(r[0] for t in tables
                             for r in conn.execute(f"SELECT t::text FROM {t} t"))
    import sqlite3

    conn = sqlite3.connect(f"{data_dir}/events.sqlite3")
    try:
        return "\n".join(repr(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables)
    finally:
        conn.close()

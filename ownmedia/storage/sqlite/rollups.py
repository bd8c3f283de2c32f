"""Daily rollups that let the Stats API answer the common queries without scanning every event.

Why: a review over a million events asks ~20 questions; scanning the events table for each
takes tens of seconds in SQLite. Two rollups answer the heavy ones from far fewer rows:

- r_visits: one row per (UTC day, session): the visit's attributes (source, utm, device, entry
  page…), its pageviews and events that day, and its bounce and duration (from the sessions
  table). Visit-level questions (overview, sources, campaigns, devices, trends) read it.
- r_pages: one row per (UTC day, page): visitors, visits, pageviews, events that day. Per-page
  questions read it; visitors over several days are the sum of daily visitors, which is exact
  because visitor ids are made with a salt rotated daily (a visit crossing midnight UTC counts
  once per day, as in the raw engine's daily buckets).
- r_props: for custom events (not pageviews), one row per (event name, UTC day) and per
  (name, day, prop value) and per (name, day, pair of prop values): visitors, visits, events.
  Goal and props questions ("CTA clicks per CTA and post", "read-throughs at 100% per post")
  read it; the engine checks while answering that the rows it sums are exact (one row per group
  and day for visitors; no event lacking a prop it groups by), else it reads the events.

They live in their own file (data/stats.sqlite3): a cache derived from events.sqlite3 that can be
deleted at any time, written without ever taking the collector's write lock. They are kept up to
date lazily: before answering, the Stats API recomputes the days that received events since the
last refresh (tracked by the highest event id seen), so the ingest writer needs no change."""

from __future__ import annotations

import queue
import sqlite3
import threading
from pathlib import Path

from ownmedia.stats.props_rollup import PropsCounter
from ownmedia.storage.sqlite import Migration, connect, migrate, visit_steps

STATS_FILE = "stats.sqlite3"
# one site's time range, whatever the planner would guess without statistics
EV = "main.events e INDEXED BY events_domain_ts"
DAY = 86400
FIRST_VISIT_COLUMNS = (  # those of migration 0001 (applied migrations never change)
    "v_source",
    "v_referrer",
    "v_utm_source",
    "v_utm_medium",
    "v_utm_campaign",
    "v_utm_content",
    "v_utm_term",
    "device",
    "browser",
    "browser_version",
    "os",
    "os_version",
    "v_entry_page",
)
VISIT_COLUMNS = (*FIRST_VISIT_COLUMNS, "v_channel", "v_country", "v_region", "v_city")
EMPTY_AS = {  # must match the engine's names for empty values
    "v_source": "Direct / None",
    "v_referrer": "Direct / None",
    **{
        c: "(not set)"
        for c in VISIT_COLUMNS
        if c not in ("v_source", "v_referrer", "v_entry_page", "v_city")
    },
}
ROLLUP_MIGRATIONS: list[Migration] = [
    (
        "0001_rollups",
        f"""
        CREATE TABLE r_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            events_file TEXT NOT NULL,
            watermark INTEGER NOT NULL         -- highest events.id rolled up
        );
        CREATE TABLE r_visits (
            domain TEXT NOT NULL,
            day INTEGER NOT NULL,              -- UTC days since 1970-01-01
            ts REAL NOT NULL,                  -- day * 86400: time dimensions work unchanged
            session_id INTEGER NOT NULL,
            visitor_id INTEGER NOT NULL,
            {", ".join(f"{c} TEXT NOT NULL" for c in FIRST_VISIT_COLUMNS)},
            pageviews INTEGER NOT NULL,
            events INTEGER NOT NULL,
            bounce INTEGER NOT NULL,
            duration REAL NOT NULL,
            PRIMARY KEY (domain, day, session_id)
        ) WITHOUT ROWID;
        CREATE TABLE r_pages (
            domain TEXT NOT NULL,
            day INTEGER NOT NULL,
            ts REAL NOT NULL,
            pathname TEXT NOT NULL,
            visitors INTEGER NOT NULL,
            visits INTEGER NOT NULL,
            pageviews INTEGER NOT NULL,
            events INTEGER NOT NULL,
            PRIMARY KEY (domain, day, pathname)
        ) WITHOUT ROWID;
        CREATE TABLE r_props (
            domain TEXT NOT NULL,
            name TEXT NOT NULL,
            k1 TEXT NOT NULL,                  -- '' : all events of that name
            k2 TEXT NOT NULL,                  -- '' : one prop; else a pair with k1 < k2
            v1 TEXT NOT NULL,
            day INTEGER NOT NULL,
            v2 TEXT NOT NULL,
            ts REAL NOT NULL,
            visitors INTEGER NOT NULL,
            visits INTEGER NOT NULL,
            events INTEGER NOT NULL,
            PRIMARY KEY (domain, name, k1, k2, v1, day, v2)
        ) WITHOUT ROWID;
        """,
    ),
    (
        "0002_first_visit_of_the_day",
        # vfirst = 1 on a visitor's first visit of the day: unfiltered visitor counts are a sum
        """
        ALTER TABLE r_visits ADD COLUMN vfirst INTEGER NOT NULL DEFAULT 0;
        DELETE FROM r_visits;
        DELETE FROM r_pages;
        DELETE FROM r_props;
        DELETE FROM r_state;
        """,
    ),
    (
        "0003_display_values_and_indexes",
        # visit attributes stored as the API shows them ('Direct / None', '(not set)'), and
        # indexes in (day, attribute) order: grouped counts stream without sorting
        """
        DELETE FROM r_visits;
        DELETE FROM r_pages;
        DELETE FROM r_props;
        DELETE FROM r_state;
        CREATE INDEX r_visits_source ON r_visits(domain, day, v_source, visitor_id);
        CREATE INDEX r_visits_channel ON r_visits(domain, day, v_source, v_utm_medium);
        CREATE INDEX r_visits_campaign
            ON r_visits(domain, day, v_utm_medium, v_utm_source, v_utm_campaign);
        """,
    ),
    (
        "0004_channel_geo_exit",
        # the visit's channel, country, region, city and exit page (all rows rebuilt)
        """
        DELETE FROM r_visits;
        DELETE FROM r_pages;
        DELETE FROM r_props;
        DELETE FROM r_state;
        ALTER TABLE r_visits ADD COLUMN v_channel TEXT NOT NULL DEFAULT '';
        ALTER TABLE r_visits ADD COLUMN v_country TEXT NOT NULL DEFAULT '';
        ALTER TABLE r_visits ADD COLUMN v_region TEXT NOT NULL DEFAULT '';
        ALTER TABLE r_visits ADD COLUMN v_city NOT NULL DEFAULT 0;  -- geoname id or '(not set)'
        ALTER TABLE r_visits ADD COLUMN exit_page TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0005_visit_steps",
        # the funnel steps' store (ownmedia.storage.sqlite.visit_steps); IF NOT EXISTS: stores
        # made before this migration created these tables at their first funnel query
        visit_steps.SCHEMA,
    ),
    (
        "0006_entry_page_index",
        # visits per entry page (the funnels' four queries) stream in index order without a
        # sort; the index also holds session_id (the primary key's), so a behavioural filter
        # on the visits' ids is answered from it alone
        "CREATE INDEX IF NOT EXISTS r_visits_entry ON r_visits(domain, v_entry_page, day);",
    ),
    (
        "0007_pages_by_path",
        # the pages table (counts per page over the period) streams in page order without a
        # sort: the index holds the counts it sums
        """
        CREATE INDEX IF NOT EXISTS r_pages_path
            ON r_pages(domain, pathname, day, visitors, visits, pageviews, events);
        """,
    ),
]
LAST_MIGRATION = ROLLUP_MIGRATIONS[-1][0]
_LOCK = threading.Lock()


def attach(conn: sqlite3.Connection, data_dir: Path) -> None:
    """Make the rollups readable as `st.*` on an events connection (created if missing)."""
    path = Path(data_dir) / STATS_FILE
    with _LOCK:
        if not path.exists() or not _ready(path):
            own = connect(path)
            try:
                try:
                    migrate(own, ROLLUP_MIGRATIONS)
                except sqlite3.DatabaseError:  # another process migrated meanwhile: the rest
                    migrate(own, ROLLUP_MIGRATIONS)
            finally:
                own.close()
    conn.execute("ATTACH DATABASE ? AS st", (str(path),))
    # an attached file gets SQLite's small default cache: r_props' primary key puts each day's
    # rows all over the table, so a refresh with 2 MB of cache rereads pages it just wrote
    conn.execute("PRAGMA st.cache_size=-131072")


def _ready(path: Path) -> bool:
    """Every rollup migration applied (a file made by an older version gets the new ones)."""
    try:
        c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return (
                c.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = ?", (LAST_MIGRATION,)
                ).fetchone()
                is not None
            )
        finally:
            c.close()
    except sqlite3.Error:
        return False


def watermarks(conn: sqlite3.Connection) -> tuple[int, int]:
    """(highest event id, highest event id rolled up): equal when the rollups are current."""
    top = conn.execute("SELECT COALESCE(MAX(id), 0) FROM main.events").fetchone()[0]
    row = conn.execute("SELECT watermark FROM st.r_state WHERE id = 1").fetchone()
    return top, (row[0] if row else -1)


def refresh(conn: sqlite3.Connection) -> int:
    """Recompute the days touched by events newer than the watermark; returns how many days.
    A query waits for a refresh under way (the start-up one included): it is the same work
    it would otherwise do itself.

    `conn` is an events connection with the rollups attached as `st`."""
    with _LOCK:
        return _refresh_locked(conn)


def _refresh_locked(conn: sqlite3.Connection) -> int:
    top = conn.execute("SELECT COALESCE(MAX(id), 0) FROM main.events").fetchone()[0]
    row = conn.execute("SELECT watermark FROM st.r_state WHERE id = 1").fetchone()
    mark = row[0] if row else 0
    if top == mark and row is not None:
        return 0
    # a deferred transaction that writes to st first: IMMEDIATE would also lock the events
    # file against the collector's writer for the whole recomputation
    conn.execute("BEGIN")
    try:
        conn.execute("UPDATE st.r_state SET watermark = watermark WHERE id = 1")
        row = conn.execute("SELECT watermark FROM st.r_state WHERE id = 1").fetchone()
        mark = row[0] if row else 0
        if top < mark:  # events were deleted (a new store?): start again
            conn.execute("DELETE FROM st.r_visits")
            conn.execute("DELETE FROM st.r_pages")
            conn.execute("DELETE FROM st.r_props")
            visit_steps.forget(conn)
            mark = 0
        touched: dict[str, list[int]] = {}
        for domain, day in conn.execute(
            "SELECT DISTINCT domain, CAST(ts / 86400 AS INTEGER) FROM main.events "
            "WHERE id > ? AND id <= ?",
            (mark, top),
        ):
            touched.setdefault(domain, []).append(day)
        for domain, days in touched.items():
            for lo, hi in _spans(sorted(days)):
                _recompute(conn, domain, lo, hi, top)
        conn.execute(
            "INSERT OR REPLACE INTO st.r_state (id, events_file, watermark) "
            "VALUES (1, 'events.sqlite3', ?)",
            (top,),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return sum(len(days) for days in touched.values())


def _spans(days: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of days as (first, last)."""
    spans: list[tuple[int, int]] = []
    for d in days:
        if spans and d == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], d)
        else:
            spans.append((d, d))
    return spans


def _shown(col: str) -> str:
    """A visit attribute (of the visit's first event, f) as the Stats API shows it."""
    if col == "v_city":  # a geoname id; 0 = unknown
        return "CASE f.v_city WHEN 0 THEN '(not set)' ELSE f.v_city END"
    empty = EMPTY_AS.get(col)
    if empty is None:
        return f"f.{col}"
    return f"CASE f.{col} WHEN '' THEN '{empty}' ELSE f.{col} END"


def _recompute(conn: sqlite3.Connection, domain: str, lo: int, hi: int, top: int) -> None:
    """One site's days lo..hi again, a day at a time (many small sorts beat one big one),
    from the events up to id `top` (the watermark the refresh will record): an event written
    meanwhile is left to the next refresh, whichever connection reads it, never half counted.

    A second connection, in a thread, groups r_pages in SQL and counts the props rollup in
    Python while this one runs the r_visits statement (SQLite releases the GIL while it
    works): on two cores the two halves of a cold build overlap, each about as long. Only
    this connection writes."""
    for table in ("r_visits", "r_pages", "r_props"):
        conn.execute(
            f"DELETE FROM st.{table} WHERE domain = ? AND day BETWEEN ? AND ?", (domain, lo, hi)
        )
    visit_steps.forget(conn, domain, lo, hi)
    sources = [day_rows_source(conn, domain, day, top) for day in range(lo, hi + 1)]
    # (day, r_pages rows, r_props rows); bounded: memory stays flat
    counted: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()
    worker = threading.Thread(
        target=_read_day,
        name="rollup-reader",
        daemon=True,
        args=(_events_path(conn), lo, sources, counted, stop),
    )
    worker.start()

    def insert(block: bool) -> bool:
        while True:
            try:
                item = counted.get(block=block)
            except queue.Empty:
                return False
            if isinstance(item, BaseException):
                raise item
            if item is None:
                return True
            _insert_counted(conn, domain, *item)

    try:
        done = False
        for day, source in enumerate(sources, lo):
            _insert_day(conn, domain, day, source)
            done = done or insert(block=False)
        if not done:
            insert(block=True)
    finally:
        stop.set()
        while worker.is_alive():  # unblock a worker waiting to hand over a day
            try:
                counted.get(timeout=0.05)
            except queue.Empty:
                pass


def day_rows_source(conn: sqlite3.Connection, domain: str, day: int, top: int) -> tuple[str, dict]:
    """Where one site's day's events up to id `top` are read from: (FROM ... WHERE over `e`,
    named params).

    The collector writes events in time order, so a day's ids are usually one run with no
    other site's or day's event among them: then the day is read as that rowid range, in the
    table's own order (NOT INDEXED: no index lookups per row), else through the timestamp index.
    The index tells which (count of ids = span of ids) from its entries alone."""
    params = {"domain": domain, "t0": day * DAY, "t1": (day + 1) * DAY, "top": top}
    where = "e.domain = :domain AND e.ts >= :t0 AND e.ts < :t1 AND e.id <= :top"
    first, last, n = conn.execute(
        f"SELECT MIN(e.id), MAX(e.id), COUNT(*) FROM {EV} WHERE {where}", params
    ).fetchone()
    if n and last - first + 1 == n:
        return (
            "main.events e NOT INDEXED WHERE e.id BETWEEN :first AND :last",
            {"first": first, "last": last},
        )
    return f"{EV} WHERE {where}", params


def _events_path(conn: sqlite3.Connection) -> str:
    return next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")


def _read_day(
    events_path: str,
    lo: int,
    sources: list[tuple[str, dict]],
    out: queue.Queue,
    stop: threading.Event,
) -> None:
    """Thread body: each day's (day, r_pages rows, r_props rows) into `out`, then None (or
    the exception); `sources` are the days' day_rows_source from lo on."""
    try:
        reader = sqlite3.connect(Path(events_path).as_uri() + "?mode=ro", uri=True)
        try:
            reader.execute("PRAGMA mmap_size=1073741824")
            counter = PropsCounter()  # parsed props shared by the span's days
            for day, (source, params) in enumerate(sources, lo):
                if stop.is_set():
                    return
                events = reader.execute(
                    f"SELECT e.name, e.visitor_id, e.session_id, e.props FROM {source} "
                    "AND e.name NOT IN ('engagement', 'pageview') "
                    "ORDER BY e.visitor_id, e.session_id",
                    params,
                ).fetchall()
                pages = reader.execute(
                    "SELECT e.pathname, COUNT(DISTINCT e.visitor_id), "
                    "COUNT(DISTINCT e.session_id), SUM(e.name = 'pageview'), COUNT(*) "
                    f"FROM {source} AND e.name != 'engagement' GROUP BY e.pathname",
                    params,
                ).fetchall()
                out.put((day, pages, counter.day_rows(events)))
        finally:
            reader.close()
        out.put(None)
    except BaseException as exc:  # handed to the writing thread, which raises it
        out.put(exc)


def _insert_counted(
    conn: sqlite3.Connection, domain: str, day: int, pages: list[tuple], props: list[tuple]
) -> None:
    """Insert the rows as the reader made them: the day's constants are literals in the
    statements, so each row binds only its own values (fewer tuples to build, fewer binds)."""
    consts = f"{_literal(domain)}, {int(day)}, {day * 86400.0!r}"
    conn.executemany(
        "INSERT INTO st.r_pages (pathname, visitors, visits, pageviews, events, domain, day, ts) "
        f"VALUES (?, ?, ?, ?, ?, {consts})",
        pages,
    )
    conn.executemany(
        "INSERT INTO st.r_props (name, k1, k2, v1, v2, visitors, visits, events, domain, day, "
        f"ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, {consts})",
        props,
    )


def _literal(text: str) -> str:
    """An SQL string literal (SQLite has no backslash escapes: doubling quotes is enough)."""
    return "'" + text.replace("'", "''") + "'"


def _insert_day(conn: sqlite3.Connection, domain: str, day: int, source: tuple[str, dict]) -> None:
    """Insert one site's r_visits rows for one UTC day, its events read from `source`
    (day_rows_source)."""
    rows, params = source
    params = {**params, "domain": domain, "day": day}
    # group narrow rows (and number a visitor's visits) before reading the visit's attributes
    # from its first event of the day (they are copied onto every event of a visit): sorting
    # wide rows costs several times more
    conn.execute(
        f"INSERT INTO st.r_visits (domain, day, ts, session_id, visitor_id, "
        f"{', '.join(VISIT_COLUMNS)}, exit_page, pageviews, events, bounce, duration, vfirst) "
        f"SELECT :domain, :day, :day * 86400.0, g.sid, g.vid, "
        f"{', '.join(_shown(c) for c in VISIT_COLUMNS)}, COALESCE(s.exit_page, ''), g.pv, g.n, "
        "COALESCE(s.pageviews <= 1 AND s.interactive_events <= 1, 0), "
        "COALESCE(s.end - s.start, 0), g.vfirst "
        "FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY vid ORDER BY sid) = 1 AS vfirst "
        "FROM (SELECT e.session_id AS sid, MIN(e.visitor_id) AS vid, MIN(e.id) AS fid, "
        f"SUM(e.name = 'pageview') AS pv, COUNT(*) AS n FROM {rows} "
        "AND e.name != 'engagement' GROUP BY e.session_id)) g "
        "JOIN main.events f ON f.id = g.fid "
        "LEFT JOIN main.sessions s ON s.session_id = g.sid",
        params,
    )

"""Schema of the embedded event store (data/events.sqlite3).

Modelled on Plausible's ClickHouse tables: one row per accepted event, with the visit-level
attributes of its session copied onto it (source, utm_*, device, browser, os, entry page), so
that a Stats API query is one scan of one table; and one row per session for bounce rate,
visit duration and exit page. Timestamps are UTC seconds (REAL). Props are JSON text.
Append new migrations at the end; never edit an applied one."""

from __future__ import annotations

from ownmedia.storage.sqlite import Migration

EVENT_MIGRATIONS: list[Migration] = [
    (
        "0001_events",
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            ts REAL NOT NULL,                 -- UTC seconds
            domain TEXT NOT NULL,             -- site id
            name TEXT NOT NULL,               -- 'pageview', 'engagement', 'CTA Click', ...
            hostname TEXT NOT NULL DEFAULT '',
            pathname TEXT NOT NULL DEFAULT '',
            referrer TEXT NOT NULL DEFAULT '',
            referrer_source TEXT NOT NULL DEFAULT '',
            utm_source TEXT NOT NULL DEFAULT '',
            utm_medium TEXT NOT NULL DEFAULT '',
            utm_campaign TEXT NOT NULL DEFAULT '',
            utm_content TEXT NOT NULL DEFAULT '',
            utm_term TEXT NOT NULL DEFAULT '',
            visitor_id INTEGER NOT NULL,      -- keyed hash, salt rotated daily; never the IP
            session_id INTEGER NOT NULL,
            -- visit-level attributes, copied from the session's first event
            v_source TEXT NOT NULL DEFAULT '',
            v_referrer TEXT NOT NULL DEFAULT '',
            v_utm_source TEXT NOT NULL DEFAULT '',
            v_utm_medium TEXT NOT NULL DEFAULT '',
            v_utm_campaign TEXT NOT NULL DEFAULT '',
            v_utm_content TEXT NOT NULL DEFAULT '',
            v_utm_term TEXT NOT NULL DEFAULT '',
            v_entry_page TEXT NOT NULL DEFAULT '',
            browser TEXT NOT NULL DEFAULT '',
            browser_version TEXT NOT NULL DEFAULT '',
            os TEXT NOT NULL DEFAULT '',
            os_version TEXT NOT NULL DEFAULT '',
            device TEXT NOT NULL DEFAULT '',  -- Desktop, Mobile, Tablet
            props TEXT NOT NULL DEFAULT '{}', -- JSON object of strings
            revenue_amount TEXT,              -- decimal as text
            revenue_currency TEXT,
            interactive INTEGER NOT NULL DEFAULT 1,
            scroll_depth INTEGER,             -- engagement events only (0-100)
            engagement_ms INTEGER             -- engagement events only
        );
        CREATE INDEX events_domain_ts ON events(domain, ts);
        CREATE INDEX events_domain_name_ts ON events(domain, name, ts);

        CREATE TABLE sessions (
            session_id INTEGER PRIMARY KEY,
            domain TEXT NOT NULL,
            visitor_id INTEGER NOT NULL,
            start REAL NOT NULL,
            end REAL NOT NULL,                -- ts of the last event
            entry_page TEXT NOT NULL DEFAULT '',
            exit_page TEXT NOT NULL DEFAULT '',
            pageviews INTEGER NOT NULL DEFAULT 0,
            events INTEGER NOT NULL DEFAULT 0,
            interactive_events INTEGER NOT NULL DEFAULT 0  -- bounce = pageviews<=1 and this<=1
        );
        CREATE INDEX sessions_domain_start ON sessions(domain, start);
        CREATE INDEX sessions_visitor ON sessions(domain, visitor_id, end);

        CREATE TABLE dropped (
            day TEXT NOT NULL,                -- YYYY-MM-DD
            domain TEXT NOT NULL,
            reason TEXT NOT NULL,             -- 'bot', ...
            count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, domain, reason)
        );

        CREATE TABLE salts (
            day TEXT PRIMARY KEY,             -- YYYY-MM-DD (UTC) the salt was made for
            salt BLOB NOT NULL
        );

        CREATE TABLE outbox (                 -- events to forward to an upstream Plausible
            id INTEGER PRIMARY KEY,
            created REAL NOT NULL,
            payload TEXT NOT NULL,            -- the JSON body as received (normalised)
            user_agent TEXT NOT NULL,         -- deleted with the row once delivered
            client_ip TEXT NOT NULL,          -- deleted with the row once delivered
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL,
            last_error TEXT
        );
        CREATE INDEX outbox_next ON outbox(next_attempt);

        CREATE TABLE goals (
            id INTEGER PRIMARY KEY,
            domain TEXT NOT NULL,
            goal_type TEXT NOT NULL CHECK (goal_type IN ('event', 'page')),
            event_name TEXT,
            page_path TEXT,
            display_name TEXT NOT NULL,
            UNIQUE (domain, goal_type, event_name, page_path)
        );
        """,
    ),
    (
        "0002_session_visit_attributes",
        # a session's visit-level attributes, so a restarted collector continues a visit with
        # the same source/utm_* without scanning the events table
        """
        ALTER TABLE sessions ADD COLUMN v_source TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_referrer TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_utm_source TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_utm_medium TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_utm_campaign TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_utm_content TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_utm_term TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0003_sessions_by_end",
        # the collector reads open sessions back by `end` at start and never by visitor; the
        # visitor index (random hashes) cost a random page write per new session
        """
        DROP INDEX IF EXISTS sessions_visitor;
        CREATE INDEX sessions_end ON sessions(end);
        """,
    ),
    (
        "0050_stats_page_index",
        # Stats API (ownmedia.stats): page goals (e.g. a /merci/ conversion page) and page
        # filters read a page's events by range instead of scanning every pageview
        """
        CREATE INDEX events_domain_path_ts ON events(domain, pathname, ts);
        """,
    ),
    (
        "0051_session_last_seen",
        # an engagement event keeps a visit alive (Plausible's session cache) without making
        # it longer: the last activity of any kind, apart from `end` (the last real event)
        """
        ALTER TABLE sessions ADD COLUMN last_seen REAL;
        """,
    ),
    (
        "0052_channel_geo_exit",
        # visit-level acquisition channel and IP geolocation (country, region, city; the IP
        # itself is never stored), on events and sessions like the other v_* attributes
        """
        ALTER TABLE events ADD COLUMN v_channel TEXT NOT NULL DEFAULT '';
        ALTER TABLE events ADD COLUMN v_country TEXT NOT NULL DEFAULT '';
        ALTER TABLE events ADD COLUMN v_region TEXT NOT NULL DEFAULT '';
        ALTER TABLE events ADD COLUMN v_city INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN v_channel TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_country TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_region TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN v_city INTEGER NOT NULL DEFAULT 0;
        """,
    ),
]

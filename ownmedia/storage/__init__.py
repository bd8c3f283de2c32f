"""Storage behind small interfaces, SQLite as the embedded default.

Each concern keeps its own database file in the data directory (events, comments, keys), so
high-rate event writes never wait on a comment moderation and each can move to another
backend (ClickHouse via Plausible, PostgreSQL) on its own."""

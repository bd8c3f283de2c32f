from ownmedia.storage.sqlite import connect, migrate
from ownmedia.storage.sqlite.events_schema import EVENT_MIGRATIONS


def test_migrations_apply_once_and_use_wal(tmp_path):
    conn = connect(tmp_path / "events.sqlite3")
    assert migrate(conn, EVENT_MIGRATIONS) == [name for name, _ in EVENT_MIGRATIONS]
    assert migrate(conn, EVENT_MIGRATIONS) == []
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"events", "sessions", "salts", "outbox", "goals"} <= tables

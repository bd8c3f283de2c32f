"""PostgreSQL's own migrations and the messages of its failures: a database migrated by a newer
ownmedia is refused naming what to do; a server that is down is named without its password;
the engine's placeholders become psycopg's without touching string literals."""

from __future__ import annotations

import psycopg
import pytest

from ownmedia.storage.errors import SchemaVersionError, StorageUnavailable
from ownmedia.storage.postgres.db import translate
from ownmedia.storage.postgres.events import PostgresEventSink
from ownmedia.storage.postgres.stats import glob_regex
from tests.pgserver import _free_port


def test_migrates_once_then_refuses_a_newer_schema(postgres_url):
    PostgresEventSink(postgres_url).close()
    PostgresEventSink(postgres_url).close()  # the second start applies nothing
    with psycopg.connect(postgres_url) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations")]
        assert names == ["events:0001_events", "events:0002_rollups", "events:0003_steps",
                         "events:0004_sessions_hot"]
        conn.execute("INSERT INTO schema_migrations (name) VALUES ('events:9999_future')")
    with pytest.raises(SchemaVersionError, match="newer than this ownmedia.*9999_future"):
        PostgresEventSink(postgres_url)


def test_a_server_that_is_down_is_named_without_its_password():
    url = f"postgresql://ownmedia:s3cret@127.0.0.1:{_free_port()}/events"
    with pytest.raises(StorageUnavailable) as err:
        PostgresEventSink(url)
    assert "ownmedia:***@127.0.0.1" in str(err.value)
    assert "s3cret" not in str(err.value)


def test_placeholders_and_wildcards():
    assert translate("a = ? AND b LIKE '50%?' AND c = ?") == "a = %s AND b LIKE '50%%?' AND c = %s"
    assert glob_regex("/blog/**") == "^/blog/.*$"
    assert glob_regex("/a.b/*/c") == r"^/a\.b/.*/c$"

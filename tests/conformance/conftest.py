"""A fresh conformance site per test, on each backend: a small SQLite file, or the module's
PostgreSQL database emptied (tests/storage/backends.py), its sink and Stats API store kept open
for the module."""

from __future__ import annotations

import pytest

from ownmedia.config import load_config
from ownmedia.stats.store import StatsStore
from ownmedia.storage.postgres.events import PostgresEventSink
from tests.conformance.harness import OTHER, SITE, Site
from tests.storage.backends import BACKENDS, empty_event_tables, module_database


@pytest.fixture(scope="module", params=BACKENDS)
def storage_url(request) -> str:
    return module_database(request)


@pytest.fixture(scope="module")
def shared_stores(storage_url, tmp_path_factory):
    """None on SQLite (a new file per case costs milliseconds); on PostgreSQL one sink and one
    Stats API store (events, rollups) for the module."""
    if not storage_url:
        yield None
        return
    data = tmp_path_factory.mktemp("shared")
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         analytics={"domains": [SITE, OTHER]},
                         comments={"pelican_settings": str(data / "none.py")},
                         storage={"url": storage_url})
    sink = PostgresEventSink(storage_url, durable=False)
    plain = StatsStore(data, config, rollups=False)
    rolled = StatsStore(data, config, rollups=True)
    yield sink, plain, rolled
    sink.close()
    plain.close()
    rolled.close()


@pytest.fixture()
def site(tmp_path, storage_url, shared_stores):
    empty_event_tables(storage_url)
    s = Site(tmp_path / "data", storage_url=storage_url, shared=shared_stores)
    yield s
    s.close()

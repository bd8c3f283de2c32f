"""A fresh conformance site per test, on each backend: a small SQLite file, or the module's
PostgreSQL database emptied (tests/storage/backends.py)."""

from __future__ import annotations

import pytest

from tests.conformance.harness import Site
from tests.storage.backends import BACKENDS, empty_event_tables, module_database


@pytest.fixture(scope="module", params=BACKENDS)
def storage_url(request) -> str:
    return module_database(request)


@pytest.fixture()
def site(tmp_path, storage_url):
    empty_event_tables(storage_url)
    s = Site(tmp_path / "data", storage_url=storage_url)
    yield s
    s.close()

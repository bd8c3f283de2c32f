"""A `backend` on each kind of storage: the port contract tests run on the SQLite files of a
temporary data directory and on a fresh PostgreSQL database (migrated, as in production)."""

from __future__ import annotations

import pytest

from ownmedia.storage import Backend


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        opened = Backend("", tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
        opened = Backend(url, tmp_path)
        opened.migrate()
    yield opened
    opened.close()

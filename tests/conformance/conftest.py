"""A fresh conformance site per test (a few milliseconds: one small SQLite file)."""

from __future__ import annotations

import pytest

from tests.conformance.harness import Site


@pytest.fixture()
def site(tmp_path):
    s = Site(tmp_path / "data")
    yield s
    s.close()

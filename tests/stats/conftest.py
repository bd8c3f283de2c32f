"""A generated event store (with its ground truth), made once per test run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ownmedia.review.simulate import SimSpec, simulate

SPEC = SimSpec(seed=7, events=30_000, posts=60, days=91)
PERIOD = [SPEC.start.isoformat(), SPEC.end.isoformat()]


@pytest.fixture(scope="session")
def sim(tmp_path_factory) -> tuple[Path, dict]:
    """(data dir, truth) of a seeded 91-day dataset of about 30,000 events."""
    data = tmp_path_factory.mktemp("sim") / "data"
    simulate(data, SPEC)
    return data, json.loads((data / "truth.json").read_text())

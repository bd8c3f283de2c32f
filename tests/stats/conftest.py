"""A generated event store (with its ground truth), made once per test run, as SQLite files
and (the same rows, same seed) in a PostgreSQL database."""

from __future__ import annotations

import json
import uuid
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


@pytest.fixture(scope="session")
def sim_postgres(sim, postgres_server, tmp_path_factory) -> str:
    """URL of a PostgreSQL database holding the same generated events as `sim`."""
    from ownmedia.storage.postgres.events import PostgresEventSink

    url = postgres_server.create_database(f"stats_sim_{uuid.uuid4().hex[:8]}")
    sink = PostgresEventSink(url, durable=False)
    try:
        simulate(tmp_path_factory.mktemp("sim_pg") / "data", SPEC, sink=sink)
    finally:
        sink.close()
    return url

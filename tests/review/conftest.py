"""The generated event store of tests/stats, shared with the review tests."""

from tests.stats.conftest import PERIOD, SPEC, sim, sim_postgres  # noqa: F401

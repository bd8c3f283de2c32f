"""The generated event store of tests/stats, shared with the review tests."""

from tests.stats.conftest import PERIOD, SPEC, sim  # noqa: F401
from tests.campaigns.conftest import campaign_sim  # noqa: E402, F401

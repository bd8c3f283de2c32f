"""The generated event stores of tests/stats and tests/campaigns, shared with the review
tests."""

from tests.campaigns.conftest import campaign_sim  # noqa: F401
from tests.stats.conftest import PERIOD, SPEC, sim, sim_postgres  # noqa: F401

"""The generated event stores of tests/stats and tests/campaigns, shared with the review
tests, and the review of its whole period (with a custom funnel) for the tests of the
review's sections."""

import asyncio

import pytest

from tests.campaigns.conftest import campaign_sim  # noqa: F401
from tests.stats.conftest import PERIOD, SPEC, sim, sim_postgres  # noqa: F401

NEWSLETTER_FUNNEL = {"name": "Newsletter", "steps": ["/newsletter/", "/merci/"]}


@pytest.fixture(scope="module")
def sim_report(sim):  # noqa: F811 (the fixture imported above)
    from ownmedia.config import load_config
    from ownmedia.review.client import embedded_client
    from ownmedia.review.model import Period, build_report

    data, _truth = sim
    # the generated site has no Pelican settings: no CTA goals or goal pages from the repo's
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         comments={"pelican_settings": str(data / "site" / "no-settings.py")})

    async def run():
        async with embedded_client(config) as client:
            return await build_report(client, "127.0.0.1", Period(SPEC.start, SPEC.end),
                                      site_dir=data / "site", funnels=[NEWSLETTER_FUNNEL])

    return asyncio.run(run())

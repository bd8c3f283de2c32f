"""A generated channel with campaigns (the simulator stores them and tallies their truth)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ownmedia.review.simulate import SimSpec, simulate

CAMPAIGNS = (
    # the seed's demand: 2,000,000 views in six weeks, on a site of about a thousand a week
    {"name": "deux-millions", "metric": "pageviews", "target": 2_000_000,
     "from": "2026-06-08", "until": "2026-07-19"},
    {"name": "lecteurs", "metric": "visitors", "target": 1_200,
     "from": "2026-06-01", "until": "2026-07-26"},
    {"name": "lecteurs-plus", "metric": "visitors", "target": 1_800,
     "from": "2026-06-01", "until": "2026-07-26"},
    {"name": "retours-papier", "metric": "visitors", "target": 150,
     "from": "2026-05-04", "until": "2026-07-26", "filters": ["utm_medium=print"]},
    {"name": "clics", "metric": "CTA Click", "target": 400,
     "from": "2026-06-01", "until": "2026-08-30"},
    {"name": "atteint", "metric": "pageviews", "target": 100,
     "from": "2026-06-01", "until": "2026-06-30"},
    {"name": "manque", "metric": "pageviews", "target": 1_000_000,
     "from": "2026-03-02", "until": "2026-03-29"},
    {"name": "prochaine", "metric": "pageviews", "target": 1_200,
     "from": "2026-07-13", "until": "2026-08-09"},
)
CAMPAIGN_SPEC = SimSpec(seed=11, events=30_000, posts=60, days=182, campaigns=CAMPAIGNS)
AS_OF = CAMPAIGN_SPEC.end  # 2026-07-05


@pytest.fixture(scope="session")
def campaign_sim(tmp_path_factory) -> tuple[Path, dict]:
    """(data dir, truth) of 26 weeks of traffic with the campaigns above."""
    data = tmp_path_factory.mktemp("campaign-sim") / "data"
    simulate(data, CAMPAIGN_SPEC)
    return data, json.loads((data / "truth.json").read_text())


def daily_truth(truth: dict, key: str) -> dict[date, int]:
    """The generator's own daily tally of one series."""
    return {date.fromisoformat(d): row.get(key, 0) for d, row in truth["daily"].items()}

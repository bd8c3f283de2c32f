"""Campaigns measured through the Stats API on generated traffic equal what the generator
counted while writing it: progress, the paces, the projection and the verdict."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import numpy as np
import pytest

from ownmedia.campaigns.catalog import load_campaigns
from ownmedia.campaigns.progress import HISTORY_DAYS, measure
from ownmedia.config import load_config
from ownmedia.review.client import embedded_client
from tests.campaigns.conftest import AS_OF, daily_truth


@pytest.fixture(scope="module")
def measured(campaign_sim) -> dict[str, dict]:
    data, _ = campaign_sim
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         comments={"pelican_settings": str(data / "no-settings.py")})

    async def run():
        async with embedded_client(config) as client:
            return {c.name: await measure(client, "127.0.0.1", c, AS_OF)
                    for c in load_campaigns(config)}

    return asyncio.run(run())


def blocks(daily: dict[date, int], first: date, last: date) -> list[int]:
    """7-day totals ending on `last`, oldest first (written again here, on the truth)."""
    out = []
    while last - timedelta(days=6) >= first:
        out.insert(0, sum(daily.get(last - timedelta(days=i), 0) for i in range(7)))
        last -= timedelta(days=7)
    return out


def test_every_stored_campaign_is_measured(measured):
    assert set(measured) == {"deux-millions", "lecteurs", "lecteurs-plus", "retours-papier",
                             "clics", "atteint", "manque", "prochaine"}


def test_progress_and_paces_equal_the_truth(measured, campaign_sim):
    _, truth = campaign_sim
    for name, t in truth["campaign_targets"].items():
        m = measured[name]
        start, end = date.fromisoformat(m["from"]), date.fromisoformat(m["until"])
        counted = {d: n for d, n in t["daily"].items() if d <= AS_OF.isoformat()}
        progress = sum(counted.values())
        assert m["progress"] == progress, name
        assert m["percent"] == round(100 * progress / m["target"], 1)
        if start > AS_OF:
            continue
        left = max(0, (end - AS_OF).days)
        assert m["days_left"] == left
        if left:
            assert m["needed_per_week"] == round(max(0, m["target"] - progress) / (left / 7), 1)
        daily = daily_truth(truth, t["key"])
        inside = blocks(daily, start, AS_OF)
        if len(inside) >= 3:
            assert m["current_pace"] == round(sum(inside[-4:]) / len(inside[-4:]), 1), name
        first = min(start, AS_OF) - timedelta(days=HISTORY_DAYS)
        assert m["best_week"] == max(blocks(daily, first, AS_OF)), name


def test_the_projection_is_the_least_squares_line_of_the_truth(measured, campaign_sim):
    _, truth = campaign_sim
    m = measured["lecteurs"]
    daily = daily_truth(truth, "visitors")
    weekly = blocks(daily, date.fromisoformat(m["from"]), AS_OF)[-8:]
    xs = np.arange(len(weekly)) - (len(weekly) - 1)
    slope, intercept = np.polyfit(xs, weekly, 1)
    left = m["days_left"]
    future = sum(max(0.0, intercept + slope * d / 7) / 7 for d in range(1, left + 1))
    assert m["projected"] == round(m["progress"] + future)
    assert m["projected_low"] < m["projected"] < m["projected_high"]
    assert m["model"].startswith(f"linear trend of the last {len(weekly)} weekly totals")


def test_verdicts_on_the_generated_channel(measured, campaign_sim):
    _, truth = campaign_sim
    status = {name: m["status"] for name, m in measured.items()}
    assert status == {"deux-millions": "unreachable", "lecteurs": "on_course",
                      "lecteurs-plus": "behind", "retours-papier": status["retours-papier"],
                      "clics": status["clics"], "atteint": "reached", "manque": "missed",
                      "prochaine": "on_course"}
    two = measured["deux-millions"]
    assert two["percent"] < 1 and two["needed_per_week"] > 500 * two["best_week"]
    assert two["verdict"].startswith("unreachable at any plausible pace: needs ")
    plus = measured["lecteurs-plus"]
    assert plus["verdict"] == f"behind: needs {plus['pace_ratio']:.1f}x the current pace"
    assert plus["pace_ratio"] == round(plus["needed_per_week"] / plus["current_pace"], 2)
    for name in ("retours-papier", "clics"):  # their truth decides: same rule on it
        m = measured[name]
        expected = "on_course" if m["projected"] >= m["target"] else "behind"
        assert m["status"] == expected
    assert measured["prochaine"]["verdict"] == "starts in 8 day(s); on course"


def test_the_chart_paths_add_up_to_the_truth(measured, campaign_sim):
    _, truth = campaign_sim
    m = measured["clics"]
    t = truth["campaign_targets"]["clics"]
    assert m["path"]["actual"][-1] == [AS_OF.isoformat(), m["progress"]]
    assert len(m["path"]["actual"]) == len([d for d in t["daily"] if d <= AS_OF.isoformat()])
    assert m["path"]["target"] == [[m["from"], 0], [m["until"], m["target"]]]
    last = m["path"]["projection"][-1]
    assert last[0] == m["until"]
    assert round(last[1]) == m["projected"]
    assert (round(last[2]), round(last[3])) == (m["projected_low"], m["projected_high"])

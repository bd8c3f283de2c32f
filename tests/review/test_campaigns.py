"""The review's campaigns section on generated traffic: the campaigns active in the period
with their verdicts, the 6-month view equal to the generator's tally, in the terminal, the
HTML (with its charts) and the JSON of `ownmedia review`."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from datetime import date

import pytest
from rich.console import Console

from ownmedia.campaigns.catalog import load_campaigns
from ownmedia.config import load_config
from ownmedia.review.client import embedded_client
from ownmedia.review.html import render_html
from ownmedia.review.model import Period, build_report
from ownmedia.review.terminal import render
from tests.campaigns.conftest import AS_OF, CAMPAIGN_SPEC

PERIOD = Period(CAMPAIGN_SPEC.start, AS_OF)


def review_of(data, period: Period):
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         comments={"pelican_settings": str(data / "no-settings.py")})

    async def run():
        async with embedded_client(config) as client:
            return await build_report(client, "127.0.0.1", period, site_dir=data / "site",
                                      campaigns=load_campaigns(config))

    return asyncio.run(run())


@pytest.fixture(scope="module")
def report(campaign_sim):
    return review_of(campaign_sim[0], PERIOD)


def test_campaigns_active_in_the_period_are_measured_on_its_last_day(report, campaign_sim):
    _, truth = campaign_sim
    section = report.campaign_targets
    assert section["as_of"] == AS_OF.isoformat()
    got = {m["name"]: m for m in section["campaigns"]}
    # "prochaine" starts after the period: not in this review
    assert set(got) == set(truth["campaign_targets"]) - {"prochaine"}
    for name, m in got.items():
        assert m["progress"] == truth["campaign_targets"][name]["progress"], name
    assert got["deux-millions"]["status"] == "unreachable"
    assert got["manque"]["status"] == "missed" and got["atteint"]["status"] == "reached"


def test_the_six_month_view_equals_the_generators_tally(report, campaign_sim):
    _, truth = campaign_sim
    six = report.campaign_targets["six_month"]
    months = [r["month"] for r in six["months"]]
    assert months == ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]
    for r in six["months"]:
        t = truth["monthly_post_pageviews"][r["month"]]
        assert (r["old_post_pageviews"], r["post_pageviews"]) == (t["old"], t["old"] + t["new"])
        assert r["share_old"] == round(100 * t["old"] / (t["old"] + t["new"]), 1)
        assert r["site_pageviews"] >= r["post_pageviews"] > 0
    assert six["days"] == 90 and six["undated_posts"] == 0


def test_terminal_section(report):
    console = Console(record=True, width=160)
    render(report, console)
    text = console.export_text()
    assert "Campaign / campagne: deux-millions" in text
    assert "unreachable at any plausible pace: needs" in text
    assert re.search(r"behind: needs \d+\.\dx the current pace", text)
    assert "6-month view / vue sur 6 mois" in text


def test_html_section_has_a_chart_per_campaign(report):
    html = render_html(report)
    start = html.index("<h2>Campaigns / campagnes</h2>")
    end = html.find("<h2>", start + 1)
    section = html[start:end if end > 0 else len(html)]
    measured = report.campaign_targets["campaigns"]
    assert section.count("<svg") == len(measured) + 1  # one per campaign + the 6-month view
    assert "target / objectif" in section and "projection (80%)" in section
    for m in measured:
        assert f"<h3>{m['name']}</h3>" in section
        assert m["verdict"].replace("'", "&#x27;") in section
    assert "http://ownmedia.embedded" not in section


def test_a_short_review_without_campaigns_has_no_section(campaign_sim):
    data, _ = campaign_sim
    # January: no campaign runs yet, and 30 days is not a long horizon
    short = review_of(data, Period(date(2026, 1, 5), date(2026, 2, 3)))
    assert short.overview["visitors"]["value"] > 0
    assert short.campaign_targets == {"as_of": "2026-02-03", "campaigns": [],
                                      "six_month": None}
    assert "Campaigns / campagnes" not in render_html(short)


def test_review_json_carries_the_section(campaign_sim):
    data, _ = campaign_sim
    done = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "review", "--data", str(data), "--site",
         str(data / "site"), "--period", f"{PERIOD.start}..{PERIOD.end}", "--json"],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)["campaign_targets"]
    status = {m["name"]: m["status"] for m in section["campaigns"]}
    assert status["deux-millions"] == "unreachable" and status["lecteurs"] == "on_course"
    assert len(section["six_month"]["months"]) == 6


def test_the_six_month_view_comes_with_a_long_campaign_only(campaign_sim):
    from ownmedia.campaigns.model import make_campaign
    from ownmedia.review.campaigns import build_section

    data, _ = campaign_sim
    config = load_config(None, server={"data": str(data), "site": str(data / "site")})
    short = make_campaign("court", "pageviews", 500, "2026-06-01", "2026-06-28")
    long = make_campaign("long", "pageviews", 5000, "2026-04-06", "2026-07-05")

    async def run(campaigns):
        async with embedded_client(config) as client:
            return await build_section(client, "127.0.0.1", PERIOD.start, PERIOD.end,
                                       campaigns, data / "site")

    assert asyncio.run(run([short]))["six_month"] is None
    with_long = asyncio.run(run([short, long]))
    assert [m["name"] for m in with_long["campaigns"]] == ["court", "long"]
    assert len(with_long["six_month"]["months"]) == 6

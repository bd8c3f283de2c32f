"""The review reports exactly what the seeded generator wrote (its ground truth)."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys

import pytest

from ownmedia.config import load_config
from ownmedia.review.client import embedded_client
from ownmedia.review.model import Costs, Period, build_report
from tests.stats.conftest import SPEC
from tests.storage.backends import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def report(request, sim):
    """The review of the generated events, from the SQLite files or from PostgreSQL."""
    data, _truth = sim
    url = request.getfixturevalue("sim_postgres") if request.param == "postgres" else ""
    # the generated site has no Pelican settings: no CTA goals or goal pages from the repo's
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         comments={"pelican_settings": str(data / "site" / "no-settings.py")},
                         storage={"url": url})

    async def run():
        async with embedded_client(config) as client:
            return await build_report(client, "127.0.0.1", Period(SPEC.start, SPEC.end),
                                      site_dir=data / "site",
                                      costs=Costs(5000.0, 100000.0, 2000000))

    return asyncio.run(run())


def test_overview_matches_truth(report, sim):
    _, truth = sim
    ov = report.overview
    assert ov["visitors"]["value"] == truth["visitors"]
    assert ov["visits"]["value"] == truth["visits"]
    assert ov["pageviews"]["value"] == truth["pageviews"]
    assert ov["cta_clicks"]["value"] == truth["goals"]["CTA Click"]["events"]
    assert ov["prints"]["value"] == truth["goals"]["Print"]["events"]
    assert ov["shares"]["value"] == truth["goals"]["Share"]["events"]
    assert ov["comments"]["value"] == truth["goals"]["Comment"]["events"]
    assert ov["conversions"]["value"] == truth["conversions"]
    assert report.conversion_goals == ["Visit /merci/"]
    assert ov["revenue"]["value"] == sum(c["revenue"] or 0 for c in truth["ctas"].values())
    assert ov["revenue"]["currency"] == "EUR"
    # the generator wrote nothing before the period: the previous period is empty
    assert ov["visitors"]["previous"] == 0 and ov["visitors"]["change"] is None


def test_goals_match_truth(report, sim):
    _, truth = sim
    got = {g["goal"]: {"events": g["events"], "visitors": g["visitors"]} for g in report.goals}
    assert got == {g: truth["goals"][g] for g in ("CTA Click", "Print", "Share", "Comment",
                                                   "Visit /merci/")}


def test_posts_match_truth(report, sim):
    _, truth = sim
    keys = ("visitors", "pageviews", "read_through_visitors", "cta_clicks", "shares", "prints",
            "comments", "conversions")
    got = {p["post"]: {k: p[k] for k in keys} for p in report.posts}
    assert got == truth["posts"]
    assert len(got) > 30


def test_ctas_match_truth(report, sim):
    _, truth = sim
    got = {c["cta"]: c for c in report.ctas}
    assert set(got) == set(truth["ctas"])
    for cta, t in truth["ctas"].items():
        assert got[cta]["clicks"] == t["clicks"]
        assert got[cta]["visitors"] == t["visitors"]
        assert got[cta]["visits"] == t["visits"]
        assert got[cta]["converted_visits"] == t["converted_visits"]
        assert got[cta]["revenue"] == t["revenue"]  # the clicks' revenue, per CTA
        per_post = {x["post"]: x["clicks"] for x in report.cta_posts if x["cta"] == cta}
        assert per_post == t["per_post"]


def test_sources_campaigns_and_print_returns(report, sim):
    _, truth = sim
    assert {s["source"]: s["visits"] for s in report.sources} == truth["source_visits"]
    got = {f"{c['medium']}|{c['source']}|{c['campaign']}": c["visits"]
           for c in report.campaigns}
    assert got == truth["campaigns"]
    assert sum(p["visits"] for p in report.print_returns) == truth["print_returns"]
    channels = {c["channel"]: c["visits"] for c in report.channels}
    assert channels["Print"] == truth["print_returns"]
    assert sum(channels.values()) == truth["visits"]


def test_weekly_buckets_match_truth(report, sim):
    _, truth = sim
    got = {w["week"]: {"visitors": w["visitors"], "pageviews": w["pageviews"]}
           for w in report.weekly}
    assert got == truth["weekly"]
    assert sum(w["cta_clicks"] for w in report.weekly) == truth["goals"]["CTA Click"]["events"]


def test_longevity_matches_truth(report, sim):
    _, truth = sim
    lg = report.longevity
    assert (lg["old_post_visits"], lg["post_visits"]) == (truth["longevity"]["old"],
                                                          truth["longevity"]["all"])
    assert lg["undated_posts"] == 0 and 0 < lg["share_old"] < 100


def test_costs(report, sim):
    _, truth = sim
    c = report.cost
    assert c["per_visitor"] == round(5000 / truth["visitors"], 4)
    assert c["per_conversion"] == round(5000 / truth["conversions"], 4)
    assert c["per_cta_click"] == round(5000 / truth["goals"]["CTA Click"]["events"], 4)
    assert c["baseline"]["per_copy"] == 0.05 and c["baseline"]["actions"] is None


def test_cli_json_csv_html(sim, tmp_path):
    data, truth = sim
    out = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "review", "--data", str(data), "--site",
         str(data / "site"), "--period", f"{SPEC.start}..{SPEC.end}", "--json",
         "--csv", str(tmp_path / "csv"), "--html", str(tmp_path / "r.html"), "--cost", "100"],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["overview"]["visitors"]["value"] == truth["visitors"]
    assert (tmp_path / "csv" / "posts.csv").read_text().count("\n") == len(truth["posts"]) + 1
    html = (tmp_path / "r.html").read_text()
    assert html.count("<svg") >= 4
    for external in ("src=", "<link", "@import", "<script"):  # nothing loaded
        assert external not in html
    assert not re.search(r"url\((?!#)", html)  # only references inside the document

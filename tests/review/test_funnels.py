"""Funnels in the review: the owned-media funnel of the site and of each entry post match the
generator's truth, a funnel of the config matches the events as stored, and what cannot be
counted is said, not failed."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import sys

import httpx
import pytest
from rich.console import Console
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from ownmedia.config import ConfigError, load_config
from ownmedia.review import funnels
from ownmedia.review.client import StatsClient
from ownmedia.review.model import Period, build_report
from tests.review.conftest import NEWSLETTER_FUNNEL
from tests.stats.conftest import SPEC


def visits(step: dict) -> int:
    return step["visits"]


def test_site_funnel_matches_truth(sim_report, sim):
    _, truth = sim
    site = sim_report.funnels["site"]
    assert [s["step"] for s in site["steps"]] == [
        "visit / visite", "read through / lu jusqu'au bout", "CTA click / clic CTA",
        "conversion"]
    counts = [visits(s) for s in site["steps"]]
    assert counts == truth["funnels"]["site"]
    assert counts[0] == truth["visits"]
    rt, cta = site["steps"][1], site["steps"][2]
    assert cta["dropped"] == counts[1] - counts[2]
    assert cta["of_previous"] == round(100 * counts[2] / counts[1], 1)
    assert rt["of_first"] == round(100 * counts[1] / counts[0], 1)


def test_funnel_per_entry_post_matches_truth(sim_report, sim):
    _, truth = sim
    got = {p["post"]: [visits(s) for s in p["steps"]] for p in sim_report.funnels["posts"]}
    assert got == {k: v for k, v in truth["funnels"].items() if k != "site"}
    firsts = [p["steps"][0]["visits"] for p in sim_report.funnels["posts"]]
    assert firsts == sorted(firsts, reverse=True) and len(got) > 30


def ordered_visits(data, steps: list[str]) -> list[int]:
    """Visits that viewed these pages in this order, read from the store with plain SQL."""
    conn = sqlite3.connect(data / "events.sqlite3")
    reached: dict[int, int] = {}
    for session, path in conn.execute(
            "SELECT session_id, pathname FROM events WHERE name = 'pageview' "
            "ORDER BY session_id, ts, id"):
        k = reached.get(session, 0)
        if k < len(steps) and path == steps[k]:
            reached[session] = k + 1
    conn.close()
    return [sum(1 for n in reached.values() if n > i) for i in range(len(steps))]


def test_custom_funnel_from_the_config(sim_report, sim):
    data, _ = sim
    (custom,) = sim_report.funnels["custom"]
    assert custom["name"] == "Newsletter"
    assert [visits(s) for s in custom["steps"]] == ordered_visits(data, NEWSLETTER_FUNNEL["steps"])
    assert custom["steps"][1]["visits"] > 0


def test_steps_pages_goals_and_wildcards():
    assert funnels.step_of("Signup").filter == ["is", "event:goal", ["Signup"]]
    page = funnels.step_of("/blog/*/").filter
    assert page[1][0] == ["is", "event:name", ["pageview"]]
    regex = page[1][1][2][0]
    assert re.match(regex, "/blog/post/") and not re.match(regex, "/blog/a/b/")
    assert re.match(funnels.step_of("/docs/**").filter[1][1][2][0], "/docs/a/b/")
    assert funnels._filters(funnels.owned_media_funnel([]).steps[:2]) == [
        ["has_done", funnels.READ_THROUGH]]


def test_terminal_and_html_show_the_funnels(sim_report):
    console = Console(record=True, width=160)
    funnels.render_terminal(sim_report, console, top=5)
    text = console.export_text()
    assert "Funnel / entonnoir: owned media" in text and "Funnel / entonnoir: Newsletter" in text
    assert "per post" in text
    html = funnels.render_html(sim_report)
    assert html.count("<svg") == 2 and "Funnels / entonnoirs" in html


def test_config_declares_funnels(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[[review.funnels]]\nname = "Docs"\nsteps = ["/docs/", "Signup"]\n',
                    encoding="utf-8")
    assert load_config(good).review.funnels == [{"name": "Docs", "steps": ["/docs/", "Signup"]}]
    for body, message in [
        ('[[review.funnels]]\nname = "One"\nsteps = ["/a/"]\n', "2 to 8"),
        ('[[review.funnels]]\nsteps = ["/a/", "/b/"]\n', "needs a name"),
        ('[[review.funnels]]\nname = "X"\nsteps = ["/a/", "/b/"]\ncolour = "red"\n',
         "unknown key(s) colour"),
    ]:
        bad = tmp_path / "bad.toml"
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigError, match=re.escape(message)):
            load_config(bad)


def old_stats_server() -> Starlette:
    """A Stats API that knows neither sequence nor has_done (as an older Plausible)."""
    async def query(request):
        body = await request.json()
        if "sequence" in json.dumps(body.get("filters", [])) or "has_done" in json.dumps(
                body.get("filters", [])):
            return JSONResponse({"error": "Invalid filter"}, status_code=400)
        dims = body.get("dimensions") or []
        return JSONResponse({"results": [] if dims else [
            {"dimensions": [], "metrics": [0] * len(body["metrics"])}]})

    async def goals(request):
        return JSONResponse({"goals": []})

    return Starlette(routes=[Route("/api/v2/query", query, methods=["POST"]),
                             Route("/api/v1/sites/goals", goals)])


def test_a_server_without_behavioural_filters_gets_a_note():
    async def run():
        client = StatsClient("http://old-stats.test", "k",
                             transport=httpx.ASGITransport(app=old_stats_server()))
        async with client:
            return await build_report(client, "example.org", Period(SPEC.start, SPEC.end))

    report = asyncio.run(run())
    assert report.funnels == {}
    assert any(n.startswith("funnels unavailable") and "Invalid filter" in n
               for n in report.notes)


def test_cli_reads_funnels_from_the_config(sim, tmp_path):
    data, _ = sim
    config = tmp_path / "review.toml"
    config.write_text(
        f"[server]\ndata = {str(data)!r}\nsite = {str(data / 'site')!r}\n"
        f"[comments]\npelican_settings = {str(data / 'site' / 'none.py')!r}\n"
        '[[review.funnels]]\nname = "Newsletter"\nsteps = ["/newsletter/", "/merci/"]\n',
        encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "review", "--config", str(config),
         "--period", f"{SPEC.start}..{SPEC.end}", "--json"],
        capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [visits(s) for s in doc["funnels"]["custom"][0]["steps"]] == ordered_visits(
        data, NEWSLETTER_FUNNEL["steps"])
    assert doc["video"]["plays"] > 0

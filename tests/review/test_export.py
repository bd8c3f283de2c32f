"""`ownmedia review --csv DIR` writes every table of the JSON: the video, funnel and campaign
sections too, each as a flat table a spreadsheet opens, with the JSON's numbers."""

from __future__ import annotations

import csv
import dataclasses
import json

from ownmedia.review.export import to_json, write_csv

CAMPAIGN = {"name": "printemps", "metric": "pageviews", "target": 2000000,
            "from": "2026-03-02", "until": "2026-04-26", "filters": ["utm_medium=print"],
            "origin": "store", "as_of": "2026-03-20", "metric_api": "pageviews",
            "status": "behind", "verdict": "behind: 40% of the pace needed", "progress": 12000,
            "percent": 0.6, "path": {"days": ["2026-03-02"], "actual": [100]}}


def table(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_video_funnel_and_campaign_tables(sim_report, tmp_path):
    report = dataclasses.replace(sim_report, campaign_targets={
        "as_of": "2026-03-20", "campaigns": [CAMPAIGN, {**CAMPAIGN, "name": "broken",
                                                         "error": "server down"}]})
    doc = json.loads(to_json(report))
    files = {p.name: p for p in write_csv(report, tmp_path)}
    assert {"videos.csv", "video_posts.csv", "funnels.csv", "campaign_targets.csv"} <= set(files)

    steps = table(files["funnels.csv"])
    site, whole = [r for r in steps if r["scope"] == "site"], doc["funnels"]["site"]["steps"]
    assert [int(r["visits"]) for r in site] == [s["visits"] for s in whole]
    assert [r["step"] for r in site] == [s["step"] for s in whole]
    newsletter = [r for r in steps if r["funnel"] == "Newsletter"]
    assert [r["step_number"] for r in newsletter] == ["1", "2"]
    assert newsletter[0]["scope"] == "custom"
    first_post = doc["funnels"]["posts"][0]
    assert [int(r["visits"]) for r in steps if r["post"] == first_post["post"]] == [
        s["visits"] for s in first_post["steps"]]

    videos = table(files["videos.csv"])
    assert videos, "the generated site has video plays"
    assert [r["video"] for r in videos] == [v["video"] for v in doc["video"]["videos"]]
    for row, video in zip(videos, doc["video"]["videos"], strict=True):
        assert int(row["plays"]) == video["plays"]
        for quartile, share in (video["progress"] or {}).items():
            assert float(row[f"progress_{quartile}"]) == share
    assert len(table(files["video_posts.csv"])) == len(doc["video"]["posts"])

    printemps, broken = table(files["campaign_targets.csv"])
    assert printemps["name"] == "printemps" and printemps["status"] == "behind"
    assert printemps["filters"] == "utm_medium=print" and "path" not in printemps  # chart: JSON
    assert broken["error"] == "server down" and printemps["error"] == ""

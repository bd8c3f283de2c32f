"""The review's video section reports exactly the plays and quartiles the generator wrote."""

from __future__ import annotations

from rich.console import Console

from ownmedia.review import video
from ownmedia.stats.goals import METRIC_GOALS, STANDARD_EVENT_GOALS, VIDEO_PLAY


def test_plays_per_video_match_truth(sim_report, sim):
    _, truth = sim
    section = sim_report.video
    assert section["plays"] == truth["goals"][VIDEO_PLAY]["events"]
    assert section["players"] == truth["goals"][VIDEO_PLAY]["visitors"]
    got = {v["video"]: (v["provider"], v["posts"], v["plays"], v["players"])
           for v in section["videos"]}
    assert got == {k: (t["provider"], [t["post"]], t["plays"], t["players"])
                   for k, t in truth["videos"].items()}
    assert all(v["title"] == f"Video of {v['posts'][0]}" for v in section["videos"])
    assert len(got) >= 5 and {"youtube", "file"} <= {v["provider"] for v in section["videos"]}


def test_quartiles_of_local_files(sim_report, sim):
    _, truth = sim
    for v in sim_report.video["videos"]:
        if v["provider"] != "file":
            assert v["progress"] is None
            continue
        assert v["progress_events"] == truth["videos"][v["video"]]["progress"]
        assert v["progress"]["25"] == round(100 * v["progress_events"]["25"] / v["plays"], 1)
        values = [v["progress"][q] for q in video.QUARTILES]
        assert values == sorted(values, reverse=True)  # nobody reaches 75 % without 50 %


def test_plays_and_play_rate_per_post(sim_report, sim):
    _, truth = sim
    posts = {p["post"]: p for p in sim_report.video["posts"]}
    assert {s: p["plays"] for s, p in posts.items()} == truth["video_posts"]
    for slug, p in posts.items():
        pageviews = truth["posts"][slug]["pageviews"]
        assert p["pageviews"] == pageviews
        assert p["play_rate"] == round(100 * p["plays"] / pageviews, 2)


def test_terminal_and_html_show_the_section(sim_report):
    console = Console(record=True, width=160)
    video.render_terminal(sim_report, console, top=5)
    text = console.export_text()
    assert "Videos / vidéos" in text and "play rate" in text
    top = sim_report.video["videos"][0]
    assert top["title"] in text
    html = video.render_html(sim_report)
    assert "<h2>Videos / vidéos</h2>" in html and top["title"] in html


def test_shape_without_the_built_site_and_with_unset_props():
    section = video.shape(
        total=[{"dimensions": [], "metrics": [3, 4]}],
        per_video=[{"dimensions": ["abc", "youtube"], "metrics": [3, 3]},
                   {"dimensions": ["(none)", "(none)"], "metrics": [1, 1]}],
        per_post=[{"dimensions": ["a-post"], "metrics": [3, 3]}],
        progress=[], posts=[{"post": "a-post", "pageviews": 0}], known={})
    assert section["videos"] == [{"video": "abc", "provider": "youtube", "title": "",
                                  "posts": [], "plays": 3, "players": 3, "progress": None,
                                  "progress_events": None}]
    assert section["posts"][0]["play_rate"] is None  # no pageviews: no rate, not a division


def test_video_plays_is_a_standard_goal_and_a_metric():
    assert VIDEO_PLAY in STANDARD_EVENT_GOALS
    assert METRIC_GOALS["video plays"] == VIDEO_PLAY

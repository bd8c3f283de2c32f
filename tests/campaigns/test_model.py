"""What a campaign may be: checked names, metrics, targets, days and filters; the
configuration's [[campaigns]] tables."""

from __future__ import annotations

from datetime import date

import pytest

from ownmedia.campaigns.model import (
    CampaignError,
    campaigns_from_config,
    make_campaign,
    parse_filter,
    query_filters,
)
from ownmedia.config import ConfigError, load_config


def test_a_campaign_is_checked_and_normalised():
    c = make_campaign("deux-millions", "Video Plays", "2,000,000", "2026-03-02", "2026-04-26",
                      ["utm_medium=print", "page~/2026/"])
    assert (c.metric, c.target, c.start, c.end, c.days) == (
        "video plays", 2_000_000, date(2026, 3, 2), date(2026, 4, 26), 56)
    assert query_filters(c) == [["is", "visit:utm_medium", ["print"]],
                                ["contains", "event:page", ["/2026/"]],
                                ["is", "event:goal", ["Video Play"]]]
    goal = make_campaign("lettre", "Newsletter Signup", 300, date(2026, 3, 2), "2026-03-30")
    assert query_filters(goal) == [["is", "event:goal", ["Newsletter Signup"]]]
    assert query_filters(make_campaign("v", "visitors", 1, "2026-03-02", "2026-03-02")) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("page=/2026/x/", ["is", "event:page", ["/2026/x/"]]),
    ("utm_campaign!=test", ["is_not", "visit:utm_campaign", ["test"]]),
    ("source~goo", ["contains", "visit:source", ["goo"]]),
    ("channel=Organic Search", ["is", "visit:channel", ["Organic Search"]]),
    ("prop:video=abc", ["is", "event:props:video", ["abc"]]),
    ("page=/a~b/", ["is", "event:page", ["/a~b/"]]),
])
def test_filters_map_to_stats_api_filters(text, expected):
    assert parse_filter(text) == expected


@pytest.mark.parametrize(("args", "message"), [
    (("", "pageviews", 10, "2026-03-02", "2026-03-09"), "name"),
    (("x", "pageviews", 0, "2026-03-02", "2026-03-09"), "target 0"),
    (("x", "pageviews", "lots", "2026-03-02", "2026-03-09"), "whole number"),
    (("x", "pageviews", True, "2026-03-02", "2026-03-09"), "whole number"),
    (("x", "pageviews", 10, "2026-03-32", "2026-04-09"), "from '2026-03-32'"),
    (("x", "pageviews", 10, "2026-03-09", "2026-03-02"), "is before from"),
    (("x", " ", 10, "2026-03-02", "2026-03-09"), "metric: empty"),
    (("x", "pageviews", 10, "2026-03-02", "2026-03-09", ["colour=red"]), "unknown key"),
    (("x", "pageviews", 10, "2026-03-02", "2026-03-09", ["page"]), "expected key=value"),
    (("x", "pageviews", 10, "2026-03-02", "2026-03-09", ["page="]), "value is empty"),
])
def test_bad_definitions_say_what_is_wrong(args, message):
    with pytest.raises(CampaignError, match=message):
        make_campaign(*args)


def test_config_campaigns_are_read_only_and_checked(tmp_path):
    conf = tmp_path / "ownmedia.toml"
    conf.write_text('[[campaigns]]\nname = "printemps"\nmetric = "pageviews"\n'
                    'target = 2_000_000\nfrom = 2026-03-02\nuntil = "2026-04-26"\n'
                    'filters = ["utm_source=newsletter"]\n', encoding="utf-8")
    config = load_config(conf)
    (c,) = config.campaigns
    assert (c.name, c.target, c.start, c.filters) == (
        "printemps", 2_000_000, date(2026, 3, 2), ("utm_source=newsletter",))
    assert c.read_only and c.origin == str(conf)
    assert load_config(None).campaigns == []


@pytest.mark.parametrize(("toml", "message"), [
    ('[campaigns]\nname = "x"\n', "must be \\[\\[campaigns\\]\\] tables"),
    ('[[campaigns]]\nname = "x"\nmetric = "pageviews"\ntarget = 5\nfrom = 2026-03-02\n',
     "#1: missing until"),
    ('[[campaigns]]\nname = "x"\nmetric = "pageviews"\ntarget = 5\nfrom = 2026-03-02\n'
     'until = 2026-03-09\ngoal = "y"\n', "unknown key\\(s\\) goal"),
    ('[[campaigns]]\nname = "x"\nmetric = "pageviews"\ntarget = -5\nfrom = 2026-03-02\n'
     'until = 2026-03-09\n', "#1: target -5"),
    ('[[campaigns]]\nname = "x"\nmetric = "pageviews"\ntarget = 5\nfrom = 2026-03-02\n'
     'until = 2026-03-09\n[[campaigns]]\nname = "x"\nmetric = "visitors"\ntarget = 5\n'
     'from = 2026-03-02\nuntil = 2026-03-09\n', "#2: the name 'x' is declared twice"),
])
def test_config_typos_stop_with_the_table_and_key(tmp_path, toml, message):
    conf = tmp_path / "ownmedia.toml"
    conf.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(conf)


def test_filters_may_be_one_string_in_the_config():
    (c,) = campaigns_from_config([{"name": "a", "metric": "visitors", "target": 3,
                                   "from": "2026-03-02", "until": "2026-03-03",
                                   "filters": "channel=Email"}], "conf")
    assert c.filters == ("channel=Email",)

"""A review people can act on, tried as an analyst would on the generated store: posts by
title, money with its currency, a stopped tracker said instead of a fall, changes coloured by
what they mean, long tables cut with the rest in the exports, and "what to do next"."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from datetime import date, timedelta

import pytest
from rich.console import Console

from ownmedia.config import load_config
from ownmedia.review import advice
from ownmedia.review.client import EMBEDDED_URL, embedded_client
from ownmedia.review.export import to_json, write_csv
from ownmedia.review.html import render_html
from ownmedia.review.model import Costs, Period, Report, build_report
from ownmedia.review.terminal import render
from tests.stats.conftest import SPEC

UNFED = "billet-0003"  # left out of the feed: its title comes from its page


@pytest.fixture(scope="module")
def titled(sim, tmp_path_factory):
    """The generated data with a built site whose feed names posts by title (one post only
    has its page), and the expected slug -> title."""
    data, truth = sim
    site = tmp_path_factory.mktemp("titled") / "site"
    shutil.copytree(data / "site", site)
    feed = site / "feeds" / "all.atom.xml"
    text = feed.read_text()
    titles = {slug: f"Billet n° {slug[-4:]} & co" for slug in truth["posts"]}
    text = re.sub(r"<title>(billet-\d+)</title>",
                  lambda m: f"<title type=\"html\">Billet n° {m.group(1)[-4:]} &amp;amp; co"
                            "</title>", text)
    text = re.sub(rf"<entry><title[^<]*</title><link href=\"[^\"]*/{UNFED}/\".*?</entry>", "",
                  text)
    feed.write_text(text)
    page = site / "2025" / UNFED / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("<html><head><title>site</title></head><body><h1>Le <em>troisième</em> "
                    "billet</h1></body></html>")
    titles[UNFED] = "Le troisième billet"
    return data, site, titles


def build(data, site, period: Period, **kw) -> Report:
    config = load_config(None, server={"data": str(data), "site": str(site)},
                         comments={"pelican_settings": str(data / "site" / "no-settings.py")})

    async def run():
        async with embedded_client(config) as client:
            return await build_report(client, "127.0.0.1", period, site_dir=site, **kw)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def report(titled):
    data, site, _ = titled
    # the last 8 weeks: a previous period with data to compare with
    return build(data, site, Period(SPEC.end - timedelta(days=55), SPEC.end),
                 costs=Costs(5000.0, 100000.0, 2000000))


def test_posts_are_named_by_their_title(report, titled):
    _, _, titles = titled
    by_slug = {p["post"]: p["title"] for p in report.posts}
    assert by_slug == {slug: titles[slug] for slug in by_slug}
    assert by_slug[UNFED] == "Le troisième billet"  # from its page's <h1>
    assert {x["title"] for x in report.cta_posts} <= set(titles.values())
    html = render_html(report)
    top = report.posts[0]
    posts = html.split("<h2>Posts / billets</h2>")[1].split("<h2>")[0]
    assert f"<td>{top['title'].replace('&', '&amp;')}</td>" in posts
    assert f"<td>{top['post']}</td>" not in posts  # the slug is not what a reader sees


def test_money_has_a_currency_and_two_decimals(report):
    assert report.currency == "EUR"
    revenue = report.overview["revenue"]
    assert revenue["value"] > 0 and revenue["currency"] == "EUR"
    html = render_html(report)
    assert f"<b>{revenue['value']:,.2f} EUR</b>" in html
    for cta in report.ctas:
        if cta["revenue"]:
            assert f"<td>{cta['revenue']:,.2f} EUR</td>" in html
    assert f"<td>{report.cost['per_visitor']:,.2f} EUR</td>" in html
    # the CTAs' revenue also lands on the posts they were clicked on
    assert round(sum(p["revenue"] or 0 for p in report.posts), 2) == revenue["value"]


def test_nothing_internal_or_meaningless_is_shown(report):
    html = render_html(report)
    console = Console(record=True, width=200)
    render(report, console)
    text = console.export_text()
    for shown in (html, text, to_json(report)):
        assert EMBEDDED_URL not in shown and "ownmedia.embedded" not in shown
        assert "n/a" not in shown
    assert "local event store" in html


def test_a_fall_in_bounce_rate_is_good_news(report):
    html = render_html(report)
    for metric, label in (("bounce_rate", "Bounce rate"), ("visitors", "Visitors")):
        m = report.overview[metric]
        assert m["change"] is not None and m["change"] != 0
        better = m["change"] < 0 if metric == "bounce_rate" else m["change"] > 0
        card = re.search(rf'<div class="card">{label}[^<]*<b>[^<]*</b><span class="(\w+)">'
                         + re.escape(f"{m['change']:+.1f}%"), html)
        assert card, metric
        assert card.group(1) == ("good" if better else "bad")
    from ownmedia.review.html import _change

    assert 'class="good"' in _change("bounce_rate", {"change": -4.0, "previous": 50.0})
    assert 'class="bad"' in _change("bounce_rate", {"change": 4.0, "previous": 50.0})
    assert 'class="bad"' in _change("visitors", {"change": -4.0, "previous": 50})
    assert _change("visitors", {"change": None, "previous": 0}) == ""  # never "n/a vs 0"


def test_a_period_without_recent_events_says_so(titled):
    data, site, _ = titled
    end = SPEC.end + timedelta(days=9)  # the tracker "stopped" after SPEC.end
    report = build(data, site, Period(end - timedelta(days=27), end))
    since = SPEC.end.isoformat()
    assert report.freshness == {"last_event_day": since, "days_without_events": 9}
    assert report.notes[0].startswith(f"no events since {since}")
    assert all(m["change"] is None for m in report.overview.values())
    html = render_html(report)
    assert f"no events since {since}" in html
    assert 'class="bad"' not in html and 'class="good"' not in html  # no −70 % cliff


def test_long_tables_show_the_top_and_point_to_the_exports(report, tmp_path):
    html = render_html(report, top=20)
    posts = html.split("<h2>Posts / billets</h2>")[1].split("<h2>")[0]
    assert posts.count("<tr>") == 21  # header + 20
    assert f"{len(report.posts) - 20:,} more rows / lignes de plus in the CSV/JSON" in posts
    ctr = html.split("taux de clic par billet</h3>")[1].split("<h2>")[0]
    assert ctr.count("<tr>") == 16 and f"{len(report.cta_posts) - 15:,} more rows" in ctr
    files = {p.name: p for p in write_csv(report, tmp_path)}
    assert files["cta_posts.csv"].read_text().count("\n") == len(report.cta_posts) + 1
    advice_csv = files["advice.csv"].read_text()
    assert advice_csv.splitlines()[0] == "kind,subject,text,numbers"
    assert advice_csv.count("update_or_promote") == sum(
        a["kind"] == "update_or_promote" for a in report.advice)
    assert len(json.loads(to_json(report))["posts"]) == len(report.posts)


def test_prints_and_visits_from_print_are_explained(report):
    html = render_html(report)
    assert html.count("Prints: how many times a reader printed a post") == 2
    assert "Visits from printed posts / visites venues du papier" in html


def test_what_to_do_next_follows_the_rules(report):
    got = {a["kind"]: [] for a in report.advice}
    for a in report.advice:
        got[a["kind"]].append(a)
    cutoff = date.fromisoformat(report.period[1]) - timedelta(days=90)
    ranked = [p for p in report.posts if p["visitors"]]
    top = ranked[: max(5, len(ranked) // 4)]
    old = [p["post"] for p in top if p["published"] and date.fromisoformat(p["published"]) < cutoff]
    assert [a["subject"] for a in got.get("update_or_promote", [])] == old[:3] and old
    site = 100 * sum(c["converted_visits"] for c in report.channels) / sum(
        c["visits"] for c in report.channels)
    converting = sorted((c for c in report.channels if c["visits"] >= 30
                         and c["converted_visits"] >= 3 and c["conversion_rate"] >= 1.5 * site),
                        key=lambda c: -c["conversion_rate"])
    assert [a["subject"] for a in got.get("channel_converts", [])] == [
        c["channel"] for c in converting][:3]
    (insert,) = got["print_insert"]
    assert "100,000.00 EUR for 2,000,000 copies (0.05 EUR per copy)" in insert["text"]
    assert insert["numbers"]["insert_measured_actions"] is None
    assert insert["numbers"]["insert_budget_in_visitors"] == int(
        100000 / report.cost["per_visitor"])
    html = render_html(report)
    assert "<h2>What to do next / que faire ensuite</h2>" in html


def _report(**fields) -> Report:
    r = Report("s", "x", ["2026-06-01", "2026-06-30"], ["2026-05-02", "2026-05-31"], "now")
    r.overview = {"visitors": {"value": 1000, "previous": 900, "change": 11.1}}
    for k, v in fields.items():
        setattr(r, k, v)
    return r


def _post(slug, visitors, ctr, published="2026-06-01"):
    return {"post": slug, "title": slug.title(), "visitors": visitors, "ctr": ctr,
            "published": published}


def test_low_click_through_rules_on_known_numbers():
    posts = [_post("a", 900, 0.4), _post("b", 800, 2.0), _post("c", 700, 2.2),
             _post("d", 600, 1.9), _post("e", 40, 0.0)]
    ctas = [{"cta": "newsletter"}, {"cta": "don"}]
    cta_posts = [{"cta": "newsletter", "post": "b", "clicks": 24, "post_visitors": 800},
                 {"cta": "don", "post": "b", "clicks": 4, "post_visitors": 800}]
    found = advice.advise(_report(posts=posts, ctas=ctas, cta_posts=cta_posts))
    kinds = [(a["kind"], a["subject"]) for a in found]
    assert kinds == [("low_ctr_post", "a"), ("low_ctr_cta", "don")]
    assert "0.40 % of its 900 visitors vs 1.95 % on a typical post" in found[0]["text"]
    assert found[1]["numbers"] == {"ctr": 0.5, "best_cta": "newsletter", "best_ctr": 3.0}


def test_advice_is_in_french_for_a_french_locale(monkeypatch):
    posts = [_post("a", 900, 0.4), _post("b", 800, 2.0), _post("c", 700, 2.2),
             _post("d", 600, 1.9)]
    english = advice.advise(_report(posts=posts))
    monkeypatch.setenv("OWNMEDIA_LANG", "fr")
    french = advice.advise(_report(posts=posts))
    assert [(a["kind"], a["subject"], a["numbers"]) for a in french] == [
        (a["kind"], a["subject"], a["numbers"]) for a in english]
    assert french[0]["text"].startswith("Peu de clics sur l'appel à l'action de « A » : 0.40 %")
    assert "sur un billet typique" in french[0]["text"]

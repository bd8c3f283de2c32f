"""Goals out of the box: CTA_GOAL_PAGES and every CTA's `goal` in the site's settings are Stats
API goals without `ownmedia goals add`, and a goal also stored in the database is listed once."""

from __future__ import annotations

from ownmedia.config import load_config
from ownmedia.events import EventCollector, EventStore
from ownmedia.stats.goals import make_goal
from ownmedia.stats.store import StatsStore
from tests.service.eventapp import CHROME

SETTINGS = '''
CTAS = {
    "newsletter": {"label": "Get the letter", "url": "/newsletter/", "goal": "Newsletter signup",
                   "revenue": {"amount": "5.00", "currency": "EUR"}},
    "demo": {"label": "Ask for a demo", "url": "mailto:demo@example.org", "goal": "Demo request"},
    "plain": {"label": "Read more", "url": "/more/"},
}
CTA_GOAL_PAGES = {"/merci/": "Thank-you page"}
'''
SITE = "example.org"


def make(tmp_path):
    data = tmp_path / "data"
    settings = tmp_path / "pelicanconf.py"
    settings.write_text(SETTINGS, encoding="utf-8")
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         analytics={"domains": [SITE]},
                         comments={"pelican_settings": str(settings)})
    store = EventStore.in_dir(data)
    collector = EventCollector(store, [SITE])
    send = [("CTA Click", "/a/", {"cta": "newsletter"}, "192.0.2.1"),
            ("CTA Click", "/a/", {"cta": "demo"}, "192.0.2.2"),
            ("CTA Click", "/b/", {"cta": "newsletter"}, "192.0.2.3"),
            ("CTA Click", "/b/", {"cta": "plain"}, "192.0.2.4"),
            ("pageview", "/merci/", None, "192.0.2.1"),
            ("pageview", "/", None, "192.0.2.5")]
    for name, path, props, ip in send:
        body = {"n": name, "u": f"https://{SITE}{path}", "d": SITE, **({"p": props} if props
                                                                      else {})}
        collector.ingest_sync(body, CHROME, ip)
    store.close()
    return data, config


def test_settings_goals_are_goals_out_of_the_box(tmp_path):
    data, config = make(tmp_path)
    stats = StatsStore(data, config)
    try:
        names = [g.display_name for g in stats.goals(SITE)]
        assert {"Newsletter signup", "Demo request", "Thank-you page"} <= set(names)
        body = {"site_id": SITE, "date_range": "all", "metrics": ["visitors", "events",
                                                                  "conversion_rate"]}
        got = {tuple(r["dimensions"]): r["metrics"] for r in stats.query({
            **body, "dimensions": ["event:goal"],
            "filters": [["is", "event:goal", ["Newsletter signup", "Demo request",
                                              "Thank-you page"]]]})["results"]}
        assert got == {("Newsletter signup",): [2, 2, 40.0], ("Demo request",): [1, 1, 20.0],
                       ("Thank-you page",): [1, 1, 20.0]}
    finally:
        stats.close()


def test_a_goal_in_the_settings_and_the_database_is_listed_once(tmp_path):
    data, config = make(tmp_path)
    stats = StatsStore(data, config)
    try:
        stats.put_goal(SITE, make_goal({"page_path": "/merci/"}))  # "Visit /merci/"
        stats.put_goal(SITE, make_goal({"event_name": "CTA Click"}))  # a standard goal too
        goals = stats.goals(SITE)
        merci = [g for g in goals if g.page_path == "/merci/"]
        clicks = [g for g in goals if g.event_name == "CTA Click" and not g.custom_props]
        assert len(merci) == 1 and len(clicks) == 1
        assert merci[0].display_name == "Visit /merci/"  # the stored one, explicitly made
    finally:
        stats.close()

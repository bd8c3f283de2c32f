"""ANALYTICS -> what <head> loads, for each provider, and clear errors for bad settings."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ownmedia.plugins.analytics.head import AnalyticsError, head_html

from ownmedia.site import build_site

ROOT = Path(__file__).resolve().parents[3]


def scripts(html: str) -> list:
    return BeautifulSoup(html, "html.parser").find_all("script")


def test_ownmedia_provider_loads_our_tracker_deferred():
    html = head_html({"SITEURL": "https://blog.example.org", "THEME": str(ROOT / "theme"),
                      "ANALYTICS": {"provider": "ownmedia", "domain": "blog.example.org"}})
    tags = scripts(html)
    stub, tracker = tags[0], tags[1]
    assert "plausible.q" in stub.string
    assert tracker.has_attr("defer")
    assert tracker["data-domain"] == "blog.example.org"
    assert tracker["data-api"] == "/api/event"
    assert tracker["src"].startswith("https://blog.example.org/ownmedia/tracker.js?v=")
    assert not tracker.has_attr("data-include-localhost")
    assert any("data-ownmedia-optout" in (t.string or "") for t in tags)


def test_tracking_flags_and_engagement_url():
    html = head_html({"SITEURL": "", "ENGAGEMENT_URL": "https://engage.example.org/",
                      "ANALYTICS": {"provider": "ownmedia", "domain": "d.example",
                                    "track_localhost": True, "track_automation": True}})
    tracker = scripts(html)[1]
    assert tracker["data-api"] == "https://engage.example.org/api/event"
    assert tracker.has_attr("data-include-localhost")
    assert tracker.has_attr("data-include-automation")


def test_plausible_provider_loads_the_owners_script():
    script = "https://plausible.example.org/js/script.tagged-events.js"
    html = head_html({"ANALYTICS": {"provider": "plausible", "domain": "d.example",
                                    "script": script}})
    tags = scripts(html)
    assert tags[1]["src"] == script and tags[1]["data-domain"] == "d.example"
    assert not tags[1].has_attr("data-api")  # the script posts to its own origin
    assert "tracker.js" not in html
    assert "plausible('404'" in html  # the 404 template call Plausible documents


@pytest.mark.parametrize("analytics", [None, {"provider": None}])
def test_no_provider_loads_nothing(analytics):
    assert head_html({"ANALYTICS": analytics}) == ""


@pytest.mark.parametrize(
    ("analytics", "word"),
    [
        ({"provider": "matomo", "domain": "d"}, "provider"),
        ({"provider": "ownmedia"}, "domain"),
        ({"provider": "plausible", "domain": "d"}, "script"),
        ({"provider": "ownmedia", "domain": "d", "endpiont": "/x"}, "endpiont"),
        ({"provider": "ownmedia", "domain": "d", "track_localhost": "yes"}, "track_localhost"),
        ("ownmedia", "mapping"),
    ],
)
def test_bad_settings_name_the_key(analytics, word):
    with pytest.raises(AnalyticsError, match=word):
        head_html({"ANALYTICS": analytics})


def test_the_built_site_carries_the_head(tmp_path):
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "pages" / "p.md").write_text("Title: P\nSlug: p\n\nText.\n", encoding="utf-8")
    out = build_site(tmp_path / "out", content=content, PLUGINS=["ownmedia.plugins.analytics"],
                     SITEURL="", ANALYTICS={"provider": "ownmedia", "domain": "d.example"})
    html = (out / "p" / "index.html").read_text(encoding="utf-8")
    assert 'data-domain="d.example"' in html and "/ownmedia/tracker.js" in html
    # Pelican loads the plugin as `analytics`, so the class is not this test's import
    with pytest.raises(Exception, match="pelicanconf: ANALYTICS.'domain'. is required") as info:
        build_site(tmp_path / "out2", content=content, PLUGINS=["ownmedia.plugins.analytics"],
                   ANALYTICS={"provider": "ownmedia"})
    assert type(info.value).__name__ == "AnalyticsError"

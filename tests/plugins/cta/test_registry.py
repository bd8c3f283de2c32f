"""The CTAS registry: what is refused (with the CTA named), labels, UTM decoration, goals."""

from urllib.parse import parse_qs, urlsplit

import pytest
from ownmedia.plugins.cta.registry import (
    CTAError,
    goal_definitions,
    is_external,
    parse_goal_pages,
    parse_registry,
    utm_source,
    with_utm,
)
from ownmedia.plugins.cta.render import render_cta

GOOD = {
    "newsletter": {
        "label": {"fr": "S'abonner", "en": "Subscribe"},
        "url": "/newsletter/",
        "goal": "Newsletter signup",
        "revenue": {"amount": "5.00", "currency": "EUR"},
    },
    "partner": {"label": "Partner", "url": "https://partner.example.net/offer?ref=blog"},
    "quiet": {"label": "Quiet", "url": "https://quiet.example.net/", "utm": False, "style": "link"},
}
SETTINGS = {
    "SITEURL": "https://blog.example.org",
    "DEFAULT_LANG": "fr",
    "ANALYTICS": {"provider": "ownmedia", "domain": "blog.example.org"},
}


def test_a_good_registry_parses():
    ctas = parse_registry(GOOD)
    assert set(ctas) == {"newsletter", "partner", "quiet"}
    assert ctas["newsletter"].revenue == ("5.00", "EUR")
    assert ctas["quiet"].utm is False and ctas["quiet"].style == "link"


@pytest.mark.parametrize(
    ("entry_id", "entry", "words"),
    [
        ("Bad Id", {"label": "x", "url": "/"}, ["'Bad Id'", "lowercase"]),
        ("a=b", {"label": "x", "url": "/"}, ["'a=b'", "class names"]),
        ("nolabel", {"url": "/"}, ["'nolabel'", "label"]),
        ("typo", {"label": "x", "url": "/", "gaol": "x"}, ["'typo'", "gaol"]),
        (
            "rev",
            {"label": "x", "url": "/", "revenue": {"amount": "abc", "currency": "EUR"}},
            ["'rev'", "amount"],
        ),
        (
            "cur",
            {"label": "x", "url": "/", "revenue": {"amount": "1", "currency": "euro"}},
            ["'cur'", "currency"],
        ),
        ("sty", {"label": "x", "url": "/", "style": "banner"}, ["'sty'", "style"]),
        ("js", {"label": "x", "url": "javascript:alert(1)"}, ["'js'", "url"]),
        ("utm", {"label": "x", "url": "/", "utm": "yes"}, ["'utm'", "utm"]),
        ("lbl", {"label": {"fr": ""}, "url": "/"}, ["'lbl'", "label"]),
    ],
)
def test_bad_entries_are_refused_naming_the_cta(entry_id, entry, words):
    with pytest.raises(CTAError) as info:
        parse_registry({entry_id: entry})
    for word in words:
        assert word in str(info.value)


def test_entry_without_url_parses_and_is_reported_where_placed():
    assert parse_registry({"x": {"label": "X"}})["x"].url == ""


def test_labels_follow_the_article_language_with_fallbacks():
    cta = parse_registry(GOOD)["newsletter"]
    assert cta.label_for("en") == "Subscribe"
    assert cta.label_for("fr") == "S'abonner"
    assert cta.label_for("de", default_lang="en") == "Subscribe"
    assert parse_registry(GOOD)["partner"].label_for("en") == "Partner"


def test_utm_parameters_are_added_to_external_destinations_only():
    ctas = parse_registry(GOOD)
    html = render_cta(ctas["partner"], post_slug="my-post", lang="fr", settings=SETTINGS)
    href = html.split('href="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert query == {
        "ref": ["blog"],
        "utm_source": ["blog.example.org"],
        "utm_medium": ["cta"],
        "utm_campaign": ["my-post"],
        "utm_content": ["partner"],
    }
    internal = render_cta(ctas["newsletter"], post_slug="p", lang="fr", settings=SETTINGS)
    assert 'href="/newsletter/"' in internal
    quiet = render_cta(ctas["quiet"], post_slug="p", lang="fr", settings=SETTINGS)
    assert 'href="https://quiet.example.net/"' in quiet


def test_utm_keeps_what_the_author_wrote_and_own_host_is_internal():
    url = with_utm("https://x.example/?utm_source=print", source="s", campaign="c", content="i")
    assert parse_qs(urlsplit(url).query)["utm_source"] == ["print"]
    assert not is_external("https://www.blog.example.org/a", "https://blog.example.org")
    assert not is_external("mailto:a@b.c", "https://blog.example.org")
    assert is_external("https://other.example/", "https://blog.example.org")
    assert utm_source({"SITEURL": "https://blog.example.org/"}) == "blog.example.org"
    assert utm_source({"CTA_UTM_SOURCE": "ownmedia", "SITEURL": "https://b.org"}) == "ownmedia"


def test_rendered_cta_carries_the_tagged_event_classes_and_revenue():
    html = render_cta(
        parse_registry(GOOD)["newsletter"],
        post_slug="my-post",
        lang="en",
        settings=SETTINGS,
        position="end",
    )
    assert html.startswith('<div class="cta-block cta-end" data-cta="newsletter">')
    assert (
        '<a class="cta cta-button plausible-event-name=CTA+Click '
        'plausible-event-cta=newsletter plausible-event-post=my-post" href="/newsletter/"'
        ' data-revenue-amount="5.00" data-revenue-currency="EUR">Subscribe</a>'
    ) in html


def test_goal_pages_and_goal_definitions():
    pages = parse_goal_pages({"/merci/": "Newsletter signup"})
    goals = goal_definitions(parse_registry(GOOD), pages)
    assert {
        "goal_type": "page",
        "page_path": "/merci/",
        "display_name": "Newsletter signup",
    } in goals
    assert any(g.get("event_name") == "CTA Click" for g in goals)
    with pytest.raises(CTAError, match="merci"):
        parse_goal_pages({"merci": "x"})

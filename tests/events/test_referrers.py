"""Sources the way Plausible names them."""

import pytest

from ownmedia.events.referrers import DIRECT, clean_referrer, referrer_source


@pytest.mark.parametrize(
    ("referrer", "source"),
    [
        ("https://www.google.com/search?q=x", "Google"),
        ("https://www.google.fr/", "Google"),
        ("https://www.google.co.jp/", "Google"),
        ("https://www.bing.com/search?q=x", "Bing"),
        ("https://duckduckgo.com/", "DuckDuckGo"),
        ("https://l.facebook.com/l.php?u=x", "Facebook"),
        ("https://m.facebook.com/", "Facebook"),
        ("https://www.linkedin.com/feed/", "LinkedIn"),
        ("https://t.co/abc", "Twitter"),
        ("https://x.com/someone", "Twitter"),
        ("https://bsky.app/profile/x", "Bluesky"),
        ("https://mastodon.social/@x", "Mastodon"),
        ("https://www.pinterest.com/pin/1", "Pinterest"),
        ("https://old.reddit.com/r/python", "Reddit"),
        ("https://news.ycombinator.com/item?id=1", "Hacker News"),
        ("https://blog.example.net/post", "blog.example.net"),
        ("https://www.example.net/", "example.net"),
        ("", DIRECT),
        ("not a url at all", DIRECT),
    ],
)
def test_known_sources(referrer, source):
    assert referrer_source(referrer, "example.org")[0] == source


def test_utm_source_wins_and_is_mapped():
    assert referrer_source("https://google.com/", "example.org", "newsletter-june") == (
        "newsletter-june", "google.com")
    assert referrer_source("", "example.org", "fb")[0] == "Facebook"


def test_internal_referrer_is_not_a_source():
    assert referrer_source("https://www.example.org/other", "example.org") == (DIRECT, "")
    assert referrer_source("https://example.org/other", "www.example.org") == (DIRECT, "")


def test_clean_referrer():
    assert clean_referrer("https://www.example.net/a/b/?q=1#x") == "example.net/a/b"
    assert clean_referrer("") == ""

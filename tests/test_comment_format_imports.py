"""What real (WordPress) exports hold that the comment format accepts: trackbacks, the bare
`http://` website placeholder, and a clear message for percent-encoded slugs."""

from __future__ import annotations

import pytest

from ownmedia.comment_format import (
    CommentFormatError,
    format_comment,
    parse_comment,
    wordpress_slug,
)

BASE = "id: 20200518-080000-wp106\npost: {post}\nauthor: A blog\ndate: 2020-05-18T10:00:00+02:00\n"


def test_trackback_is_a_type_and_needs_a_source():
    c = parse_comment(BASE.format(post="p") + "type: trackback\nsource: http://tb.example/1\n\n"
                      "[...] text [...]")
    assert (c.type, c.source) == ("trackback", "http://tb.example/1")
    assert parse_comment(format_comment(c)) == c
    with pytest.raises(CommentFormatError, match="field 'source': required for a trackback"):
        parse_comment(BASE.format(post="p") + "type: trackback\n\nx")


@pytest.mark.parametrize("placeholder", ["http://", "https://", "HTTP://"])
def test_wordpress_empty_website_placeholder_is_no_website(placeholder):
    c = parse_comment(BASE.format(post="p") + f"type: comment\nwebsite: {placeholder}\n\nHi")
    assert c.website is None
    assert "website" not in format_comment(c)


def test_a_real_bad_website_still_fails():
    with pytest.raises(CommentFormatError, match="field 'website'"):
        parse_comment(BASE.format(post="p") + "type: comment\nwebsite: ftp://x.example\n\nHi")


def test_percent_encoded_slug_names_the_slug_to_use():
    encoded = "license%e2%80%91compatible-caf%c3%a9"
    with pytest.raises(CommentFormatError,
                       match="percent-encoded: use 'license-compatible-cafe'"):
        parse_comment(BASE.format(post=encoded) + "type: comment\n\nHi")


def test_wordpress_slug_follows_pelicans_rules():
    assert wordpress_slug("license%e2%80%91compatible") == "license-compatible"
    assert wordpress_slug("%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2") == "epipedo-2"
    assert wordpress_slug("Hello World!") == "hello-world"
    subs = [(r"[^\w\s-]", ""), (r"\s+", "_")]
    assert wordpress_slug("Hello World", {"SLUG_REGEX_SUBSTITUTIONS": subs}) == "hello_world"

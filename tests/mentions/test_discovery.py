"""Webmention endpoint discovery: the 23 webmention.rocks discovery cases, reproduced on a
loopback server (same headers and markup, paths under /test/N/), plus RFC 8288 Link
header forms. Each case passes when the one webmention lands on /test/N/webmention (with
its query string kept) and nothing lands on an /error endpoint."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from ownmedia.config import Config, MentionsConfig
from ownmedia.mentions.send import header_endpoint, send_one

SOURCE = "https://blog.example/2026/a-post/"


def case(n: int, base: str) -> tuple[dict, str, str]:
    """(headers, body markup, expected endpoint path) of webmention.rocks discovery test n."""
    ok, err, absolute = f"/test/{n}/webmention", f"/test/{n}/webmention/error", base
    cases = {
        1: ({"Link": f"<{ok}>; rel=webmention"}, "", ok),
        2: ({"Link": f"<{absolute}{ok}>; rel=webmention"}, "", ok),
        3: ({}, f'<link rel="webmention" href="{ok}">', ok),
        4: ({}, f'<link href="{absolute}{ok}" rel="webmention">', ok),
        5: ({}, f'<a rel="webmention" href="{ok}">endpoint</a>', ok),
        6: ({}, f'<a href="{absolute}{ok}" rel="webmention">endpoint</a>', ok),
        7: ({"LinK": f"<{absolute}{ok}>; rel=webmention"}, "", ok),
        8: ({"Link": f'<{absolute}{ok}>; rel="webmention"'}, "", ok),
        9: ({}, f'<link rel="webmention somethingelse" href="{absolute}{ok}">', ok),
        10: ({"Link": f'<{absolute}{ok}>; rel="webmention somethingelse"'}, "", ok),
        11: ({"Link": f'<{ok}>; rel="webmention"'},
             f'<link rel="webmention" href="{err}"><a href="{err}" rel="webmention">a</a>', ok),
        12: ({}, f'<link rel="not-webmention" href="{err}">'
                 f'<a href="{ok}" rel="webmention">correct</a>', ok),
        13: ({}, f'<!-- <a href="{err}" rel="webmention"></a> -->'
                 f'<a href="{ok}" rel="webmention">correct</a>', ok),
        14: ({}, f'<code>&lt;a href="{err}" rel="webmention"&gt;&lt;/a&gt;</code>'
                 f'<a href="{ok}" rel="webmention">correct</a>', ok),
        15: ({}, '<link rel="webmention" href="">', "/test/15"),
        16: ({}, f'<a href="{ok}" rel="webmention">a</a><link rel="webmention" href="{err}">',
             ok),
        17: ({}, f'<link rel="webmention" href="{ok}"><a href="{err}" rel="webmention">a</a>',
             ok),
        18: ({"Link": [f'<{absolute}{err}>; rel="other"', f'<{absolute}{ok}>; rel="webmention"']},
             "", ok),
        19: ({"Link": f'<{absolute}{err}>; rel="other", <{absolute}{ok}>; rel="webmention"'},
             "", ok),
        20: ({}, f'<link rel="webmention"><a href="{ok}" rel="webmention">this</a>', ok),
        21: ({}, f'<link rel="webmention" href="{ok}?query=yes">', ok + "?query=yes"),
        22: ({}, '<link rel="webmention" href="22/webmention">', "/test/22/webmention"),
    }
    return cases[n]


def html_page(n: int, markup: str) -> str:
    return (f'<!doctype html><html><head><title>Discovery Test #{n}</title>'
            f'{markup if markup.startswith("<link") else ""}</head><body>'
            f'<div class="h-entry"><h2 class="p-name">Discovery Test #{n}</h2>'
            f'<div class="e-content">{"" if markup.startswith("<link") else markup}</div>'
            "</div></body></html>")


def serve_case(pages, n: int) -> tuple[str, str]:
    headers, markup, expected = case(n, pages.url)
    link_values = headers.pop("Link", None) or headers.pop("LinK", None)
    extra = {}
    if isinstance(link_values, list):
        extra["Link"] = link_values
    elif link_values:
        extra["LinK" if n == 7 else "Link"] = link_values
    pages.set(f"/test/{n}", html_page(n, markup), headers=extra)
    for path in (f"/test/{n}/webmention", f"/test/{n}/webmention/error",
                 f"/test/{n}/webmention?query=yes", "/test/22/webmention", "/test/15"):
        if path not in pages.pages:
            pages.set(path, "accepted", 202)
    if n == 15:  # the page is its own endpoint: it must take the POST
        pages.set("/test/15", html_page(n, markup), headers=extra)
    return pages.url + f"/test/{n}", expected


def config() -> Config:
    return Config(mentions=MentionsConfig(allow_private_addresses=True, timeout_seconds=5))


@pytest.mark.parametrize("n", range(1, 23))
def test_webmention_rocks_discovery(pages, n):
    target, expected = serve_case(pages, n)
    result = send_one(SOURCE, target, config())
    assert result.kind == "webmention", result
    assert [p for p, _, _ in pages.posts] == [expected]
    form = parse_qs(pages.posts[0][2].decode())
    assert form == {"source": [SOURCE], "target": [target]}  # query kept in the URL only


def test_webmention_rocks_discovery_23_redirect_each_url_once(pages):
    """The target redirects; the endpoint is relative to the final URL; each URL answers
    only once (a sender that fetches twice fails)."""
    pages.set("/test/23/page", "", 302, {"Location": "/test/23/page/k1"})
    pages.set("/test/23/page/k1", html_page(23, '<a rel="webmention" '
                                                'href="webmention-endpoint/k1">endpoint</a>'),
              headers={"Link": "<webmention-endpoint/k1>; rel=webmention"})
    pages.set("/test/23/page/webmention-endpoint/k1", "accepted", 202)
    pages.once |= {"/test/23/page", "/test/23/page/k1", "/test/23/page/webmention-endpoint/k1"}
    result = send_one(SOURCE, pages.url + "/test/23/page", config())
    assert result.kind == "webmention", result
    assert [p for p, _, _ in pages.posts] == ["/test/23/page/webmention-endpoint/k1"]
    assert pages.hits["/test/23/page/k1"] == 1


@pytest.mark.parametrize("values, expected", [
    (['</e?a=1,2>; rel="webmention"'], "/e?a=1,2"),  # a comma inside <...>
    (['</a>; rel="other", </b>; type="text/html"; rel="WebMention"'], "/b"),
    (['</a>; REL=webmention'], "/a"),
    (['</x>; rel="not-webmention"', '</y>; rel="webmention"'], "/y"),
    (['<https://e.example/wm>; rel="webmention"; title="a, b; c"'], "https://e.example/wm"),
    (["not a link header", "</z>; rel=webmention"], "/z"),
    (['</a>; rel="webmentions"'], None),
])
def test_link_header_parsing(values, expected):
    assert header_endpoint(values) == expected


def test_comma_in_link_url_sends_to_the_whole_url(pages):
    pages.set("/t", "<html></html>", headers={"Link": '</e?a=1,2>; rel="webmention"'})
    pages.set("/e?a=1,2", "accepted", 202)
    result = send_one(SOURCE, pages.url + "/t", config())
    assert result.kind == "webmention"
    assert [p for p, _, _ in pages.posts] == ["/e?a=1,2"]

"""The block-marker parsing the CTA and video extensions share: markers outside fenced code
only, fences closed as CommonMark closes them, line numbers those of the file."""

from __future__ import annotations

import re

import markdown
from ownmedia.plugins.cta.markdown_ext import CTAExtension
from ownmedia.plugins.video.markdown_ext import VideoExtension

from ownmedia.markdown_blocks import as_blocks, markers_outside_code

MARK = re.compile(r"^\[\[x:(?P<id>\w+)\]\]$")


def found(text: str) -> list[tuple[int, str]]:
    return [(i, m.group("id")) for i, m in markers_outside_code(text.split("\n"), MARK)]


def test_markers_in_fences_are_left_alone():
    text = "\n".join(["[[x:a]]", "````", "[[x:b]]", "```", "[[x:c]]", "````", "[[x:d]]",
                      "~~~", "[[x:e]]", "```", "~~~", "[[x:f]]"])
    # a ``` line does not close a ```` fence; ``` does not close ~~~
    assert found(text) == [(0, "a"), (6, "d"), (11, "f")]


def test_a_fence_closes_only_on_a_line_of_its_own():
    assert found("```\n``` not a close\n[[x:a]]\n```\n[[x:b]]") == [(4, "b")]


def test_placeholders_become_blocks_of_their_own():
    assert as_blocks(["a", "M", "b"], {1: "<!--p-->"}) == ["a", "", "<!--p-->", "", "b"]
    lines = ["unchanged"]
    assert as_blocks(lines, {}) is lines


def test_both_extensions_share_it_and_keep_file_lines():
    text = "Intro.\n[[cta:letter]]\n```\n[[cta:doc]]\n```\n"
    html = markdown.markdown(text, extensions=[CTAExtension(), VideoExtension(),
                                               "fenced_code"])
    assert "<!--ownmedia-cta:letter:2-->" in html and "ownmedia-cta:doc" not in html

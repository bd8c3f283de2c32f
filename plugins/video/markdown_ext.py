"""The video marker in Markdown: the preprocessor marks where a video goes, with the marker's
text and source line, as an HTML comment placeholder; the Pelican side (`plugin.py`) renders
it once it knows the post (slug, language) and reports problems with that line. Markers in
fenced code blocks are left alone, as the CTA syntax's are."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from markdown import Extension, Markdown

from ownmedia.markdown_blocks import BlockMarkerPreprocessor, markers_outside_code

from .syntax import MARKER_RE

PLACEHOLDER_RE = re.compile(
    r"(?:<p>)?<!--ownmedia-video:(?P<line>\d+):(?P<body>[^>]*?)-->(?:</p>)?")


def find_markers(lines: list[str]) -> dict[int, str]:
    """{index in `lines`: marker body} for each marker outside fenced code."""
    return {index: marker.group("body")
            for index, marker in markers_outside_code(lines, MARKER_RE)}


def placeholder(line: int, body: str) -> str:
    return f"<!--ownmedia-video:{line}:{quote(body, safe='')}-->"


def parse_placeholder(match: re.Match) -> tuple[int, str]:
    return int(match.group("line")), unquote(match.group("body"))


class VideoPreprocessor(BlockMarkerPreprocessor):
    marker_re = MARKER_RE

    def placeholder(self, line: int, marker: re.Match) -> str:
        return placeholder(line, marker.group("body"))


class VideoExtension(Extension):
    """`markdown.Markdown(extensions=[VideoExtension()])`."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API name)
        # beside the CTA preprocessor: after normalize_whitespace (30), before meta (27)
        md.preprocessors.register(VideoPreprocessor(md), "ownmedia_video", 28.5)


def makeExtension(**kwargs: object) -> VideoExtension:  # noqa: N802 (Markdown's API name)
    return VideoExtension(**kwargs)

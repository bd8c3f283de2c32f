"""The video marker in Markdown: the preprocessor marks where a video goes, with the marker's
text and source line, as an HTML comment placeholder; the Pelican side (`plugin.py`) renders
it once it knows the post (slug, language) and reports problems with that line. Markers in
fenced code blocks are left alone, as the CTA syntax's are."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from .syntax import MARKER_RE

FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
PLACEHOLDER_RE = re.compile(
    r"(?:<p>)?<!--ownmedia-video:(?P<line>\d+):(?P<body>[^>]*?)-->(?:</p>)?")


def find_markers(lines: list[str]) -> dict[int, str]:
    """{index in `lines`: marker body} for each marker outside fenced code."""
    found: dict[int, str] = {}
    fence: str | None = None
    for index, line in enumerate(lines):
        m = FENCE_RE.match(line)
        if fence is None and m:
            fence = m.group("fence")
            continue
        if fence is not None:
            if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence) \
                    and not line.strip().lstrip(fence[0]):
                fence = None
            continue
        marker = MARKER_RE.match(line)
        if marker:
            found[index] = marker.group("body")
    return found


def placeholder(line: int, body: str) -> str:
    return f"<!--ownmedia-video:{line}:{quote(body, safe='')}-->"


def parse_placeholder(match: re.Match) -> tuple[int, str]:
    return int(match.group("line")), unquote(match.group("body"))


class VideoPreprocessor(Preprocessor):
    """Runs before the metadata extension, so line numbers are those of the file."""

    def run(self, lines: list[str]) -> list[str]:
        found = find_markers(lines)
        if not found:
            return lines
        out: list[str] = []
        for index, line in enumerate(lines):
            if index in found:  # a block of its own, whatever the author left around it
                out.extend(["", placeholder(index + 1, found[index]), ""])
            else:
                out.append(line)
        return out


class VideoExtension(Extension):
    """`markdown.Markdown(extensions=[VideoExtension()])`."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API name)
        # beside the CTA preprocessor: after normalize_whitespace (30), before meta (27)
        md.preprocessors.register(VideoPreprocessor(md), "ownmedia_video", 28.5)


def makeExtension(**kwargs: object) -> VideoExtension:  # noqa: N802 (Markdown's API name)
    return VideoExtension(**kwargs)

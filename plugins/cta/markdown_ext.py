"""The CTA Markdown syntax: a paragraph made of `[[cta:<id>]]` alone on its line.

It reads well as plain text (a feed reader or a Markdown viewer shows a bracketed note), and
it survives any editor. The extension only marks where a CTA goes, with the id and the source
line, as an HTML comment placeholder; the Pelican side (`plugin.py`) turns placeholders into
links once it knows the post (slug, language), and reports problems with that line.

Markers inside fenced or indented code are left alone, so posts can document the syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from markdown import Extension, Markdown

from ownmedia.markdown_blocks import BlockMarkerPreprocessor, markers_outside_code

MARKER_RE = re.compile(r"^ {0,3}\[\[\s*cta\s*:\s*(?P<id>[^\]]*?)\s*\]\]\s*$", re.IGNORECASE)
PLACEHOLDER_RE = re.compile(r"(?:<p>)?<!--ownmedia-cta:(?P<id>[^:]*):(?P<line>\d+)-->(?:</p>)?")


@dataclass(frozen=True)
class Placement:
    """A CTA placed in a source file: its id as written and its 1-based line."""

    cta_id: str
    line: int


def find_placements(lines: list[str], first_line: int = 1) -> list[tuple[int, Placement]]:
    """(index in `lines`, Placement) for each marker outside code blocks."""
    return [(index, Placement(marker.group("id"), first_line + index))
            for index, marker in markers_outside_code(lines, MARKER_RE)]


def placements_in_text(text: str) -> list[Placement]:
    """Every CTA marker of a Markdown source, with its line in that source."""
    return [p for _, p in find_placements(text.replace("\r\n", "\n").split("\n"))]


def placeholder(p: Placement) -> str:
    return f"<!--ownmedia-cta:{quote(p.cta_id, safe='')}:{p.line}-->"


def parse_placeholders(html: str) -> list[Placement]:
    return [Placement(unquote(m.group("id")), int(m.group("line")))
            for m in PLACEHOLDER_RE.finditer(html)]


class CTAPreprocessor(BlockMarkerPreprocessor):
    marker_re = MARKER_RE

    def placeholder(self, line: int, marker: re.Match) -> str:
        return placeholder(Placement(marker.group("id"), line))


class CTAExtension(Extension):
    """`markdown.Markdown(extensions=[CTAExtension()])`."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API name)
        # after normalize_whitespace (30), before meta (27) and fenced code (25)
        md.preprocessors.register(CTAPreprocessor(md), "ownmedia_cta", 28)


def makeExtension(**kwargs: object) -> CTAExtension:  # noqa: N802 (Markdown's API name)
    return CTAExtension(**kwargs)

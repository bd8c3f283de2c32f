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
from markdown.preprocessors import Preprocessor

MARKER_RE = re.compile(r"^ {0,3}\[\[\s*cta\s*:\s*(?P<id>[^\]]*?)\s*\]\]\s*$", re.IGNORECASE)
FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
PLACEHOLDER_RE = re.compile(r"(?:<p>)?<!--ownmedia-cta:(?P<id>[^:]*):(?P<line>\d+)-->(?:</p>)?")


@dataclass(frozen=True)
class Placement:
    """A CTA placed in a source file: its id as written and its 1-based line."""

    cta_id: str
    line: int


def find_placements(lines: list[str], first_line: int = 1) -> list[tuple[int, Placement]]:
    """(index in `lines`, Placement) for each marker outside code blocks."""
    found: list[tuple[int, Placement]] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        m = FENCE_RE.match(line)
        if fence is None and m:
            fence = m.group("fence")
            continue
        if fence is not None:
            if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence):
                if not line.strip().lstrip(fence[0]):
                    fence = None
            continue
        marker = MARKER_RE.match(line)
        if marker:
            found.append((index, Placement(marker.group("id"), first_line + index)))
    return found


def placements_in_text(text: str) -> list[Placement]:
    """Every CTA marker of a Markdown source, with its line in that source."""
    return [p for _, p in find_placements(text.replace("\r\n", "\n").split("\n"))]


def placeholder(p: Placement) -> str:
    return f"<!--ownmedia-cta:{quote(p.cta_id, safe='')}:{p.line}-->"


def parse_placeholders(html: str) -> list[Placement]:
    return [Placement(unquote(m.group("id")), int(m.group("line")))
            for m in PLACEHOLDER_RE.finditer(html)]


class CTAPreprocessor(Preprocessor):
    """Runs before the metadata extension, so line numbers are those of the file."""

    def run(self, lines: list[str]) -> list[str]:
        found = dict(find_placements(lines))
        if not found:
            return lines
        out: list[str] = []
        for index, line in enumerate(lines):
            if index in found:
                # a block of its own, whatever the author left around it
                out.extend(["", placeholder(found[index]), ""])
            else:
                out.append(line)
        return out


class CTAExtension(Extension):
    """`markdown.Markdown(extensions=[CTAExtension()])`."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API name)
        # after normalize_whitespace (30), before meta (27) and fenced code (25)
        md.preprocessors.register(CTAPreprocessor(md), "ownmedia_cta", 28)


def makeExtension(**kwargs: object) -> CTAExtension:  # noqa: N802 (Markdown's API name)
    return CTAExtension(**kwargs)

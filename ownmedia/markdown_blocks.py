"""Block markers in Markdown (`[[cta:<id>]]`, the video marker): a line of its own that a
preprocessor turns into an HTML comment placeholder, which a Pelican plugin later renders once
it knows the post. Shared by the CTA and video extensions, so both skip fenced code the same
way (posts may document the syntax) and both keep the file's line numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown.preprocessors import Preprocessor

FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")


def markers_outside_code(lines: list[str], marker_re: re.Pattern) -> Iterator[
        tuple[int, re.Match]]:
    """(index in `lines`, match) for each line `marker_re` matches outside fenced code (a
    fence closes with a run of the same character at least as long, alone on its line)."""
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
        marker = marker_re.match(line)
        if marker:
            yield index, marker


def as_blocks(lines: list[str], placeholders: dict[int, str]) -> list[str]:
    """`lines` with each line of `placeholders` (by index) replaced by its placeholder, a
    block of its own whatever the author left around it."""
    if not placeholders:
        return lines
    out: list[str] = []
    for index, line in enumerate(lines):
        if index in placeholders:
            out.extend(["", placeholders[index], ""])
        else:
            out.append(line)
    return out


class BlockMarkerPreprocessor(Preprocessor):
    """Replaces the marker lines by placeholders. Registered before the metadata extension
    (priority above 27), so a placeholder's line number is the file's."""

    marker_re: re.Pattern

    def placeholder(self, line: int, marker: re.Match) -> str:
        """The placeholder of the marker `marker` found on 1-based `line`."""
        raise NotImplementedError

    def run(self, lines: list[str]) -> list[str]:
        found = markers_outside_code(lines, self.marker_re)
        return as_blocks(lines, {i: self.placeholder(i + 1, m) for i, m in found})

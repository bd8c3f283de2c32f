"""Fenced code blocks kept as they were highlighted, by content: Pygments compiles a
language's lexer once per process (its Python lexer's patterns take tens of milliseconds),
which a rebuild of one edited post would pay for a code block the edit did not touch.

A Markdown preprocessor run just before Python-Markdown's fenced_code: each fenced block is
looked up by a hash of its text, the Markdown extensions' configurations and the versions
that shape the HTML; on a miss, fenced_code's own preprocessor renders that block alone (so
the HTML is fenced_code's) and the result is kept. A block with `{attributes}` is left to
fenced_code. Entries carry their checksum (a damaged one is rendered again); an entry not
used for KEEP_DAYS is removed by the next full build (see prune); deleting the folder is
always safe."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from ownmedia.pelican_support import plain_logger

log = plain_logger("ownmedia.build")
NAME = "ownmedia_code_cache"
FENCED = "fenced_code_block"  # fenced_code's preprocessor, registered at priority 25
PRIORITY = 25.5  # just before it: every other preprocessor keeps its place
KEEP_DAYS = 60
DAY = 86400


class CodeCacheExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"folder": ["", "where the highlighted blocks are kept"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        folder = self.getConfig("folder")
        if folder:
            md.preprocessors.register(CodeCache(md, Path(folder)), NAME, PRIORITY)


class CodeCache(Preprocessor):
    def __init__(self, md: Markdown, folder: Path):
        super().__init__(md)
        self.folder = folder
        self._key_base: str | None = None

    def run(self, lines: list[str]) -> list[str]:
        if FENCED not in self.md.preprocessors:
            return lines
        fenced = self.md.preprocessors[FENCED]
        pattern = getattr(fenced, "FENCED_BLOCK_RE", None)
        if pattern is None:
            return lines
        text = "\n".join(lines)
        index = 0
        while True:
            m = pattern.search(text, index)
            if m is None:
                break
            if m.group("attrs"):  # fenced_code's own (attribute lists, their checks)
                index = m.end()
                continue
            placeholder = self._placeholder(fenced, m.group(0))
            if placeholder is None:
                index = m.end()
                continue
            text = f"{text[:m.start()]}\n{placeholder}\n{text[m.end():]}"
            index = m.start() + 1 + len(placeholder)
        return text.split("\n")

    def _placeholder(self, fenced, block: str) -> str | None:
        """The block's placeholder in the HTML stash, its HTML from the cache or rendered
        by fenced_code alone; None when fenced_code does not render it as one block."""
        path = self.folder / f"{self._key(block)}.html"
        html = _read(path)
        if html is not None:
            return self.md.htmlStash.store(html)
        stash = self.md.htmlStash
        count, counter = len(stash.rawHtmlBlocks), stash.html_counter
        out = fenced.run(block.split("\n"))
        if len(stash.rawHtmlBlocks) != count + 1 or len(out) != 3 or out[0] or out[2]:
            # not one block as expected: left to fenced_code's own pass, uncached
            del stash.rawHtmlBlocks[count:]
            stash.html_counter = counter
            return None
        _write(path, stash.rawHtmlBlocks[-1])
        return out[1]

    def _key(self, block: str) -> str:
        if self._key_base is None:
            import markdown
            import pygments

            from ownmedia.incremental import stable_repr

            configs = [(type(e).__module__, type(e).__qualname__, stable_repr(e.getConfigs()))
                       for e in self.md.registeredExtensions]
            self._key_base = repr((markdown.__version__, pygments.__version__,
                                   self.md.output_format, sorted(configs)))
        return hashlib.sha256(f"{self._key_base}\0{block}".encode()).hexdigest()


def _read(path: Path) -> str | None:
    try:
        data = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    digest, _, html = data.partition("\n")
    if hashlib.sha256(html.encode()).hexdigest() != digest:
        log.warning("ownmedia: code block cache entry %s damaged; rendered again", path)
        return None
    try:  # used: kept by prune (its mtime, renewed once a day at most)
        if path.stat().st_mtime < time.time() - DAY:
            os.utime(path)
    except OSError:
        pass
    return html


def prune(folder: str | Path, keep_days: float = KEEP_DAYS) -> int:
    """Remove the entries not used for `keep_days` (a block edited since, a removed post);
    returns how many."""
    limit = time.time() - keep_days * DAY
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def _write(path: Path, html: str) -> None:
    """Through a temporary file and a rename: a reader sees a whole entry or none."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{hashlib.sha256(html.encode()).hexdigest()}\n{html}")
        os.replace(tmp, path)
    except OSError:
        pass  # a cache: the block is rendered again next time


def makeExtension(**kwargs) -> CodeCacheExtension:  # noqa: N802 - Python-Markdown's API
    return CodeCacheExtension(**kwargs)

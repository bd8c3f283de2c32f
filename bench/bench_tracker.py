"""Tracker weight: ownmedia/static/tracker.js gzipped, next to Plausible's npm tracker
(2,694 bytes gzipped, the figure the issue quotes), against the 1,500-byte budget. Also the
cost of the CTA Markdown extension on post conversion (side by side, same run)."""

from __future__ import annotations

import gzip
import time
import zlib
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / "ownmedia" / "static" / "tracker.js"
PLAUSIBLE_GZIP = 2694
BUDGET = 1500


def gzip_size(data: bytes, level: int = 9) -> int:
    """Bytes on the wire with gzip (no file name in the header, as a web server sends it)."""
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def _convert_time(posts: int, with_cta: bool) -> float:
    import markdown
    from ownmedia.plugins.cta.markdown_ext import CTAExtension

    body = "\n\n".join(
        f"Paragraph {i} with *emphasis* and a [link](https://example.org/{i}).\n\n"
        + ("[[cta:newsletter]]" if i % 5 == 0 else "")
        for i in range(40)
    )
    text = "Title: T\nSlug: t\n\n" + body
    extensions = ["meta", "fenced_code"] + ([CTAExtension()] if with_cta else [])
    md = markdown.Markdown(extensions=extensions)
    start = time.perf_counter()
    for _ in range(posts):
        md.reset()
        md.convert(text)
    return time.perf_counter() - start


def run(console: Console, full: bool = False) -> None:
    data = TRACKER.read_bytes()
    size9, size6 = gzip_size(data, 9), gzip_size(data, 6)
    table = Table(title="tracker.js weight (bytes)")
    for column in ("script", "raw", "gzip -6", "gzip -9", "vs Plausible", "budget 1,500"):
        table.add_column(column, justify="right")
    table.add_row("ownmedia tracker.js", f"{len(data):,}", f"{size6:,}", f"{size9:,}",
                  f"{size9 / PLAUSIBLE_GZIP:.0%}", "ok" if size9 <= BUDGET else "[red]OVER[/red]")
    table.add_row("Plausible (npm, quoted)", "", "", f"{PLAUSIBLE_GZIP:,}", "100%", "")
    table.add_row("deflate -9 (no header)", "", "", f"{len(zlib.compress(data, 9)):,}", "", "")
    console.print(table)

    posts = 2000 if full else 100
    # interleaved, best of 5: the machine is shared, the minimum is the least disturbed run
    runs = [(_convert_time(posts, False), _convert_time(posts, True)) for _ in range(5)]
    plain, with_cta = min(r[0] for r in runs), min(r[1] for r in runs)
    cost = Table(title=f"Markdown conversion of {posts} posts (40 paragraphs, 8 CTAs each), "
                       "best of 5")
    for column in ("extensions", "seconds", "posts/s", "overhead"):
        cost.add_column(column, justify="right")
    cost.add_row("meta + fenced_code", f"{plain:.3f}", f"{posts / plain:,.0f}", "")
    cost.add_row("+ CTA extension", f"{with_cta:.3f}", f"{posts / with_cta:,.0f}",
                 f"{with_cta / plain - 1:+.1%}")
    console.print(cost)

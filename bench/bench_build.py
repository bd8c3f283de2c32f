"""Build time of the same generated corpus with vanilla Pelican (no plugins, default theme)
and with ownmedia (all plugins, our theme), side by side in one run.

Each build runs in its own subprocess (fresh interpreter, no warm caches shared between the
two), timed around Pelican's run inside the child; peak memory is the child's own max RSS.
Builds alternate (vanilla, ownmedia, vanilla, ...) so machine noise hits both alike; the table
keeps each variant's best time. Quick: 100 posts, 1 round; --full: 1,000 posts, 3 rounds.
Target: ownmedia <= 1.15 x vanilla at 1,000 posts.

BENCH_PROFILE=1 also prints the top functions of one ownmedia build (cProfile).

Where the time went (cProfile, 100-1,000 posts) and what was done about it:
- QR codes (segno, pure Python): 20-30 ms each, 80 % of it trying all eight masks and scoring
  them. Fixed mask (any mask is valid): ~2 ms. Then plugins/print_view/qr.py lays a code out
  from a per-version template (function patterns, format/version info, data-module order and
  mask bits computed once with segno's own functions), Reed-Solomon as an LFSR over whole
  products, SVG runs found by regex: ~0.45 ms, module for module segno's code (tested).
- Comment bodies: markdown.markdown() builds a parser per call (~2 ms) and each body was
  rendered three times (page, print view, feed). Now a reused parser per thread, once per body,
  in worker processes started before the posts are read (comment files read as the article
  generator is made): every body is ready when writing starts; the build process never waits
  for a worker (a body not yet delivered is rendered in place, same output).
- Print views: one more page per post (render + mkdir + write), plus its QR code. Written by
  forked processes started when Pelican's writing phase begins (the `get_writer` signal), so
  they run beside all of it; the comments feeds ride along (ownmedia.build_jobs) instead of
  being written by the build process after the articles.
- Worker count: one per CPU but one (PRINT_VIEW_WORKERS, COMMENTS_RENDER_WORKERS): on 2 cores
  a second worker only takes CPU from the build process, which sets the wall time.
- Share links: urlencode() per network per post replaced by one quote of each part.
- Pelican recomputes `url` on every access (~0.15 ms): the navigation is computed once per
  build and listings look each URL up once. Our theme renders faster than notmyidea.
Footnotes use a regex over Pelican's Markdown output instead of BeautifulSoup (~20x cheaper).

Rows (1,000 posts, best of 3; 2 cores shared with another engineer's work, load 2-2.7):
  brief, idle machine:       vanilla 6.93 s, ownmedia 10.17 s = 1.47x (CPU: build 1.29x, all 1.83x)
  before, same session:      vanilla 6.25 s, ownmedia  7.62 s = 1.22x (CPU: build 1.08x, all 1.52x),
                             peak RSS 79 MiB (workers 69)
  after:                     vanilla 7.06 s, ownmedia  7.35 s = 1.04x (CPU: build 1.04x, all 1.42x),
                             peak RSS 72 MiB (workers 61); two other runs 1.08x
What remains is the features' own work (print pages, QR codes, comment bodies and feeds),
~2.6 s of CPU in the worker processes: with no free core, wall time follows the all-process
ratio instead (workers set to 0, as on one CPU: 8.44 s vs vanilla 6.06 s, 1.39x)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.15

CHILD = r"""
import json, resource, sys, time
from ownmedia.site import build_site
content, out, mode, profile = sys.argv[1:5]
overrides = {"PLUGINS": [], "THEME": "notmyidea"} if mode == "vanilla" else {}
overrides.update(LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)
if profile == "1":
    import cProfile, pstats
    prof = cProfile.Profile()
    prof.enable()
start = time.perf_counter()
build_site(out, content=content, **overrides)
seconds = time.perf_counter() - start
if profile == "1":
    prof.disable()
    pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes (QR, comments)
print("BENCH " + json.dumps({
    "seconds": seconds, "rss_kb": me.ru_maxrss, "workers_rss_kb": kids.ru_maxrss,
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    "main_cpu": me.ru_utime + me.ru_stime,
}))
"""


def build_once(content: Path, out: Path, mode: str, profile: bool = False) -> dict:
    """One build in a fresh interpreter; returns seconds, peak RSS and wall time."""
    import time

    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(content), str(out), mode, "1" if profile else "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    result = json.loads(lines[-1][6:])
    result["wall"] = wall
    if profile:
        result["profile"] = proc.stderr
    return result


def measure(posts: int, rounds: int, console: Console) -> dict[str, list[dict]]:
    from bench.corpus import generate

    results: dict[str, list[dict]] = {"vanilla": [], "ownmedia": []}
    with tempfile.TemporaryDirectory(prefix="ownmedia-bench-") as tmp:
        content = Path(tmp) / "content"
        counts = generate(content, posts)
        console.print(
            f"corpus: {counts['posts']} posts + {counts['translations']} translations, "
            f"{counts['comments']} comments"
        )
        for r in range(rounds):
            for mode in ("vanilla", "ownmedia"):
                out = Path(tmp) / f"out-{mode}-{r}"
                results[mode].append(build_once(content, out, mode))
                console.print(
                    f"  round {r + 1}/{rounds} {mode}: {results[mode][-1]['seconds']:.2f} s"
                )
        if os.environ.get("BENCH_PROFILE") == "1":
            prof = build_once(content, Path(tmp) / "out-profile", "ownmedia", profile=True)
            console.print(prof["profile"], markup=False, highlight=False)
    return results


def run(console: Console, full: bool) -> None:
    posts, rounds = (1000, 3) if full else (100, 1)
    results = measure(posts, rounds, console)
    best = {m: min(r["seconds"] for r in rs) for m, rs in results.items()}
    table = Table(
        title=f"Site build, {posts} posts (best of {rounds})",
        caption="vanilla: Pelican, no plugins, default theme; ownmedia: all plugins, own theme",
    )
    table.add_column("variant")
    table.add_column("build s", justify="right")
    table.add_column("wall s", justify="right")
    table.add_column("CPU s build", justify="right")
    table.add_column("CPU s +workers", justify="right")
    table.add_column("peak RSS MiB (worker)", justify="right")
    table.add_column("x vanilla", justify="right")
    for mode, runs in results.items():
        table.add_row(
            mode,
            f"{best[mode]:.2f}",
            f"{min(r['wall'] for r in runs):.2f}",
            f"{min(r['main_cpu'] for r in runs):.2f}",
            f"{min(r['cpu'] for r in runs):.2f}",
            f"{max(r['rss_kb'] for r in runs) / 1024:.0f}"
            + (f" ({w / 1024:.0f})" if (w := max(r["workers_rss_kb"] for r in runs)) else ""),
            f"{best[mode] / best['vanilla']:.2f}",
        )
    console.print(table)
    ratio = best["ownmedia"] / best["vanilla"]
    cpu = {m: min(r["cpu"] for r in rs) for m, rs in results.items()}
    main = {m: min(r["main_cpu"] for r in rs) for m, rs in results.items()}
    console.print(
        f"CPU ratio: build process {main['ownmedia'] / main['vanilla']:.2f}, "
        f"all processes {cpu['ownmedia'] / cpu['vanilla']:.2f} (the workers run beside the "
        "build process: with a free core, wall time follows the first ratio)"
    )
    verdict = "within" if ratio <= TARGET else "ABOVE"
    scope = "" if full else " (quick size; the target is stated for --full, 1,000 posts)"
    console.print(f"ratio {ratio:.2f}: {verdict} the {TARGET} target{scope}")

"""Build times of the same generated corpus with vanilla Pelican 4.12 (no plugins, default
theme; without and with its content cache) and with ownmedia (all plugins, our theme,
incremental output), side by side in one run, for every row of issue 11's targets table:

    cold build, empty caches, 2 CPUs          target <= 1.0 x vanilla (no cache)
    cold build, 1 CPU (taskset -c 0)          target <= 1.15 x vanilla (no cache), 1 CPU
    rebuild with nothing changed              target <= 0.3 s wall
    edit one post, rebuild                    target <= 0.5 s wall

Each build runs in its own subprocess (a fresh interpreter, as `make html` is); "wall" is the
subprocess's whole life (interpreter start included), "build" the time around the build call
inside it; peak memory is the child's max RSS. Variants alternate round by round so machine
noise hits them alike; the table keeps each variant's best. Quick: 100 posts, 1 round;
--full: 1,000 posts, 3 rounds. The machine is shared (2 cores, other work running): the load
average is printed with the table, and ratios are taken within the run.

Vanilla with its cache (CACHE_CONTENT + LOAD_CONTENT_CACHE) still rewrites every output file:
its cache only skips reading. ownmedia's rebuilds go through ownmedia.site.build_site: not even
Pelican's start when no input changed, else Pelican's run with ownmedia's IncrementalWriter.

BENCH_REBUILD=1 runs only the two rebuild rows (nothing changed, edit one post) on the
1,000-post corpus: one cold ownmedia build, then both cases alternated for 5 rounds, against
their targets (a few minutes instead of --full's twelve); BENCH_BASELINE=<checkout> with it
runs another checkout's ownmedia (the last design) in the same rounds, for side-by-side
ratios. BENCH_ROUNDS=<n> sets the number of rounds (default 5). BENCH_PROFILE=1 with it
profiles one edit rebuild.

BENCH_COLD=1 runs only the two cold rows (2 CPUs, 1 CPU) on the 1,000-post corpus, vanilla
and ownmedia alternated for 3 rounds, without the equivalence check.

BENCH_ROUNDS=<n> sets the rounds of every mode.

BENCH_PROFILE=1 also prints the top functions of one cold ownmedia build (cProfile)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cold2": 1.0, "cold1": 1.15, "nothing": 0.3, "edit": 0.5}

CHILD = r"""
import json, os, resource, sys, time
import ownmedia
if os.environ.get("BENCH_CHECKOUT"):  # that checkout's plugins and theme, beside its package
    ownmedia.__path__.insert(0, os.environ["BENCH_CHECKOUT"])
from ownmedia.site import build_site
content, out, cache, mode, profile = sys.argv[1:6]
if mode.startswith("vanilla"):
    cached = mode == "vanilla-cache"
    overrides = {"PLUGINS": [], "THEME": "notmyidea", "CACHE_CONTENT": cached,
                 "LOAD_CONTENT_CACHE": cached, "CACHE_PATH": cache}
else:
    overrides = {"CACHE_PATH": cache}
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
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print("BENCH " + json.dumps({
    "seconds": seconds, "rss_kb": me.ru_maxrss, "children_rss_kb": kids.ru_maxrss,
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
}))
"""


def build_once(content: Path, out: Path, cache: Path, mode: str, cpus: int | None = None,
               profile: bool = False, root: Path = ROOT) -> dict:
    """One build in a fresh interpreter; returns build seconds, wall, CPU and peak RSS.
    `root`: the checkout whose ownmedia package the build imports (its working directory)."""
    import time

    cmd = [sys.executable, "-c", CHILD, str(content), str(out), str(cache), mode,
           "1" if profile else "0"]
    if cpus is not None:
        cmd = ["taskset", "-c", ",".join(str(c) for c in range(cpus)), *cmd]
    # the quick check's stamps stay beside the run's caches, not in the user's cache dir
    env = {**os.environ, "XDG_CACHE_HOME": str(cache.parent / "xdg")}
    env["BENCH_CHECKOUT"] = str(root)
    # as a user's `ownmedia build`: compiled modules are cached (a sandbox may forbid it,
    # which makes every rebuild compile ownmedia's code again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=1800, env=env)
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    result = json.loads(lines[-1][6:])
    result["wall"] = wall
    if profile:
        result["profile"] = proc.stderr
    return result


def _edit(content: Path, n: int) -> None:
    """What a blogger does between two looks at a post: change a sentence of one post."""
    post = sorted((content / "posts").glob("post-*.md"))[n * 37 % 100]
    post.write_text(post.read_text(encoding="utf-8") + f"\n\nOne more sentence ({n}).\n",
                    encoding="utf-8")


def measure(posts: int, rounds: int, console: Console,
            cold_only: bool = False) -> dict[tuple[str, str], list[dict]]:
    from bench.corpus import generate

    results: dict[tuple[str, str], list[dict]] = {}

    def add(case: str, mode: str, result: dict) -> None:
        results.setdefault((case, mode), []).append(result)

    have_taskset = shutil.which("taskset") is not None
    with tempfile.TemporaryDirectory(prefix="ownmedia-bench-") as tmp:
        tmp = Path(tmp)
        content = tmp / "content"
        counts = generate(content, posts)
        console.print(
            f"corpus: {counts['posts']} posts + {counts['translations']} translations, "
            f"{counts['comments']} comments; load average {os.getloadavg()[0]:.1f}"
        )
        for r in range(rounds):
            modes = ("vanilla", "ownmedia") if cold_only else ("vanilla", "vanilla-cache",
                                                                 "ownmedia")
            for mode in modes if r % 2 == 0 else modes[::-1]:
                out, cache = tmp / f"out-{mode}-{r}", tmp / f"cache-{mode}-{r}"
                add("cold2", mode, build_once(content, out, cache, mode))
                # warm rebuilds, with the cache the cold build made
                if mode != "vanilla" and not cold_only:
                    add("nothing", mode, build_once(content, out, cache, mode))
                    _edit(content, r * 3 + len(mode))
                    add("edit", mode, build_once(content, out, cache, mode))
                shutil.rmtree(out)
                if have_taskset and mode != "vanilla-cache":
                    cache1 = tmp / f"cache1-{mode}-{r}"
                    add("cold1", mode, build_once(content, out, cache1, mode, cpus=1))
                    shutil.rmtree(out)
            console.print(f"  round {r + 1}/{rounds} done; load average "
                          f"{os.getloadavg()[0]:.1f}")
        if os.environ.get("BENCH_PROFILE") == "1":
            prof = build_once(content, tmp / "out-profile", tmp / "cache-profile", "ownmedia",
                              profile=True)
            console.print(prof["profile"], markup=False, highlight=False)
    return results


def _tree_differences(got: Path, want: Path) -> tuple[int, list[str]]:
    a = {p.relative_to(got).as_posix() for p in got.rglob("*") if p.is_file()}
    b = {p.relative_to(want).as_posix() for p in want.rglob("*") if p.is_file()}
    wrong = sorted(a ^ b)
    wrong += [n for n in sorted(a & b) if (got / n).read_bytes() != (want / n).read_bytes()]
    return len(a | b), wrong


def check_equivalence(posts: int, console: Console) -> bool:
    """Random edits, retitles, additions, deletions, approvals and unpublished comments, each
    followed by an incremental build compared file for file with a full build from nothing."""
    from bench.corpus import Changes, generate

    ok = True
    with tempfile.TemporaryDirectory(prefix="ownmedia-bench-eq-") as tmp:
        tmp = Path(tmp)
        content = tmp / "content"
        generate(content, posts, seed=7)
        changes = Changes(content, seed=7)
        inc, inc_cache = tmp / "inc", tmp / "cache-inc"
        build_once(content, inc, inc_cache, "ownmedia")
        for n, kind in enumerate(Changes.KINDS):
            what = changes.apply(kind)
            took = build_once(content, inc, inc_cache, "ownmedia")["seconds"]
            full = tmp / f"full-{n}"
            build_once(content, full, tmp / f"cache-full-{n}", "ownmedia")
            files, wrong = _tree_differences(inc, full)
            ok = ok and not wrong
            console.print(f"  {kind} ({what}): incremental {took:.2f} s, {files} files, "
                          + ("identical to a full build" if not wrong else
                             f"[red]{len(wrong)} differ: {wrong[:5]}[/red]"))
            shutil.rmtree(full)
            shutil.rmtree(tmp / f"cache-full-{n}")
    return ok


CASES = {
    "cold2": "cold build, empty caches, 2 CPUs",
    "cold1": "cold build, empty caches, 1 CPU (taskset)",
    "nothing": "rebuild, nothing changed",
    "edit": "edit one post, rebuild",
}


def measure_rebuilds(posts: int, rounds: int, console: Console) -> None:
    """The nothing-changed and edit rows alone, alternated round by round, against targets;
    with BENCH_BASELINE=<another checkout> (e.g. `git worktree add ../base main`), that
    checkout's ownmedia package (its plugins and theme too) is built alongside, same corpus
    and edits, in the same rounds."""
    from bench.corpus import generate

    variants = {"this": ROOT}
    if os.environ.get("BENCH_BASELINE"):
        variants["baseline"] = Path(os.environ["BENCH_BASELINE"]).resolve()
    results: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="ownmedia-bench-rebuild-") as tmp:
        tmp = Path(tmp)
        counts = generate(tmp / "content", posts)
        dirs = {}
        for name, root in variants.items():
            content = tmp / name / "content"
            shutil.copytree(tmp / "content", content)
            dirs[name] = (content, tmp / name / "out", tmp / name / "cache")
            cold = build_once(*dirs[name], "ownmedia", root=root)
            console.print(f"{name} ({root}): cold build {cold['wall']:.1f} s wall")
        console.print(f"corpus: {counts['posts']} posts, {counts['comments']} comments; "
                      f"load average {os.getloadavg()[0]:.1f}")
        for r in range(rounds):
            for name, root in variants.items():
                results.setdefault(("nothing", name), []).append(
                    build_once(*dirs[name], "ownmedia", root=root))
                _edit(dirs[name][0], r)
                results.setdefault(("edit", name), []).append(
                    build_once(*dirs[name], "ownmedia", root=root))
        if os.environ.get("BENCH_PROFILE") == "1":
            _edit(dirs["this"][0], rounds)
            prof = build_once(*dirs["this"], "ownmedia", profile=True)
            console.print(prof["profile"], markup=False, highlight=False)
    table = Table(title=f"Rebuilds, {posts} posts (best and median of {rounds}, variants "
                        f"alternated; machine shared, load {os.getloadavg()[0]:.1f})",
                  caption="wall: the build subprocess's whole life (interpreter start "
                          "included); build: build_site alone; cpu: user+sys; x: wall best "
                          "over the baseline's")
    for col in ("case", "variant", "wall best s", "wall median s", "build best s",
                "cpu best s", "cpu median s", "peak MiB", "x baseline", "target", "verdict"):
        table.add_column(col, justify="left" if col in ("case", "variant", "target", "verdict")
                         else "right")
    for case in ("nothing", "edit"):
        for name in variants:
            rs = results[(case, name)]
            walls = sorted(r["wall"] for r in rs)
            cpus = sorted(r["cpu"] for r in rs)
            best = walls[0]
            base = results.get((case, "baseline"))
            ratio = f"{best / min(r['wall'] for r in base):.2f}" if base else "-"
            table.add_row(CASES[case], name, f"{best:.2f}", f"{walls[len(walls) // 2]:.2f}",
                          f"{min(r['seconds'] for r in rs):.2f}",
                          f"{cpus[0]:.2f}", f"{cpus[len(cpus) // 2]:.2f}",
                          f"{max(r['rss_kb'] for r in rs) / 1024:.0f}", ratio,
                          f"<= {TARGETS[case]} s wall",
                          "ok" if best <= TARGETS[case] else "ABOVE")
    console.print(table)


def rounds_from_env(default: int) -> int:
    """BENCH_ROUNDS when set (a positive integer), else `default`."""
    value = os.environ.get("BENCH_ROUNDS", "").strip()
    if not value:
        return default
    rounds = int(value)
    if rounds < 1:
        raise ValueError(f"BENCH_ROUNDS must be at least 1, not {value}")
    return rounds


def run(console: Console, full: bool) -> None:
    if os.environ.get("BENCH_REBUILD") == "1":
        measure_rebuilds(1000, rounds_from_env(5), console)
        return
    cold_only = os.environ.get("BENCH_COLD") == "1"
    posts, rounds = (1000, rounds_from_env(3)) if full or cold_only else (100, rounds_from_env(1))
    results = measure(posts, rounds, console, cold_only)
    best = {k: min(r["seconds"] for r in rs) for k, rs in results.items()}
    wall = {k: min(r["wall"] for r in rs) for k, rs in results.items()}
    rss = {k: max(r["rss_kb"] for r in rs) / 1024 for k, rs in results.items()}
    cpu = {k: min(r["cpu"] for r in rs) for k, rs in results.items()}
    table = Table(
        title=f"Site build, {posts} posts (best of {rounds}; machine shared, load "
              f"{os.getloadavg()[0]:.1f})",
        caption="vanilla: Pelican 4.12, no plugins, notmyidea; +cache: CACHE_CONTENT and "
                "LOAD_CONTENT_CACHE; ownmedia: all plugins, own theme, incremental. "
                "wall includes the interpreter's start; cpu: user+sys of the build "
                "process and its workers (best of the rounds), steadier than wall under "
                "load.",
    )
    for col in ("case", "vanilla s", "vanilla+cache s", "ownmedia s", "ownmedia wall s",
                "x vanilla", "cpu s v / o (x)", "peak MiB v / v+c / o", "target", "verdict"):
        table.add_column(col, justify="left" if col in ("case", "verdict", "target") else "right")
    for case, label in CASES.items():
        v, vc, o = (best.get((case, m)) for m in ("vanilla", "vanilla-cache", "ownmedia"))
        if o is None:
            continue
        base = v if v is not None else vc
        ratio = o / base if base else float("nan")
        if case in ("cold2", "cold1"):
            target, ok = f"<= {TARGETS[case]} x vanilla", ratio <= TARGETS[case]
        else:
            target, ok = f"<= {TARGETS[case]} s wall", wall[(case, "ownmedia")] <= TARGETS[case]
        mem = " / ".join(f"{rss[(case, m)]:.0f}" if (case, m) in rss else "-"
                         for m in ("vanilla", "vanilla-cache", "ownmedia"))
        cpu_v, cpu_o = cpu.get((case, "vanilla")), cpu[(case, "ownmedia")]
        cpus = (f"{cpu_v:.2f} / {cpu_o:.2f} ({cpu_o / cpu_v:.2f}x)" if cpu_v
                else f"- / {cpu_o:.2f}")
        table.add_row(label, f"{v:.2f}" if v is not None else "-",
                      f"{vc:.2f}" if vc is not None else "-", f"{o:.2f}",
                      f"{wall[(case, 'ownmedia')]:.2f}", f"{ratio:.2f}", cpus, mem, target,
                      "ok" if ok else "ABOVE")
    console.print(table)
    if cold_only:
        return
    if not full:
        console.print("(quick size; the targets are stated for --full, 1,000 posts)")
    console.print(f"Incremental = full, {posts} posts, one change of each kind:")
    same = check_equivalence(posts, console)
    console.print("incremental output byte-identical to full builds: "
                  + ("yes" if same else "[red]NO[/red]"))

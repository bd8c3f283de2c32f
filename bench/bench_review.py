"""The whole analytics review over a generated event store (six months, 1,000 posts).

Quick: 100,000 events. --full: 1,000,000 events, and 10,000,000 when OWNMEDIA_BENCH_10M=1
(generation alone takes several minutes, so it is opt-in). The issue's targets are printed
beside the measures with their ratio (measure / target, <= 1 meets it): at 1,000,000 events the
warm review <= 1 s and the cold first review (rollups built from scratch) <= 3 s; at 10,000,000
the warm review <= 1.5 s. The Stats API is read-your-writes: every query first brings the
rollups up to the events' highest id, so the warm review includes that (empty) check.

Rows: generation, first review (also builds the rollups, a one-off after a bulk import: a live
site refreshes only the days that got new events), the review with rollups (best of 3), the same
with the funnel steps read from the events instead of their per-day store (runs alternated with
the previous row's), the refresh of one day, the build alone (the cold review's share that is not
queries), the same review reading the events only (quick size only: it is the slow path the
rollups replace), and the database size per million events.

OWNMEDIA_BENCH_QUERIES=1 also lists the costliest queries of the first review and of a warm
one (wall time, and CPU of the thread that answered: the build's reading thread is not in it),
to tell which queries a change should aim at."""

from __future__ import annotations

import asyncio
import calendar
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ownmedia.config import load_config
from ownmedia.review.client import StatsClient, embedded_client
from ownmedia.review.model import Period, build_report
from ownmedia.review.simulate import SimSpec, simulate


async def _review(client: StatsClient, spec: SimSpec, site: Path) -> tuple[float, float]:
    t, cpu = time.perf_counter(), time.process_time()
    await build_report(client, spec.domain, Period(spec.start, spec.end), site_dir=site)
    return time.perf_counter() - t, time.process_time() - cpu


# one query of a review: (wall s, CPU s of the thread that answered it, request body)
Timed = tuple[float, float, dict]
COSTLIEST = 10  # queries listed per review with OWNMEDIA_BENCH_QUERIES=1


def _time_queries(store: object, into: list[Timed]) -> None:
    """Record each query the store answers (the Stats API calls store.query per request)."""
    answer = store.query

    def timed(body: dict) -> dict:
        t, cpu = time.perf_counter(), time.thread_time()
        try:
            return answer(body)
        finally:
            into.append((time.perf_counter() - t, time.thread_time() - cpu, body))

    store.query = timed


def _run_review(
    data: Path,
    spec: SimSpec,
    *,
    rollups: bool = True,
    stored_steps: bool = True,
    queries: list[Timed] | None = None,
) -> tuple[float, float]:
    # the generated site has no Pelican settings (the repo's would add its CTA goals)
    config = load_config(
        None,
        server={"data": str(data), "site": str(data / "site")},
        comments={"pelican_settings": str(data / "site" / "no-settings.py")},
    )

    async def go() -> tuple[float, float]:
        client = embedded_client(config)
        store = client._http._transport.app.state.ctx.state["stats"]
        if not rollups:
            store.rollups = False
        if not stored_steps:  # funnel steps read from the events, as before visit_steps
            store.backend.step_rows = None
        if queries is not None:
            _time_queries(store, queries)
        async with client:
            return await _review(client, spec, data / "site")

    return asyncio.run(go())


# events -> (cold first review, warm review) targets in seconds, from the issue
TARGETS = {1_000_000: (3.0, 1.0), 10_000_000: (None, 1.5)}


def _against(seconds: float, target: float | None) -> tuple[str, str]:
    """(target, ratio) cells: the ratio is measure / target, ✓ when it meets it."""
    if target is None:
        return "–", "–"
    ratio = seconds / target
    return f"≤ {target:g} s", f"{ratio:.2f} {'✓' if ratio <= 1 else '✗'}"


def _fmt(times: tuple[float, float]) -> str:
    return f"{times[0]:.2f} s (CPU {times[1]:.2f} s)"


def _refresh_day(data: Path, spec: SimSpec) -> str:
    """Time the lazy refresh a live site pays: the last day's events arriving after a refresh."""
    from ownmedia.storage.sqlite import connect
    from ownmedia.storage.sqlite.rollups import attach, refresh
    from ownmedia.storage.sqlite.stats import prepare

    conn = prepare(connect(data / "events.sqlite3"))
    try:
        attach(conn, data)
        last = calendar.timegm(spec.end.timetuple())  # the last day, 00:00 UTC
        first_id, n = conn.execute(
            "SELECT MIN(id), COUNT(*) FROM events WHERE ts >= ?", (last,)
        ).fetchone()
        conn.execute("UPDATE st.r_state SET watermark = ?", (first_id - 1,))
        t = time.perf_counter()
        refresh(conn)
        return f"{time.perf_counter() - t:.2f} s ({n:,} events)"
    finally:
        conn.close()


def _build_alone(data: Path) -> str:
    """Time the rollups built from scratch with no review around them (the cold review's
    share that is the build): the stats file is deleted first."""
    from ownmedia.storage.sqlite import connect
    from ownmedia.storage.sqlite.rollups import attach, refresh
    from ownmedia.storage.sqlite.stats import prepare

    for f in data.glob("stats.sqlite3*"):
        f.unlink()
    conn = prepare(connect(data / "events.sqlite3"))
    try:
        attach(conn, data)
        t, cpu = time.perf_counter(), time.process_time()
        refresh(conn)
        return _fmt((time.perf_counter() - t, time.process_time() - cpu))
    finally:
        conn.close()


def _costliest(console: Console, label: str, review: str, queries: list[Timed]) -> None:
    """The review's COSTLIEST queries by wall time, with their share of all its queries."""
    total = sum(q[0] for q in queries) or 1.0
    table = Table(
        title=f"{label}: costliest queries of the {review} ({len(queries)} queries, "
        f"{total:.2f} s in all)"
    )
    for name in ("wall", "CPU (its thread)", "share", "query"):
        table.add_column(name, justify="left" if name == "query" else "right")
    for wall, cpu, body in sorted(queries, key=lambda q: -q[0])[:COSTLIEST]:
        asked = {k: v for k, v in body.items() if k not in ("site_id", "date_range")}
        table.add_row(
            f"{wall:.3f} s",
            f"{cpu:.3f} s",
            f"{wall / total:.0%}",
            json.dumps(asked, ensure_ascii=False)[:160],
        )
    console.print(table)


def _one(
    console: Console, table: Table, events: int, *, raw: bool, summary: Table | None = None
) -> None:
    spec = SimSpec(seed=42, events=events, posts=1000, days=182)
    tmp = Path(tempfile.mkdtemp(prefix="bench-review-"))
    try:
        data = tmp / "data"
        t = time.perf_counter()
        truth = simulate(data, spec)
        gen = time.perf_counter() - t
        label = f"{truth.events:,} events"
        table.add_row(label, "generate (seeded, with ground truth)", f"{gen:.1f} s")
        cold_target, warm_target = TARGETS.get(events, (None, None))
        listing = os.environ.get("OWNMEDIA_BENCH_QUERIES") == "1"
        cold_q: list[Timed] = []
        warm_q: list[Timed] = []
        first = _run_review(data, spec, queries=cold_q if listing else None)
        table.add_row(
            label,
            "first review (builds the rollups)",
            _fmt(first),
            *_against(first[0], cold_target),
        )
        runs = [
            (
                _run_review(data, spec, queries=warm_q if listing and i == 2 else None),
                _run_review(data, spec, stored_steps=False),
            )
            for i in range(3)
        ]  # alternated: the load changes alike for both
        if listing:
            _costliest(console, label, "first review", cold_q)
            _costliest(console, label, "warm review (its third run)", warm_q)
        best = min(r[0] for r in runs)
        unstored = min(r[1] for r in runs)
        table.add_row(
            label,
            "review, rollups up to date (best of 3)",
            _fmt(best),
            *_against(best[0], warm_target),
        )
        table.add_row(
            label,
            "same, funnel steps read from the events (best of 3, alternated)",
            _fmt(unstored),
            "–",
            f"stored steps ×{unstored[0] / best[0]:.2f} faster",
        )
        if summary is not None:
            summary.add_row(
                label,
                _fmt(first),
                *_against(first[0], cold_target),
                _fmt(best),
                *_against(best[0], warm_target),
            )
        table.add_row(label, "rollup refresh after a day of new events", _refresh_day(data, spec))
        table.add_row(label, "rollups built from scratch, alone", _build_alone(data))
        if raw:
            slow = _run_review(data, spec, rollups=False)
            table.add_row(label, "review reading the events only", _fmt(slow))
        ev = (data / "events.sqlite3").stat().st_size
        st = (data / "stats.sqlite3").stat().st_size
        per_m = 1_000_000 / truth.events
        table.add_row(label, "events.sqlite3 per million events", f"{ev * per_m / 2**20:.0f} MiB")
        table.add_row(
            label, "stats.sqlite3 (rollups) per million events", f"{st * per_m / 2**20:.0f} MiB"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(console: Console, full: bool = False) -> None:
    table = Table(title="ownmedia review (Stats API v2 over SQLite, in-process)")
    table.add_column("store")
    table.add_column("measure")
    table.add_column("result", justify="right")
    table.add_column("target", justify="right")
    table.add_column("ratio", justify="right")
    # the targets, cold and warm side by side
    summary = Table(title="ownmedia review: cold first review and warm review against targets")
    for name in ("store", "cold first review", "target", "ratio", "warm review", "target", "ratio"):
        summary.add_column(name, justify="left" if name == "store" else "right")
    sizes = [1_000_000] if full else [100_000]
    if full and os.environ.get("OWNMEDIA_BENCH_10M") == "1":
        sizes.append(10_000_000)
    for events in sizes:
        _one(console, table, events, raw=events <= 100_000, summary=summary)
    if full and os.environ.get("OWNMEDIA_BENCH_10M") != "1":
        table.add_row(
            "10,000,000 events",
            "skipped: set OWNMEDIA_BENCH_10M=1 (long)",
            "–",
            "≤ 1.5 s warm",
            "–",
        )
        summary.add_row(
            "10,000,000 events",
            "skipped",
            "–",
            "–",
            "skipped: OWNMEDIA_BENCH_10M=1",
            "≤ 1.5 s",
            "–",
        )
    console.print(table)
    console.print(summary)

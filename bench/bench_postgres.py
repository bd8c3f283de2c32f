"""PostgreSQL as the shared store (issue 12), side by side with SQLite in the same run.

Rows:
- POST /api/event, group commit, 128 connections (wrk): `ownmedia serve` on the SQLite files,
  then on PostgreSQL (target: >= 0.5x the SQLite rate); the three ingest cases alternated
  for 3 rounds, best round of each;
- two `ownmedia serve` processes on one PostgreSQL database, one wrk each at the same time
  (target: >= 1.5x one instance's rate, 0 lost, every 202 stored once: each request carries a
  unique id in its props, counted in the database afterwards);
- the whole review over N generated events in PostgreSQL: first, then warm (best of 3; target
  at 1,000,000 events with --full: <= 2 s), alternated with the warm review that reads the
  funnel steps from the events instead of their per-day store;
- Stats API queries over those events, the pooled reader (a connection borrowed per statement)
  against one connection kept per thread (the former reader), alternated round by round.

    python -m bench postgres          quick: 3 s rounds, review over 100,000 events
    python -m bench postgres --full   10 s rounds, review over 1,000,000 events
    BENCH_INGEST=1 python -m bench postgres    the ingest tables only

Each ingest case's best round also gives its CPU per accepted event (the services, their event
loops, the PostgreSQL server with its backends, wrk), read from /proc, and the rate the
machine's cores could take at that cost: on a shared machine the rate is a lower bound, the
ceiling is not.

On a shared machine every number is a lower bound; the ratios are what to read.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from bench.bench_collector import WRK_SCRIPT, _free_port, _start, _stop
from bench.cpu_accounting import CpuShare, children_cpu, main_thread_cpu, tree_cpu

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 128
INGEST_ROUNDS = 3

# each event carries a unique id (wrk's tag + request number) so duplicates can be counted
UNIQUE_SCRIPT = WRK_SCRIPT.replace(
    "function request()\n  n = n + 1",
    'local tag = os.getenv("BENCH_TAG") or "x"\nfunction request()\n  n = n + 1',
).replace(
    '"p":{"cta":"newsletter","position":"footer"}}\', page)',
    '"p":{"cta":"newsletter","id":"%s%d"}}\', page, tag, n)',
).replace(
    '"d":"localhost","r":"%s"}\',\n                         page, utms[(n % #utms) + 1], '
    'refs[(v % #refs) + 1])',
    '"d":"localhost","r":"%s","p":{"id":"%s%d"}}\',\n                         page, '
    'utms[(n % #utms) + 1], refs[(v % #refs) + 1], tag, n)',
)


def _wrk(port: int, script: Path, seconds: int, connections: int, tag: str
         ) -> subprocess.Popen:
    return subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
         f"http://127.0.0.1:{port}/api/event"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "BENCH_TAG": tag})


def _accepted(proc: subprocess.Popen) -> int:
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"wrk failed: {out}{err}")
    for line in out.splitlines():
        if line.startswith("ACCEPTED "):
            return int(line.split()[1])
    raise RuntimeError(f"no ACCEPTED line in wrk's output: {out}")


def _serve(tmp: Path, name: str, storage_url: str) -> tuple[subprocess.Popen, int]:
    config = tmp / f"{name}.toml"
    config.write_text('[server]\ntrusted_proxies = ["127.0.0.1"]\naccess_log = false\n'
                      '[analytics]\ncommit_mode = "group"\n'
                      + (f'[storage]\nurl = "{storage_url}"\n' if storage_url else ""))
    site = tmp / "site"
    site.mkdir(exist_ok=True)
    port = _free_port()
    proc = _start([sys.executable, "-m", "ownmedia.cli", "serve", "--port", str(port),
                   "--data", str(tmp / f"data-{name}"), "--site", str(site),
                   "--config", str(config)])
    return proc, port


def _counts_sqlite(db: Path) -> tuple[int, int]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        rows, ids = conn.execute("SELECT count(*), count(DISTINCT json_extract(props, '$.id'))"
                                 " FROM events").fetchone()
        dropped = conn.execute("SELECT coalesce(sum(count), 0) FROM dropped").fetchone()[0]
    finally:
        conn.close()
    return rows + dropped, rows - ids


def _counts_pg(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        rows, ids = conn.execute("SELECT count(*), count(DISTINCT props->>'id') FROM events"
                                 ).fetchone()
        dropped = conn.execute("SELECT coalesce(sum(count), 0) FROM dropped").fetchone()[0]
    return rows + dropped, rows - ids


def _ingest_case(tmp: Path, script: Path, seconds: int, pg, case: int, tag: str) -> tuple:
    """(events/s, 202s, stored, duplicates) of one round of one case: 0 SQLite, 1 one
    PostgreSQL instance, 2 two instances on one PostgreSQL database."""
    url = pg.create_database(f"bench_{case}_{tag}") if case else ""
    procs = ([_serve(tmp, f"sqlite{tag}", "")] if not case
             else [_serve(tmp, f"pg{case}{n}{tag}", url) for n in "ab"[:case]])

    def counts() -> tuple[int, int]:
        if not case:
            return _counts_sqlite(tmp / f"data-sqlite{tag}" / "events.sqlite3")
        return _counts_pg(url)

    connections = CONNECTIONS // len(procs)
    db_pid = pg.postmaster_pid() if case else None
    try:
        for n, (_, port) in enumerate(procs):
            _accepted(_wrk(port, script, 1, connections, f"w{n}"))  # warm-up
        warm, _ = counts()
        waits = WaitSampler(url) if case else contextlib.nullcontext()
        with waits:
            before = _cpu_parts(procs, db_pid)
            started = time.perf_counter()
            runs = [_wrk(port, script, seconds, connections, f"{tag}r{n}")
                    for n, (_, port) in enumerate(procs)]
            got = sum(_accepted(r) for r in runs)
            elapsed = time.perf_counter() - started
            after = _cpu_parts(procs, db_pid)
    finally:
        for proc, _ in procs:
            _stop(proc)
    stored, dupes = counts()
    loop = after.pop("loop") - before.pop("loop")
    share = CpuShare(got, elapsed, {k: after[k] - before[k] for k in after}, loop)
    return (got / seconds, got, stored - warm, dupes, share,
            (waits.samples, waits.ticks) if case else (Counter(), 0))


class WaitSampler:
    """What the benched database's active backends are doing, sampled from pg_stat_activity
    every 10 ms while a case runs: running (CPU), or waiting and on what (a lock, WAL, the
    client)."""

    def __init__(self, url: str):
        self.url, self.samples, self.ticks = url, Counter(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.01):
                self.ticks += 1
                for kind, event in conn.execute(
                        "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE"
                        " datname = current_database() AND state = 'active'"
                        " AND pid <> pg_backend_pid()"):
                    self.samples[f"{kind}:{event}" if kind else "running"] += 1


def _cpu_parts(procs: list[tuple[subprocess.Popen, int]], db_pid: int | None
               ) -> dict[str, float]:
    """CPU seconds so far of the services (and their event loops), the PostgreSQL server with
    its backends, and the wrk runs already waited for."""
    pids = [proc.pid for proc, _ in procs]
    return {"service": sum(tree_cpu(pid) for pid in pids),
            "loop": sum(main_thread_cpu(pid) for pid in pids),
            "db": tree_cpu(db_pid) if db_pid else 0.0,
            "wrk": children_cpu()}


INGEST_CASES = ("SQLite, group commit", "PostgreSQL, group commit, 1 instance",
                "PostgreSQL, 2 instances, one database")


def _ingest(tmp: Path, seconds: int, pg, rounds: int
            ) -> tuple[list[tuple], list[CpuShare], list[tuple[Counter, int]]]:
    """(name, events/s, 202s, stored, duplicates) for SQLite, PostgreSQL, two PostgreSQL: the
    cases alternated round by round, each its best round's rate; 202s, stored and duplicates
    summed over every round (none may be lost or stored twice in any); and the CPU shares and
    the database's wait samples of each case's best round."""
    script = tmp / "unique.lua"
    script.write_text(UNIQUE_SCRIPT)
    best = [0.0] * len(INGEST_CASES)
    shares: list[CpuShare | None] = [None] * len(INGEST_CASES)
    waited: list[tuple[Counter, int]] = [(Counter(), 0) for _ in INGEST_CASES]
    totals = [[0, 0, 0] for _ in INGEST_CASES]
    for r in range(rounds):
        for case in range(len(INGEST_CASES)):
            rate, got, stored, dupes, share, waits = _ingest_case(tmp, script, seconds, pg,
                                                                  case, f"{r}")
            if rate >= best[case]:
                best[case], shares[case], waited[case] = rate, share, waits
            for i, n in enumerate((got, stored, dupes)):
                totals[case][i] += n
    rows = [(name, best[c], *totals[c]) for c, name in enumerate(INGEST_CASES)]
    return rows, [s for s in shares if s is not None], waited


WARM_ROUNDS = 3


def _review(tmp: Path, events: int, pg) -> tuple[float, tuple, tuple, tuple]:
    """(generation s, first review, warm review, warm review with the funnel steps read from
    the events) over `events` in PostgreSQL; each review (wall s, CPU s of this process)."""
    from ownmedia.config import load_config
    from ownmedia.review.client import embedded_client
    from ownmedia.review.model import Period, build_report
    from ownmedia.review.simulate import SimSpec, simulate
    from ownmedia.storage.postgres.events import PostgresEventSink

    url = pg.create_database("bench_review")
    spec = SimSpec(seed=3, events=events)
    data = tmp / "review-data"
    started = time.perf_counter()
    sink = PostgresEventSink(url, durable=False)
    try:
        simulate(data, spec, sink=sink)
    finally:
        sink.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE events")
        conn.execute("VACUUM ANALYZE sessions")
    generated = time.perf_counter() - started
    config = load_config(None, server={"data": str(data), "site": str(data / "site")},
                         comments={"pelican_settings": str(data / "site" / "none.py")},
                         storage={"url": url})

    async def once(stored_steps: bool = True) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        client = embedded_client(config)
        if not stored_steps:  # funnel steps read from the events, as before their store
            client._http._transport.app.state.ctx.state["stats"].backend.step_rows = None
        async with client:
            await build_report(client, spec.domain, Period(spec.start, spec.end),
                               site_dir=data / "site")
        return time.perf_counter() - t0, time.process_time() - c0

    first = asyncio.run(once())
    best = {True: (float("inf"), 0.0), False: (float("inf"), 0.0)}
    for _ in range(WARM_ROUNDS):  # the two variants alternated, best of each
        for stored in (True, False):
            best[stored] = min(best[stored], asyncio.run(once(stored)))
    return generated, first, best[True], best[False]


READER_QUERIES = [
    {"metrics": ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"]},
    {"metrics": ["visitors", "pageviews"], "dimensions": ["event:page"]},
    {"metrics": ["visitors"], "dimensions": ["visit:source"]},
    {"metrics": ["visitors"], "dimensions": ["time:day"]},
    {"metrics": ["events"], "filters": [["has_not_done", ["is", "event:name", ["nothing"]]]]},
]


def _reader_cost(url: str, domain: str, rounds: int = 15) -> tuple[float, float, int]:
    """(pooled s, per-thread connection s, statements) for READER_QUERIES, best of `rounds`,
    the two variants alternated."""
    import threading

    from ownmedia.stats.store import StatsStore
    from ownmedia.storage.postgres.stats import PostgresStatsBackend

    class PerThread(PostgresStatsBackend):
        """The baseline: a connection of its own per thread, kept open."""

        def __init__(self, url: str):
            super().__init__(url)
            self.local, self.own = threading.local(), []

        def reader(self, *, rollups: bool = False):
            pinned = getattr(self.local, "reader", None)
            if pinned is None:
                conn = psycopg.connect(self.url, autocommit=True)
                self.own.append(conn)
                pinned = self.local.reader = super().reader().pinned(conn)
            return pinned

    bodies = [{"site_id": domain, "date_range": "all", **q} for q in READER_QUERIES]
    stores = {"pooled": StatsStore(".", None, backend=PostgresStatsBackend(url)),
              "per thread": StatsStore(".", None, backend=PerThread(url))}
    best = {name: float("inf") for name in stores}
    answers: dict[str, list] = {}
    for _ in range(rounds):
        for name, store in stores.items():
            t0 = time.perf_counter()
            answers[name] = [store.query(dict(b))["results"] for b in bodies]
            best[name] = min(best[name], time.perf_counter() - t0)
    assert answers["pooled"] == answers["per thread"], "the readers disagree"
    for store in stores.values():
        store.close()
    for conn in stores["per thread"].backend.own:
        conn.close()
    return best["pooled"], best["per thread"], len(bodies)


def _times(times: tuple[float, float]) -> str:
    return f"{times[0]:.2f} (CPU {times[1]:.2f})"


def _print_cpu(console: Console, shares: list[CpuShare], one_rate: float) -> None:
    """Where each accepted event's CPU goes, and what the machine's cores allow at that cost:
    a rate that is a lower bound on a shared machine becomes a ceiling that is not."""
    cores = os.cpu_count() or 1
    table = Table(title="CPU per accepted event (microseconds), the best round of each case; "
                        f"cores busy = CPU seconds / wall seconds ({cores} cores)")
    for col in ("case", "event loop", "service", "database", "wrk", "total", "cores busy",
                "ceiling events/s"):
        table.add_column(col, justify="left" if col == "case" else "right")
    for name, share in zip(INGEST_CASES, shares, strict=True):
        table.add_row(name, f"{share.per_event_us('loop'):.0f}",
                      f"{share.per_event_us('service'):.0f}",
                      f"{share.per_event_us('db'):.0f}", f"{share.per_event_us('wrk'):.0f}",
                      f"{share.per_event_us():.0f}", f"{share.machine_use:.2f}",
                      f"{share.ceiling(cores):,.0f}")
    console.print(table)
    two = shares[2]
    needed = cores / (1.5 * one_rate) * 1e6
    no_db = cores / ((two.total - two.parts["db"]) / two.events)
    console.print(
        f"two instances at their measured cost: at most {two.ceiling(cores):,.0f} events/s "
        f"on {cores} cores = {two.ceiling(cores) / one_rate:.2f}x one instance's "
        f"{one_rate:,.0f}; 1.5x needs <= {needed:.0f} us of CPU per event in all (measured "
        f"{two.per_event_us():.0f}); with no database cost at all: {no_db / one_rate:.2f}x")


def _print_waits(console: Console, waited: list[tuple[Counter, int]]) -> None:
    table = Table(title="the database's active backends, sampled every 10 ms during each case's "
                        "best round: share of samples running or waiting (top 6)")
    table.add_column("case")
    table.add_column("backends active (mean)", justify="right")
    table.add_column("running or waiting on")
    for name, (samples, ticks) in zip(INGEST_CASES[1:], waited[1:], strict=True):
        total = sum(samples.values()) or 1
        top = ", ".join(f"{what} {n / total:.0%}" for what, n in samples.most_common(6))
        table.add_row(name, f"{total / max(ticks, 1):.1f}", top)
    console.print(table)


def run(console: Console, full: bool = False) -> None:
    if shutil.which("wrk") is None:
        console.print("[red]wrk is not installed (apt-get install wrk): postgres bench skipped")
        return
    sys.path.insert(0, str(ROOT))
    from tests.pgserver import PostgresServer

    seconds = 10 if full else 3
    review_events = 1_000_000 if full else 100_000
    ingest_only = os.environ.get("BENCH_INGEST") == "1"
    pg = PostgresServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="ownmedia-bench-pg-") as tmp:
            ingest, shares, waited = _ingest(Path(tmp), seconds, pg, INGEST_ROUNDS)
            if not ingest_only:
                generated, first, warm, unstored = _review(Path(tmp), review_events, pg)
                pooled, per_thread, n_queries = _reader_cost(
                    pg.url.rsplit("/", 1)[0] + "/bench_review", "127.0.0.1")
    finally:
        pg.destroy()
    sqlite_rate, one_rate = ingest[0][1] or 1.0, ingest[1][1] or 1.0
    table = Table(title=f"PostgreSQL vs SQLite: POST /api/event, wrk, {CONNECTIONS} connections "
                        f"in all, {seconds} s, best of {INGEST_ROUNDS} alternated rounds "
                        f"(cores: {os.cpu_count()}, shared machine); 202s, stored, lost, "
                        "dupes: all rounds")
    for col in ("case", "events/s", "ratio", "target", "202s", "stored", "lost", "dupes"):
        table.add_column(col, justify="left" if col == "case" else "right")
    targets = ["1.00 (reference)", ">= 0.5x SQLite", ">= 1.5x one instance"]
    ratios = [1.0, one_rate / sqlite_rate, ingest[2][1] / one_rate]
    for (name, rate, got, stored, dupes), ratio, target in zip(ingest, ratios, targets,
                                                                strict=True):
        table.add_row(name, f"{rate:,.0f}", f"{ratio:.2f}", target, f"{got:,}", f"{stored:,}",
                      str(max(0, got - stored)), str(dupes))
    console.print(table)
    _print_cpu(console, shares, one_rate)
    _print_waits(console, waited)
    if ingest_only:
        console.print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    review = Table(title=f"whole review over {review_events:,} events in PostgreSQL")
    for col in ("step", "seconds", "target"):
        review.add_column(col, justify="left" if col == "step" else "right")
    review.add_row("generation (simulator, COPY bulk insert)", f"{generated:.1f}", "")
    review.add_row("first review (builds the rollups)", _times(first), "")
    review.add_row(f"warm review, best of {WARM_ROUNDS}", _times(warm),
                   "<= 2 s at 1,000,000" if full else "(--full: 1,000,000 events)")
    review.add_row("warm review, funnel steps read from the events (alternated with the "
                   "previous row)", _times(unstored), "")
    console.print(review)
    readers = Table(title=f"{n_queries} Stats API queries over {review_events:,} events, best of"
                          " 15 rounds, variants alternated (load: see os.getloadavg below)")
    for col in ("reader", "seconds", "ratio"):
        readers.add_column(col, justify="left" if col == "reader" else "right")
    readers.add_row("one connection per thread (former)", f"{per_thread:.3f}", "1.00")
    readers.add_row("pooled, borrowed per statement", f"{pooled:.3f}",
                    f"{pooled / per_thread:.2f}")
    console.print(readers)
    console.print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    console.print("stored = events rows + bots counted as dropped; lost = 202s not stored; "
                  "dupes = rows stored twice (same unique id).")

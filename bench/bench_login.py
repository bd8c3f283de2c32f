"""Does a burst of admin logins slow everyone else down? `GET /api/health` latency on a running
`ownmedia serve`, idle and while 40 (--full: 200) logins with the right password hash their
scrypt (N=2^14, r=8: ~50 ms of CPU each). The hashes run in worker threads, one fewer than
the CPUs and at most 2 (ownmedia.admin.auth.PasswordChecker); on the event loop, as before
issue 10, one health probe waited 1.8 s behind 40 of them.

Measured on the 2-CPU development machine (shared with other jobs), 40 logins: idle p50
0.92 ms, p99 1.4 ms; during the burst p50 1.9 ms (2.1x), p99 8.6 ms, max 78 ms; 40 logins
accepted, 15.6 per second.

Printed: health probes answered, their p50 / p99 / max, the ratio of p50 to the idle p50, and
the logins' own throughput; side by side in the same run."""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.serve_process import ServeProcess

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench admin password"


class _Service(ServeProcess):
    def __init__(self, tmp: Path):
        from ownmedia.admin.auth import set_password

        config = tmp / "ownmedia.toml"
        config.write_text(f"[server]\ndata = {str(tmp / 'data')!r}\n"
                          f"site = {str(tmp / 'site')!r}\naccess_log = false\n"
                          "[comments]\nlive_publish = false\n", encoding="utf-8")
        set_password(tmp / "data", PASSWORD)
        super().__init__(config, ready="Uvicorn running on")


async def _probe(client, until) -> list[float]:
    """Health latencies, back to back, until `until()` is true."""
    times = []
    while not until():
        start = time.perf_counter()
        await client.get("/api/health")
        times.append(time.perf_counter() - start)
    return times


async def _measure(url: str, logins: int, idle_probes: int) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=logins + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        page = await client.get("/admin/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        client.cookies.set("om_login", page.cookies["om_login"])
        # open the connections first, so that neither run measures TCP set-ups
        await asyncio.gather(*[client.get("/api/health") for _ in range(logins)])
        count = iter(range(idle_probes))
        idle = await _probe(client, lambda: next(count, None) is None)

        async def one() -> int:
            r = await client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD})
            return r.status_code

        start = time.perf_counter()
        tasks = [asyncio.create_task(one()) for _ in range(logins)]
        await asyncio.sleep(0)  # the logins are sent first
        busy = await _probe(client, lambda: all(t.done() for t in tasks))
        codes = await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {"idle": idle, "busy": busy, "elapsed": elapsed,
            "ok": codes.count(303), "busy_503": codes.count(503)}


def _row(table: Table, name: str, times: list[float], idle_p50: float, extra: str) -> None:
    ms = sorted(t * 1000 for t in times)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    table.add_row(name, str(len(ms)), f"{p50:.2f}", f"{p99:.2f}", f"{ms[-1]:.2f}",
                  f"{p50 / idle_p50:.1f}x", extra)


def run(console: Console, full: bool = False) -> dict:
    logins = 200 if full else 40
    with tempfile.TemporaryDirectory(prefix="ownmedia-bench-login-") as tmp:
        service = _Service(Path(tmp))
        try:
            result = asyncio.run(_measure(service.url, logins, idle_probes=200))
        finally:
            service.stop()
    table = Table(title=f"GET /api/health during {logins} concurrent admin logins "
                        f"({os.cpu_count()} CPUs)")
    for col in ("health probes", "answered", "p50 ms", "p99 ms", "max ms", "p50 / idle",
                "logins"):
        table.add_column(col, justify="right" if col != "health probes" else "left")
    idle_p50 = statistics.median(result["idle"]) * 1000
    _row(table, "idle", result["idle"], idle_p50, "-")
    _row(table, f"{logins} logins hashing", result["busy"], idle_p50,
         f"{result['ok']} ok, {result['busy_503']} x 503, "
         f"{result['ok'] / result['elapsed']:.1f}/s")
    console.print(table)
    return result


if __name__ == "__main__":
    run(Console(width=160), full="--full" in sys.argv)

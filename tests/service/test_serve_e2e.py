"""`ownmedia serve` as a real process: kill -9 under load loses no answered event, SIGTERM
finishes in-flight writes, the site and health check are served on the same port."""

import asyncio
import os
import signal
import sqlite3

import httpx

from tests.service.eventapp import CHROME

TOTAL = 600
KILL_AFTER = 150


async def post_until(url: str, stop_after: int, on_threshold) -> set[int]:
    """Post TOTAL events with 24 concurrent clients; call on_threshold once `stop_after` got
    a 202. Returns the ids of the events answered 202."""
    accepted: set[int] = set()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(TOTAL):
        queue.put_nowait(i)
    fired = False

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal fired
        while not queue.empty():
            i = queue.get_nowait()
            body = {"n": "pageview", "u": f"http://localhost/e/{i}", "d": "localhost"}
            try:
                r = await client.post("/api/event", json=body,
                                      headers={"X-Forwarded-For": f"10.9.{i // 250}.{i % 250}"})
            except httpx.HTTPError:
                continue  # the server is gone: this event was never answered
            if r.status_code == 202:
                accepted.add(i)
            if len(accepted) >= stop_after and not fired:
                fired = True
                on_threshold()

    limits = httpx.Limits(max_connections=24)
    async with httpx.AsyncClient(base_url=url, headers={"User-Agent": CHROME}, limits=limits,
                                 timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(24)))
    return accepted


def stored_ids(data) -> tuple[set[int], str]:
    conn = sqlite3.connect(data / "events.sqlite3")
    try:
        paths = [r[0] for r in conn.execute("SELECT pathname FROM events")]
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return {int(p.rsplit("/", 1)[1]) for p in paths}, check


def test_kill_9_under_load_keeps_every_answered_event(start_service, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    site.mkdir()
    svc = start_service("--data", data, "--site", site)
    accepted = asyncio.run(
        post_until(svc.url, KILL_AFTER, lambda: os.kill(svc.proc.pid, signal.SIGKILL))
    )
    assert svc.proc.wait(timeout=30) == -signal.SIGKILL
    assert len(accepted) >= KILL_AFTER
    restarted = start_service("--data", data, "--site", site)
    r = httpx.get(restarted.url + "/api/health")
    assert r.status_code == 200
    stored, check = stored_ids(data)
    assert check == "ok"
    assert accepted <= stored, f"lost {len(accepted - stored)} answered events"


def test_sigterm_finishes_in_flight_writes(start_service, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>hello</h1>")
    svc = start_service("--data", data, "--site", site)
    assert httpx.get(svc.url + "/").text == "<h1>hello</h1>"
    assert httpx.get(svc.url + "/api/health").json() == {"status": "ok"}
    accepted = asyncio.run(
        post_until(svc.url, KILL_AFTER, lambda: svc.proc.send_signal(signal.SIGTERM))
    )
    # uvicorn re-raises the signal once it has shut down cleanly
    assert svc.proc.wait(timeout=30) in (0, -signal.SIGTERM)
    stored, check = stored_ids(data)
    assert check == "ok"
    assert accepted <= stored
    log = "".join(svc.log)
    assert "POST /api/event HTTP/1.1\" 202" in log  # access log
    assert "Application shutdown complete" in log
    assert "Traceback" not in log

"""40 logins at once against a real `ownmedia serve`: scrypt (and the session commit) run in
worker threads, bounded, so /api/health keeps answering in a few ms while they hash; with
scrypt on the event loop each health probe waited behind the queued hashes (~2 s)."""

from __future__ import annotations

import asyncio
import re
import statistics
import time

import httpx

from ownmedia.admin.auth import set_password
from tests.admin.test_app import PASSWORD
from tests.comments.sitekit import make_site

LOGINS = 40


async def _burst(url: str) -> tuple[list[float], list[int]]:
    """Health probed back to back for as long as the logins are in flight."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        page = await client.get("/admin/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        client.cookies.set("om_login", page.cookies["om_login"])

        async def one() -> int:
            response = await client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD})
            return response.status_code

        logins = [asyncio.create_task(one()) for _ in range(LOGINS)]
        await asyncio.sleep(0)  # let the login tasks send first (ordering, not a wait)
        probes = []
        while not all(task.done() for task in logins):
            started = time.perf_counter()
            health = await client.get("/api/health")
            probes.append(time.perf_counter() - started)
            assert health.json() == {"status": "ok"}
        return probes, await asyncio.gather(*logins)


def test_logins_do_not_stall_health(tmp_path, start_service):
    site = make_site(tmp_path)
    set_password(site.data, PASSWORD)
    svc = start_service("--config", site.config_file)
    probes, codes = asyncio.run(_burst(svc.url))
    # the first probe shares the client's 40 connection set-ups: the later ones tell the story
    later = probes[1:]
    assert len(later) >= 10, f"only {len(probes)} health answers during the burst: {probes}"
    # a few ms when idle; the margin is for a loaded CI machine (it was 1.8 s on the loop)
    assert statistics.median(later) < 0.1, f"health median {statistics.median(later):.3f} s"
    assert set(codes) <= {303, 503} and codes.count(303) >= 8


def test_password_checks_beyond_the_queue_are_refused_at_once(tmp_path):
    from ownmedia.admin.auth import LoginBusy, PasswordChecker

    set_password(tmp_path, PASSWORD)
    checker = PasswordChecker(tmp_path, concurrency=1, max_waiting=1)

    async def main():
        first = asyncio.create_task(checker.check(PASSWORD))
        second = asyncio.create_task(checker.check("wrong password!"))
        await asyncio.sleep(0)  # both are now queued or hashing
        assert checker.waiting == 2
        try:
            await checker.check(PASSWORD)
        except LoginBusy:
            refused = True
        else:
            refused = False
        return refused, await first, await second, checker.waiting

    assert asyncio.run(main()) == (True, True, False, 0)

"""An approval made by `ownmedia comments approve` (another process) wakes the running service,
which re-renders at once instead of at its next poll of the render queue."""

from __future__ import annotations

import subprocess
import sys
import time

from ownmedia.comments import wakeup
from ownmedia.comments.store import Store
from tests.comments.sitekit import POST, ROOT, make_site, wait_for
from tests.comments.test_publish import add_pending

LONG_POLL = 120.0  # far longer than the deadline below: only the wake-up can show it in time


def test_cli_approval_wakes_the_service(tmp_path, start_service):
    site = make_site(tmp_path)
    store = Store(site.data)
    cid = add_pending(store, body="Woken **up**")
    store.close()
    svc = start_service("--config", site.config_file,
                        env={"OWNMEDIA_RENDER_POLL_SECONDS": str(LONG_POLL)})
    wait_for(lambda: "live publishing ready" in "".join(svc.log), timeout=120)
    # the service holds its data directory's wake-up address: a second one cannot bind it
    assert wakeup.listen(site.data) is None
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "comments", "approve", cid,
         "--config", str(site.config_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wait_for(lambda: f'id="comment-{cid}"' in site.page(), timeout=30)
    assert time.monotonic() - start < LONG_POLL / 2
    wait_for(lambda: f"re-rendered {POST}" in "".join(svc.log), timeout=10)  # by the service


def test_waking_nobody_is_harmless(tmp_path):
    assert wakeup.send(tmp_path / "no-service-here") is False
    listener = wakeup.listen(tmp_path)
    try:
        assert wakeup.send(tmp_path) is True
        wait_for(lambda: wakeup.drain(listener) == 1, timeout=5)
        assert wakeup.drain(listener) == 0
    finally:
        listener.close()

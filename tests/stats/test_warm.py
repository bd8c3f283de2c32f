"""`ownmedia serve` brings the rollups up to date at start, without waiting for a query."""

from __future__ import annotations

import shutil
import sqlite3
import time


def test_rollups_are_built_at_service_start(sim, tmp_path, start_service):
    data = tmp_path / "data"
    shutil.copytree(sim[0], data, ignore=shutil.ignore_patterns("stats.sqlite3*"))
    assert not (data / "stats.sqlite3").exists()
    start_service("--data", data, "--site", data / "site")
    events = sqlite3.connect(data / "events.sqlite3")
    top = events.execute("SELECT MAX(id) FROM events").fetchone()[0]
    events.close()
    deadline, mark = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        if (data / "stats.sqlite3").exists():
            conn = sqlite3.connect(data / "stats.sqlite3", timeout=5)
            try:
                row = conn.execute("SELECT watermark FROM r_state").fetchone()
                mark = row[0] if row else None
            except sqlite3.OperationalError:  # not migrated yet
                mark = None
            finally:
                conn.close()
            if mark == top:
                break
        time.sleep(0.1)  # polling an observable condition, with a deadline
    assert mark == top

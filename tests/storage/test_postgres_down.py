"""PostgreSQL stopped under a running `ownmedia serve` (a server of this test's own, crashed
with `pg_ctl -m immediate`): /api/event answers 503 with a message, never a 202 for an event it
did not commit; once the server is back the service stores events again without a restart, and
every event ever answered 202 is in the database."""

from __future__ import annotations

import json
import time

import httpx
import psycopg
import pytest

from tests.pgserver import PostgresServer
from tests.service.eventapp import CHROME


@pytest.fixture
def own_postgres():
    server = PostgresServer().start()
    yield server
    server.destroy()


def _post(client: httpx.Client, i: int) -> httpx.Response:
    return client.post("/api/event", headers={"X-Forwarded-For": f"198.51.100.{i % 250}"},
                       content=json.dumps({"n": "pageview", "d": "localhost",
                                           "u": f"http://localhost/down/{i}"}))


def test_database_down_while_running_then_back(start_service, own_postgres, tmp_path):
    url = own_postgres.create_database("down")
    site = tmp_path / "site"
    site.mkdir()
    config = tmp_path / "ownmedia.toml"
    config.write_text('[server]\ntrusted_proxies = ["127.0.0.1"]\n'
                      f'[storage]\nurl = "{url}"\n')
    svc = start_service("--data", tmp_path / "data", "--site", site, "--config", config)
    accepted: set[int] = set()
    with httpx.Client(base_url=svc.url, headers={"User-Agent": CHROME}, timeout=30) as client:
        for i in range(5):
            r = _post(client, i)
            assert r.status_code == 202, r.text
            accepted.add(i)

        own_postgres.stop(mode="immediate")
        r = _post(client, 100)
        assert r.status_code == 503, r.text
        assert "could not be stored" in r.json()["errors"]["storage"][0]
        assert r.headers["access-control-allow-origin"] == "*"

        own_postgres.restart()
        deadline = time.monotonic() + 60
        n, status = 200, None
        while time.monotonic() < deadline:  # reconnects by itself: no restart of the service
            r = _post(client, n)
            status = r.status_code
            if status == 202:
                accepted.add(n)
                break
            assert status == 503, r.text
            n += 1
        assert status == 202
        for i in range(300, 305):
            r = _post(client, i)
            assert r.status_code == 202, r.text
            accepted.add(i)
    assert svc.proc.poll() is None
    assert "is unavailable" in "".join(svc.log)

    with psycopg.connect(url) as conn:
        stored = [int(p.rsplit("/", 1)[1]) for (p,) in conn.execute(
            "SELECT pathname FROM events WHERE pathname LIKE '/down/%'")]
    assert accepted <= set(stored)  # nothing acknowledged is lost
    assert len(stored) == len(set(stored))


def test_database_down_at_start_is_one_line_and_exit_1(tmp_path):
    import subprocess
    import sys

    from tests.pgserver import _free_port

    config = tmp_path / "ownmedia.toml"
    config.write_text(f'[storage]\nurl = "postgresql://ownmedia:s3cret@127.0.0.1:{_free_port()}'
                      '/events"\n')
    site = tmp_path / "site"
    site.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "serve", "--config", str(config), "--data",
         str(tmp_path / "data"), "--site", str(site), "--port", str(_free_port())],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "ownmedia:***@127.0.0.1" in lines[0] and "is unavailable" in lines[0]
    assert "s3cret" not in lines[0]

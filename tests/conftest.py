"""Shared fixtures: a real built site, a real browser, a real server on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def private_user_cache(tmp_path_factory) -> Iterator[Path]:
    """Builds' quick-check stamps (and any other user cache) go to the run's own folder, never
    to the user's ~/.cache; subprocesses inherit it."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The sample site built once per test run with the default settings."""
    from ownmedia.site import build_site

    out = tmp_path_factory.mktemp("site") / "output"
    return build_site(out)


@pytest.fixture(scope="module")
def browser():
    """A real headless Chromium (Debian's), driven by Playwright.

    Module scope, not session: while Playwright's sync API is running it holds an asyncio loop
    on the main thread, so any later test calling asyncio.run() would fail."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class RunningService:
    """`ownmedia serve` in its own process, ready once uvicorn says startup is complete."""

    def __init__(self, args: list[str], env: dict | None = None, cwd: Path = ROOT,
                 command: list[str] | None = None):
        """`command` replaces `ownmedia serve --port {port}` (e.g. a site's `make demo
        PORT={port}`); `{port}` in it becomes the free port chosen."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = command or [sys.executable, "-m", "ownmedia.cli", "serve", "--port", "{port}"]
        cmd = [*(part.format(port=self.port) for part in command), *args]
        self.log: list[str] = []
        self.proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # blocks until the server reports readiness or dies
            self.log.append(line)
            # uvicorn prints "Application startup complete" after the lifespan startup but
            # before binding; "Uvicorn running on" follows once the port accepts connections
            if "Uvicorn running on" in line:
                break
        else:
            raise RuntimeError("ownmedia serve exited:\n" + "".join(self.log))
        # keep reading, or a full pipe (access log lines) would block the server
        self._drain = threading.Thread(target=self._read_rest, daemon=True)
        self._drain.start()

    def _read_rest(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line)

    def stop(self, sig: int | None = None) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            self._drain.join(timeout=10)


@pytest.fixture
def start_service() -> Iterator:
    """Factory: start_service("--data", dir, "--site", dir, ...) -> RunningService."""
    started: list[RunningService] = []

    def _start(*args: str, env: dict | None = None) -> RunningService:
        svc = RunningService([str(a) for a in args], env=env)
        started.append(svc)
        return svc

    yield _start
    for svc in started:
        svc.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the whole run (tests/pgserver.py); each test that needs
    isolation takes its own database from `postgres_url`."""
    from tests.pgserver import PostgresServer

    server = PostgresServer().start()
    yield server
    server.destroy()


@pytest.fixture
def postgres_url(postgres_server, request) -> str:
    """A fresh, empty database on the session's server."""
    import re
    import uuid

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    return postgres_server.create_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_url(request) -> str:
    """Each store-level test on both backends: "" (the SQLite files of the data directory)
    and a fresh, migrated PostgreSQL database."""
    if request.param == "sqlite":
        return ""
    from ownmedia.storage import Backend

    url = request.getfixturevalue("postgres_url")
    Backend(url, check_schema=False).migrate()
    return url

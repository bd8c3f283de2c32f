"""`ownmedia serve` leaves no process behind, however it is stopped (SIGTERM, SIGINT, kill -9),
on a site with hundreds of comment files (where the plugins used to fork worker pools), and
the same port can be served again at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ownmedia.comment_format import Comment, write_comment_file
from tests.comments.sitekit import POST, ROOT, build_into, make_site, wait_for

COMMENT_FILES = 260


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_mentioning(marker: str) -> list[int]:
    """Every live process whose command line contains `marker` (a forked child keeps its
    parent's command line, so this also finds orphans re-parented to init)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


class Serve:
    """A real `ownmedia serve` subprocess with its output collected."""

    def __init__(self, config_file: Path, port: int):
        self.port, self.lines = port, []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ownmedia.cli", "serve", "--config", str(config_file),
             "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()

    def output(self) -> str:
        return "".join(self.lines)

    def healthy(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/api/health", timeout=2).is_success
        except httpx.HTTPError:
            return False

    def wait_ready(self) -> None:
        """Up, and the live publisher has read the site (what used to start the pools)."""
        wait_for(lambda: self.proc.poll() is not None or "live publishing ready" in self.output(),
                 timeout=120)
        assert self.proc.poll() is None, self.output()
        wait_for(self.healthy, timeout=30)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("serve"))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(COMMENT_FILES):
        write_comment_file(site.content / "comments", Comment(
            id=f"c{n:04d}", post=POST, author=f"Reader {n}", date=start + timedelta(minutes=n),
            body=f"Comment **{n}** with a [link](https://example.org/{n})."))
    build_into(site)
    return site


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL],
                         ids=["SIGTERM", "SIGINT", "kill-9"])
def test_no_process_survives_and_the_port_is_free_at_once(site, how):
    assert len(list((site.content / "comments" / POST).glob("*.md"))) >= 250
    port = _free_port()
    marker = str(site.config_file)
    server = Serve(site.config_file, port)
    try:
        server.wait_ready()
        assert 'id="comment-c0259"' in site.page()
        assert _processes_mentioning(marker) == [server.proc.pid]
        server.proc.send_signal(how)
        server.proc.wait(timeout=60)
        if how != signal.SIGKILL:  # a clean stop (Ctrl-C makes click say "Aborted!", exit 1)
            wait_for(lambda: "Application shutdown complete" in server.output(), timeout=5)
        wait_for(lambda: not _processes_mentioning(marker), timeout=10)
        with socket.socket() as s:  # as uvicorn binds (SO_REUSEADDR), with nothing waiting
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
        if how == signal.SIGKILL:  # the worst case: a real restart on the same port
            again = Serve(site.config_file, port)
            try:
                again.wait_ready()
                assert "address already in use" not in again.output().lower()
            finally:
                again.proc.terminate()
                again.proc.wait(timeout=60)
            assert not _processes_mentioning(marker)
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait(timeout=30)

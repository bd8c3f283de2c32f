"""Running `ownmedia` the way a person does, at a terminal: a real pseudo-terminal, so the
commands that print a table there (and plain lines into a pipe) show their table."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_in_terminal(*args: str, cwd: Path = ROOT, columns: int = 200,
                    timeout: float = 120) -> tuple[int, str]:
    """(exit status, everything written to the terminal) of `ownmedia ARGS...`."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "ownmedia", *args], cwd=cwd, env=env,
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk or time.monotonic() > deadline:
            break
        chunks.append(chunk)
    os.close(leader)
    status = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    return status, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    """`ownmedia ARGS...` in its own process: its stdout holds only what the command printed
    (click's runner also captures whatever another thread of the test process logs meanwhile,
    such as a background Pelican build's "Done" line)."""
    return subprocess.run([sys.executable, "-m", "ownmedia", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "OWNMEDIA_LANG": "en"})

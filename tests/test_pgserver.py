"""The tests' PostgreSQL server never outlives them: a test run killed with -9 (a CI timeout,
a Ctrl-C that went wrong) leaves no server running and no cluster directory behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.comments.sitekit import wait_for

ROOT = Path(__file__).resolve().parent.parent
STARTS_A_SERVER = """
import sys
from tests.pgserver import PostgresServer
server = PostgresServer().start()
print(server.root, server.port, flush=True)
sys.stdin.read()
"""


def accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_a_killed_test_run_leaves_no_server_behind():
    run = subprocess.Popen([sys.executable, "-c", STARTS_A_SERVER], cwd=ROOT, text=True,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    root, port = run.stdout.readline().split()
    assert accepts(int(port)) and Path(root, "data").is_dir()
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    wait_for(lambda: not accepts(int(port)) and not Path(root).exists(), timeout=60)

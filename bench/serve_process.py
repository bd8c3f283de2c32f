"""A real `ownmedia serve` subprocess on a free loopback port, for the benches that measure it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """Started when `ready` appears in its output (which is then drained so it never blocks);
    `started` is when the process was launched, for start-up timings."""

    def __init__(self, config_file: Path, ready: str = "Application startup complete"):
        self.started = time.perf_counter()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ownmedia.cli", "serve", "--config", str(config_file),
             "--port", str(self.port)], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        for line in self.proc.stdout:
            if ready in line:
                break
        else:
            raise RuntimeError("ownmedia serve did not start")
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)

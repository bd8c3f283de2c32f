"""A real PostgreSQL server for tests: Debian's binaries, a cluster in a temporary directory,
listening on a loopback port (no Unix socket in a shared place). PostgreSQL refuses to run as
root, so under root (CI) the cluster belongs to the `postgres` user the package creates."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def pg_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian keeps it off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Runs beside the tests: blocks on a pipe whose only writer is the test process; at EOF (the
# tests ended, or were killed with -9) it stops the server and removes its directory.
WATCHDOG = r"""
import os, shutil, subprocess, sys
fd, root, *stop = sys.argv[1:]
while os.read(int(fd), 1):
    pass
subprocess.run(stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
shutil.rmtree(root, ignore_errors=True)
"""


class PostgresServer:
    """initdb + pg_ctl start on 127.0.0.1:<free port>; `url` is ready to connect once started."""

    def __init__(self) -> None:
        bindir = pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
        self.bindir = bindir
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ownmedia-pg-"))
        self.data = self.root / "data"
        self.user = "ownmedia"
        self.url = f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as_user = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                             "--clear-groups", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, cwd=self.root,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> PostgresServer:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                  "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories="
                f"{self.root} -c fsync=on -c max_connections=300")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "log"), "-o", opts, "-w", "start")
        self._start_watchdog()
        return self

    def _start_watchdog(self) -> None:
        """No server outlives the tests, even when pytest is killed."""
        read_end, self._watch = os.pipe()
        stop = [*self._as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m",
                "immediate", "-w", "stop"]
        self.watchdog = subprocess.Popen(
            [sys.executable, "-c", WATCHDOG, str(read_end), str(self.root), *stop],
            pass_fds=(read_end,), start_new_session=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(read_end)

    def stop(self, mode: str = "fast") -> None:
        """`mode="immediate"` is PostgreSQL's crash (no checkpoint), for fault tests."""
        subprocess.run([*self._as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data),
                        "-m", mode, "-w", "stop"], cwd=self.root,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def restart(self) -> None:
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories="
                f"{self.root} -c max_connections=300")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "log"), "-o", opts, "-w", "start")

    def create_database(self, name: str) -> str:
        """A fresh database on this server; returns its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def postmaster_pid(self) -> int:
        """The server's main process, parent of every backend (for CPU accounting)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        if getattr(self, "watchdog", None) is not None:
            os.close(self._watch)
            self.watchdog.wait(timeout=60)

"""Wake the running service when another process (the `ownmedia comments` CLI) queued a
re-render, instead of waiting for its next poll of the render queue.

The service binds a Unix datagram socket in Linux's abstract namespace, named after its data
directory; `Moderator.sync_files` sends it one empty datagram after queueing renders. The
datagram carries no data and no authority: it only makes the service look at its render queue
now rather than at the next poll (runtime.POLL_SECONDS), which stays the fallback (another
machine sharing a PostgreSQL database, a platform without abstract sockets, a lost datagram).
Only a process on the same machine and network namespace can send it, and the worst it can do
is an extra look at the queue."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import sys
from pathlib import Path


def address(data_dir: str | Path) -> str | None:
    """The socket's abstract name for this data directory (None where there is none)."""
    if not sys.platform.startswith("linux"):
        return None
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:32]
    return f"\0ownmedia-render-{digest}"


def listen(data_dir: str | Path) -> socket.socket | None:
    """The service's end, non-blocking; None when it cannot be bound (another service on
    the same data directory holds it, or no abstract sockets): then only the poll wakes."""
    name = address(data_dir)
    if name is None:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind(name)
    except OSError:
        sock.close()
        return None
    sock.setblocking(False)
    return sock


def drain(sock: socket.socket) -> int:
    """Read every datagram waiting; returns how many."""
    count = 0
    while True:
        try:
            sock.recv(64)
        except (BlockingIOError, InterruptedError):
            return count
        except OSError:
            return count
        count += 1


def send(data_dir: str | Path) -> bool:
    """Tell the service on this data directory to look at its render queue (best effort:
    False when no service listens)."""
    name = address(data_dir)
    if name is None:
        return False
    with contextlib.closing(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)) as sock:
        try:
            sock.sendto(b"", name)
        except OSError:
            return False
    return True

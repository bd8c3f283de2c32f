"""A really full disk for tests: a small tmpfs mounted for the test (needs root, as CI runs),
filled with a ballast file until the kernel answers ENOSPC, emptied to give space back."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_filesystem(path: Path, size_mb: int = 8) -> Iterator[Path]:
    """A fresh tmpfs of `size_mb` at `path`, unmounted (lazily, for open files) at the end."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root (CI runs the suite as root)")
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs",
                    str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


class Ballast:
    """Fills the filesystem holding `path` to the last byte; `release()` frees it again."""

    def __init__(self, folder: Path):
        self.path = folder / "ballast.bin"

    def fill(self) -> int:
        """Write until ENOSPC; returns the bytes written."""
        written = 0
        with open(self.path, "ab", buffering=0) as fh:
            for size in (1 << 16, 1 << 12, 1):
                block = b"\0" * size
                while True:
                    try:
                        written += fh.write(block)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        return written

    def release(self) -> None:
        self.path.unlink(missing_ok=True)

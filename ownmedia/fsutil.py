"""Writing a file so that a reader sees the old version or the new one, never half of one,
and the new one survives a crash once the call returns."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

# what atomic_write_text's mkstemp names look like: ".<name>.<8 random chars>.tmp"
TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
STALE_SECONDS = 60.0  # younger ones may be another process's write in progress (the CLI)


def atomic_write_text(
    path: str | Path, text: str, *, mode: int = 0o644, durable: bool = True
) -> Path:
    """Temp file in the same folder (a dot name ending in .tmp, so no glob for *.md or *.html
    picks it up), fsync, chmod, rename over `path`. `durable=False`: no fsync, for a cache
    whose loss after a crash only costs work again (a build record, a stamp): a reader still
    sees the old file or the new one, never half of one written by a running process."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_stale_temp_files(folder: str | Path, *, older_than: float = STALE_SECONDS) -> list[Path]:
    """Delete the temporary files interrupted atomic writes left under `folder` (a crash
    between mkstemp and the rename), if older than `older_than` seconds; returns them."""
    removed: list[Path] = []
    root = Path(folder)
    if not root.is_dir():
        return removed
    limit = time.time() - older_than
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if not TEMP_NAME.match(name):
                continue
            path = Path(dirpath) / name
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # renamed or removed meanwhile
                continue
    return removed


def walk_files(root: Path, skip: Path | None = None, skip_names: frozenset[str] = frozenset()):
    """(path, os.stat_result) of every file below `root`, links not followed, `skip` (a
    resolved folder) and folders named in `skip_names` left out; unreadable folders and
    vanished files are passed over, since a file may be saved or removed while we look."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name in skip_names:
                    continue
                if skip is None or Path(entry.path).resolve() != skip:
                    stack.append(Path(entry.path))
                continue
            try:
                yield entry.path, entry.stat()
            except OSError:
                continue

"""ownmedia/fsutil.py: atomic writes, durable unless the file is only a cache."""

from __future__ import annotations

import os

from ownmedia.fsutil import TEMP_NAME, atomic_write_text


def test_a_cache_write_is_atomic_without_fsync(tmp_path, monkeypatch):
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    path = tmp_path / "record.json"
    atomic_write_text(path, "old", durable=False)
    atomic_write_text(path, "new", durable=False)
    assert path.read_text(encoding="utf-8") == "new" and not synced
    assert not [p for p in tmp_path.iterdir() if TEMP_NAME.match(p.name)]
    atomic_write_text(path, "kept")  # durable by default
    assert path.read_text(encoding="utf-8") == "kept" and len(synced) == 1
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)

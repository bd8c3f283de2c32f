"""The content-addressed build cache (ownmedia/build_cache.py): a corrupted or foreign cache is
reported in one line and ignored (the build is a full one and its pages are right), and
deleting the cache folder is always safe."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from ownmedia.build_cache import FILENAME, BuildCache, key
from ownmedia.site import build_site
from tests.plugins.conftest import copy_content
from tests.test_incremental import assert_same_tree

SLUGS = ("own-your-channel", "measure-without-cookies")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """A content folder and its full build from nothing."""
    root = tmp_path_factory.mktemp("cache-ref")
    content = copy_content(root / "content", SLUGS)
    return content, build_site(root / "out", content=content, CACHE_PATH=str(root / "cache"))


def build(content: Path, tmp: Path, fresh_output: bool = True) -> Path:
    out = tmp / "out"
    if fresh_output:
        shutil.rmtree(out, ignore_errors=True)
    return build_site(out, content=content, CACHE_PATH=str(tmp / "cache"))


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "ownmedia.build" and r.levelno >= logging.WARNING]


def test_key_is_unambiguous():
    assert key("ab", "c") != key("a", "bc")
    assert key("x") == key("x") and len(key("x")) == 64


def test_a_warm_cache_gives_the_same_site(reference, tmp_path):
    content, want = reference
    build(content, tmp_path)
    cache = BuildCache(tmp_path / "cache" / "ownmedia")
    kinds = {k for (k,) in cache._conn.execute("SELECT DISTINCT kind FROM entries")}
    cache.close()
    assert {"comment-html", "qr", "output"} <= kinds
    # output deleted, cache kept: pieces come from the cache, the pages are the same
    assert_same_tree(build(content, tmp_path), want)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "other-format"])
def test_a_damaged_or_foreign_cache_is_ignored_with_one_line(reference, tmp_path, caplog,
                                                             damage):
    content, want = reference
    build(content, tmp_path)
    path = tmp_path / "cache" / "ownmedia" / FILENAME
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"\x00not a database at all\xff" * 200)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:700])
    else:
        path.unlink()
        conn = sqlite3.connect(path)
        if damage == "foreign":
            conn.execute("CREATE TABLE photos (id INTEGER, name TEXT)")
        else:
            conn.execute("CREATE TABLE meta (format TEXT)")
            conn.execute("INSERT INTO meta VALUES ('ownmedia-build-cache/0')")
            conn.execute("CREATE TABLE entries (kind, key, value, checksum)")
        conn.commit()
        conn.close()
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    assert_same_tree(build(content, tmp_path), want)
    lines = [w for w in warnings(caplog) if "build cache" in w]
    assert len(lines) == 1 and "ignored" in lines[0] and "Traceback" not in caplog.text
    # and the cache works again afterwards
    caplog.clear()
    assert_same_tree(build(content, tmp_path), want)
    assert not warnings(caplog)


def test_a_tampered_entry_is_not_used(reference, tmp_path, caplog):
    content, want = reference
    build(content, tmp_path)
    path = tmp_path / "cache" / "ownmedia" / FILENAME
    conn = sqlite3.connect(path)
    changed = conn.execute("UPDATE entries SET value = value || '<b>wrong</b>'").rowcount
    conn.commit()
    conn.close()
    assert changed
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    got = build(content, tmp_path)
    assert_same_tree(got, want)
    assert not any(b"<b>wrong</b>" in p.read_bytes() for p in got.rglob("*.html"))
    assert sum("corrupted" in w for w in warnings(caplog)) == 1


def test_deleting_the_cache_folder_is_always_safe(reference, tmp_path):
    content, want = reference
    build(content, tmp_path)
    shutil.rmtree(tmp_path / "cache")
    # same output folder, no record, no cache: a full build over the old files
    assert_same_tree(build(content, tmp_path, fresh_output=False), want)
    shutil.rmtree(tmp_path / "cache" / "ownmedia")  # only ownmedia's part
    assert_same_tree(build(content, tmp_path, fresh_output=False), want)


@pytest.mark.parametrize("damage", [b"", b"\x80\x04garbage", b"not a pickle at all"])
def test_a_damaged_pelican_reader_cache_is_ignored_with_one_line(reference, tmp_path, caplog,
                                                                damage):
    content, want = reference
    build(content, tmp_path)
    files = sorted((tmp_path / "cache").glob("pelican-*/*Readers"))
    assert files
    for path in files:
        path.write_bytes(damage)
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    assert_same_tree(build(content, tmp_path), want)
    lines = [w for w in warnings(caplog) if "Pelican cache" in w]
    assert len(lines) == len(files) and "Traceback" not in caplog.text

"""The tracker's budget: at most 1,500 bytes gzipped; no cookie API, no storage write."""

import gzip
import re
from pathlib import Path

TRACKER = Path(__file__).resolve().parents[2] / "ownmedia" / "static" / "tracker.js"


def test_tracker_fits_the_gzip_budget():
    assert len(gzip.compress(TRACKER.read_bytes(), compresslevel=9, mtime=0)) <= 1500


def test_tracker_sets_no_cookie_and_writes_no_storage():
    source = TRACKER.read_text(encoding="utf-8")
    assert "cookie" not in source
    assert not re.search(r"localStorage\.(setItem|removeItem)|sessionStorage|indexedDB", source)
    assert "localStorage.plausible_ignore" in source  # the one read: the opt-out flag

"""`make pdf` smoke test: one post's print view rendered to PDF by headless Chromium."""

import subprocess
import sys
from pathlib import Path

import pytest

from ownmedia.pdf import find_print_views

ROOT = Path(__file__).resolve().parent.parent


def test_finds_every_print_view(built_site):
    views = find_print_views(built_site)
    assert len(views) == 12
    assert {v.pdf_name for v in views} >= {"own-your-channel.fr.pdf", "own-your-channel.en.pdf"}
    assert all(v.url.endswith("/print/") for v in views)


@pytest.mark.browser
def test_pdf_of_one_post(built_site, tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ownmedia.pdf",
            str(built_site),
            "--out",
            str(tmp_path),
            "--only",
            "own-your-channel",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert files == ["own-your-channel.en.pdf", "own-your-channel.fr.pdf"]
    data = (tmp_path / "own-your-channel.fr.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 5000
    assert b"/Type /Page" in data or b"/Type/Page" in data


def test_clear_error_without_a_site(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ownmedia.pdf", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode != 0
    assert "no built site here" in proc.stderr and "Traceback" not in proc.stderr

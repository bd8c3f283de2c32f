"""The repository's Makefile on a fresh machine: a missing chromium stops `make test` at once
with the command to run; `make demo PORT=...` builds for that port and says where to go."""

from __future__ import annotations

import subprocess
import time

from ownmedia.site import ROOT, pelican_settings


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_missing_chromium_without_root_stops_at_once_with_one_line():
    started = time.monotonic()
    done = make("test", "CHROMIUM_NAME=no-such-browser", "CHROMIUM=/nonexistent", "UID_NOW=1000")
    assert done.returncode != 0
    assert done.stderr.splitlines()[0] == ("chromium is missing: run 'sudo apt-get install "
                                           "chromium', then make test")
    assert done.stdout == ""  # nothing else ran: not the setup, not the tests
    assert time.monotonic() - started < 30


def test_present_chromium_passes():
    assert make("chromium").returncode == 0


def test_demo_builds_for_the_port_it_serves_and_says_where_to_go(monkeypatch):
    plan = make("-n", "demo", "PORT=8123", "HOST=127.0.0.2").stdout
    assert "site on http://127.0.0.2:8123/, admin on http://127.0.0.2:8123/admin/" in plan
    assert "comments set-password" in plan
    assert "serve --host 127.0.0.2 --port 8123" in plan
    # the build of `make demo` reads these from the Makefile's environment
    monkeypatch.setenv("OWNMEDIA_HOST", "127.0.0.2")
    monkeypatch.setenv("OWNMEDIA_PORT", "8123")
    settings = pelican_settings()
    assert settings["SITEURL"] == "http://127.0.0.2:8123"
    assert settings["FEED_DOMAIN"] == "http://127.0.0.2:8123"


def test_sample_site_settings_default_to_port_8000(monkeypatch):
    monkeypatch.delenv("OWNMEDIA_HOST", raising=False)
    monkeypatch.delenv("OWNMEDIA_PORT", raising=False)
    assert pelican_settings()["SITEURL"] == "http://127.0.0.1:8000"

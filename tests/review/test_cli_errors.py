"""`ownmedia review` against a real `ownmedia serve` on loopback: the same numbers as in-process,
and clear errors for a wrong key, an unreachable server and an empty period."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from ownmedia.stats.keys import KeyStore
from tests.conftest import free_port
from tests.stats.conftest import SPEC

PERIOD = f"{SPEC.start}..{SPEC.end}"


def review(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ownmedia.cli", "review", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture()
def served(sim, tmp_path, start_service):
    data = tmp_path / "data"
    shutil.copytree(sim[0], data)
    keys = KeyStore(data)
    _, key = keys.create("review")
    keys.close()
    svc = start_service("--data", data, "--site", data / "site")
    return svc, key, data


def test_remote_review_matches_the_in_process_one(served, sim):
    svc, key, data = served
    remote = review("--url", svc.url, "--key", key, "--period", PERIOD, "--json",
                    "--site", str(data / "site"))
    assert remote.returncode == 0, remote.stderr
    local = review("--data", str(data), "--period", PERIOD, "--json", "--site",
                   str(data / "site"))
    assert local.returncode == 0, local.stderr
    a, b = json.loads(remote.stdout), json.loads(local.stdout)
    for doc in (a, b):
        doc.pop("generated"), doc.pop("source")
    assert a == b
    assert a["overview"]["visitors"]["value"] == sim[1]["visitors"]


def test_wrong_key_is_a_clear_error(served):
    svc, _, _ = served
    out = review("--url", svc.url, "--key", "om_not-a-key", "--period", PERIOD)
    assert out.returncode == 1
    assert "refused the API key" in out.stderr and "401" in out.stderr
    assert "Traceback" not in out.stderr


def test_unreachable_server_is_a_clear_error():
    out = review("--url", f"http://127.0.0.1:{free_port()}", "--key", "x", "--period", PERIOD)
    assert out.returncode == 1
    assert "cannot reach" in out.stderr and "Traceback" not in out.stderr


def test_empty_period_says_so(sim):
    out = review("--data", str(sim[0]), "--period", "2020-01-01..2020-01-31")
    assert out.returncode == 3
    assert "No visits" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "fortnight"], "--period"),
    (["--period", "2026-02-01..2026-01-01"], "after"),
    (["--url", "http://127.0.0.1:1"], "--key"),
    (["--baseline-cost", "100000"], "together"),
])
def test_bad_options(sim, args, message):
    out = review("--data", str(sim[0]), *args)
    assert out.returncode == 2 and message in out.stderr


def test_missing_data_dir(tmp_path):
    out = review("--data", str(tmp_path / "nothing"), "--period", PERIOD)
    assert out.returncode == 1 and "no event store" in out.stderr


def test_help():
    out = review("--help")
    assert out.returncode == 0 and "--baseline-copies" in out.stdout

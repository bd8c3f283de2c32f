"""The deployment files are what they claim: systemd accepts the unit, the configurations load,
and compose names only files that exist."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ownmedia.config import load_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_systemd_accepts_the_unit_without_a_warning(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: apt-get install systemd")
    ownmedia = shutil.which("ownmedia", path=str(Path(sys.executable).parent))
    assert ownmedia, "the ownmedia command is not installed beside this Python"
    unit = (DEPLOY / "ownmedia@.service").read_text(encoding="utf-8")
    assert "/srv/ownmedia/.venv/bin/ownmedia" in unit
    (tmp_path / "ownmedia@.service").write_text(
        unit.replace("/srv/ownmedia/.venv/bin/ownmedia", ownmedia), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", "ownmedia@8001.service"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ignoring" not in result.stderr and "Unknown" not in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["ownmedia.toml", "ownmedia.compose.toml"])
def test_deployment_configurations_load(name):
    config = load_config(DEPLOY / name)
    assert config.storage.url.startswith("postgresql://")
    assert ":" not in config.storage.url.split("//", 1)[1].split("@")[0], "no password in a file"
    assert config.server.trusted_proxies, "behind a proxy, X-Forwarded-For needs trusted_proxies"


def test_compose_names_files_that_exist():
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    local = re.findall(r"- \./([\w.@-]+):", compose) + re.findall(r"dockerfile: (\S+)", compose)
    assert local, "compose mounts its configuration files"
    for path in local:
        base = ROOT if "/" in path else DEPLOY
        assert (base / path).is_file(), path

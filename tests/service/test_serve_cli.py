"""`ownmedia serve` configuration errors are one clear line, never a traceback."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from ownmedia.config import ConfigError, load_config
from ownmedia.service.cli import serve


def test_help():
    result = CliRunner().invoke(serve, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--data", "--site", "--config"):
        assert option in result.output


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[analytics]\ncommit_mode = "sometimes"\n', "commit_mode must be 'group' or 'each'"),
        ('[server]\ntrusted_proxies = ["10.0.0.300"]\n', "trusted_proxies: '10.0.0.300'"),
        ('[analytics]\nforward_url = "ftp://x"\n', "forward_url must start with http"),
        ("[analytics]\ndomains = []\n", "domains must list at least one"),
        ("[analytics]\nforward_backoff_seconds = 0\n", "forward_backoff_seconds"),
        ('[analytics]\ngoals = [{event_name = "A", page_path = "/b"}]\n', "goals[0]"),
        ('[analytics]\ngoals = [{evnt_name = "A"}]\n', "goals[0]"),
        ("[analytics]\nmax_batch = 0\n", "max_batch"),
    ],
)
def test_bad_values_are_named(tmp_path, toml, message):
    path = tmp_path / "ownmedia.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)
    result = CliRunner().invoke(serve, ["--config", str(path), "--data", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_goals_and_proxies_accepted(tmp_path):
    path = tmp_path / "ownmedia.toml"
    path.write_text('[server]\ntrusted_proxies = ["10.0.0.0/8", "::1"]\n'
                    '[analytics]\ngoals = [{event_name = "CTA Click"}, '
                    '{page_path = "/merci/", display_name = "Merci"}]\n')
    config = load_config(path)
    assert config.analytics.goals[1]["display_name"] == "Merci"


def test_missing_config_file_is_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "serve", "--config", "/nonexistent/own.toml"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "no such configuration file" in done.stderr
    assert "Traceback" not in done.stderr


def test_unusable_data_directory_is_one_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.sqlite3").write_text("not a database, just text that is long enough" * 50)
    result = CliRunner().invoke(serve, ["--data", str(data), "--site", str(tmp_path)])
    assert result.exit_code == 1
    assert "cannot start with data in" in result.output and "not a database" in result.output

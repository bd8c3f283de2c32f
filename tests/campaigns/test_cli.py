"""`ownmedia campaigns`: add, list, show, edit, remove on a real data directory; bad input
exits 2 with what is wrong; configuration campaigns are shown and refuse to change; `show`
against a real `ownmedia serve` gives the in-process answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.stats.keys import KeyStore
from tests.campaigns.conftest import AS_OF


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["campaigns", *args], catch_exceptions=False,
                              env={"OWNMEDIA_LANG": "en", **(env or {})})


ADD = ("add", "printemps", "--metric", "pageviews", "--target", "2,000,000", "--from",
       "2026-03-02", "--until", "2026-04-26", "--filter", "utm_medium=print")


def test_add_list_edit_remove(tmp_path):
    data = str(tmp_path / "data")
    added = run(*ADD, "--data", data, "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.output) == {
        "name": "printemps", "metric": "pageviews", "target": 2_000_000, "from": "2026-03-02",
        "until": "2026-04-26", "filters": ["utm_medium=print"], "origin": "store"}
    listed = run("list", "--data", data)
    assert "printemps" in listed.output and "2,000,000" in listed.output
    again = run(*ADD, "--data", data)
    assert again.exit_code == 1 and "a campaign named 'printemps' exists" in again.output
    edited = run("edit", "printemps", "--target", "3000000", "--name", "printemps-26",
                 "--no-filters", "--data", data, "--json")
    assert edited.exit_code == 0, edited.output
    assert json.loads(edited.output)["target"] == 3_000_000
    listing = json.loads(run("list", "--json", "--data", data).output)
    assert [(c["name"], c["filters"], c["until"]) for c in listing] == [
        ("printemps-26", [], "2026-04-26")]
    assert run("remove", "printemps-26", "--data", data).exit_code == 0
    assert json.loads(run("list", "--json", "--data", data).output) == []
    gone = run("remove", "printemps-26", "--data", data)
    assert gone.exit_code == 2 and "campaign 'printemps-26' not found" in gone.output


DAYS = ("--from", "2026-03-02", "--until", "2026-04-26")


@pytest.mark.parametrize(("args", "message"), [
    (("--metric", "pageviews", "--target", "0", *DAYS), "target '0': between 1"),
    (("--metric", "pageviews", "--target", "many", *DAYS), "a whole number"),
    (("--metric", "pageviews", "--target", "5", *DAYS, "--filter", "colour=red"),
     "unknown key 'colour'"),
    (("--metric", "pageviews", "--target", "5", "--from", "2026-03-02", "--until",
      "2026-02-01"), "until 2026-02-01 is before from 2026-03-02"),
    (("--metric", "pageviews", "--target", "5", "--from", "March", "--until", "2026-04-01"),
     "from 'March': expected a day YYYY-MM-DD"),
    (("--target", "5", *DAYS), "Missing option '--metric'"),
])
def test_bad_input_exits_2_saying_what_is_wrong(tmp_path, args, message):
    result = run("add", "x", *args, "--data", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.output
    assert json.loads(run("list", "--json", "--data", str(tmp_path)).output) == []


def test_edit_refuses_contradictions_and_unknown_campaigns(tmp_path):
    data = str(tmp_path)
    run(*ADD, "--data", data)
    both = run("edit", "printemps", "--filter", "page=/a/", "--no-filters", "--data", data)
    assert both.exit_code == 2 and "exclude each other" in both.output
    bad = run("edit", "printemps", "--from", "2026-05-01", "--data", data)
    assert bad.exit_code == 2 and "is before from 2026-05-01" in bad.output
    unknown = run("edit", "nope", "--target", "3", "--data", data)
    assert unknown.exit_code == 2 and "campaign 'nope' not found" in unknown.output
    unchanged = json.loads(run("list", "--json", "--data", data).output)
    assert unchanged[0]["from"] == "2026-03-02" and unchanged[0]["filters"] == [
        "utm_medium=print"]


def test_config_campaigns_are_listed_and_read_only(tmp_path):
    conf = tmp_path / "ownmedia.toml"
    conf.write_text(f'[server]\ndata = "{tmp_path / "data"}"\n[[campaigns]]\n'
                    'name = "printemps"\nmetric = "visitors"\ntarget = 5000\n'
                    'from = 2026-03-02\nuntil = 2026-04-26\n', encoding="utf-8")
    listing = json.loads(run("list", "--json", "--config", str(conf)).output)
    assert listing == [{"name": "printemps", "metric": "visitors", "target": 5000,
                        "from": "2026-03-02", "until": "2026-04-26", "filters": [],
                        "origin": str(conf)}]
    for args in (("edit", "printemps", "--target", "3"), ("remove", "printemps"), ADD):
        result = run(*args, "--config", str(conf))
        assert result.exit_code == 1
        assert f"campaign 'printemps' is declared in {conf}: change it there" in result.output
    fr = run("remove", "printemps", "--config", str(conf), env={"OWNMEDIA_LANG": "fr"})
    assert "est déclarée dans" in fr.output


def test_help_is_bilingual_and_everywhere():
    for cmd in ((), ("add",), ("list",), ("show",), ("edit",), ("remove",)):
        result = run(*cmd, "--help")
        assert result.exit_code == 0
    summary = run("--help").output
    assert "Add a campaign / ajouter une campagne" in summary
    assert "Campaigns / campagnes" in CliRunner().invoke(main, ["--help"]).output


def test_show_in_process_and_against_a_served_api(campaign_sim, tmp_path, start_service):
    data = tmp_path / "data"
    shutil.copytree(campaign_sim[0], data)
    local = run("show", "lecteurs", "--as-of", AS_OF.isoformat(), "--data", str(data),
                "--json")
    assert local.exit_code == 0, local.output
    measured = json.loads(local.output)
    assert measured["progress"] == campaign_sim[1]["campaign_targets"]["lecteurs"]["progress"]
    keys = KeyStore(data)
    _, key = keys.create("campaigns")
    keys.close()
    svc = start_service("--data", data, "--site", data / "site")
    remote = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "campaigns", "show", "lecteurs", "--as-of",
         AS_OF.isoformat(), "--url", svc.url, "--key", key, "--data", str(data), "--json"],
        capture_output=True, text=True, timeout=120)
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == measured
    text = run("show", "deux-millions", "--as-of", AS_OF.isoformat(), "--data", str(data))
    assert "unreachable at any plausible pace" in text.output
    missing = run("show", "nope", "--data", str(data))
    assert missing.exit_code == 2 and "campaign 'nope' not found" in missing.output
    wrong_day = run("show", "lecteurs", "--as-of", "2026-13-01", "--data", str(data))
    assert wrong_day.exit_code == 2 and "expected YYYY-MM-DD" in wrong_day.output

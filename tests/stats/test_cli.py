"""`ownmedia keys` and `ownmedia goals`."""

from __future__ import annotations

from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.stats.keys import KeyStore


def test_keys_create_list_revoke(tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["keys", "create", "review", "--data", str(tmp_path)])
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[0]
    assert key.startswith("om_") and len(key) > 40
    store = KeyStore(tmp_path)
    assert store.verify(key)
    store.close()
    assert key not in (tmp_path / "keys.sqlite3").read_bytes().decode("latin-1")
    listed = runner.invoke(main, ["keys", "list", "--data", str(tmp_path)])
    assert "review" in listed.output and key not in listed.output
    assert runner.invoke(main, ["keys", "revoke", "review", "--data", str(tmp_path)]).exit_code == 0
    store = KeyStore(tmp_path)
    assert not store.verify(key)
    store.close()
    again = runner.invoke(main, ["keys", "revoke", "review", "--data", str(tmp_path)])
    assert again.exit_code != 0 and "no active key" in again.output


def test_goals_add_is_idempotent_and_listed(tmp_path):
    runner = CliRunner()
    args = ["goals", "add", "--page", "/merci/", "--data", str(tmp_path)]
    assert "created" in runner.invoke(main, args).output
    assert "already" in runner.invoke(main, args).output
    listed = runner.invoke(main, ["goals", "list", "--data", str(tmp_path)])
    assert "Visit /merci/" in listed.output and "CTA Click" in listed.output
    bad = runner.invoke(main, ["goals", "add", "--page", "merci", "--data", str(tmp_path)])
    assert bad.exit_code != 0 and "page_path" in bad.output
    both = runner.invoke(main, ["goals", "add", "--data", str(tmp_path)])
    assert both.exit_code != 0 and "--event" in both.output


def test_goals_from_config(tmp_path):
    conf = tmp_path / "om.toml"
    conf.write_text('[server]\ndata = "%s"\n[analytics]\ngoals = [{page_path = "/don/merci/",'
                    ' display_name = "Don"}]\n' % (tmp_path / "data"))
    listed = CliRunner().invoke(main, ["goals", "list", "--config", str(conf)])
    assert listed.exit_code == 0, listed.output
    assert "Don" in listed.output and "/don/merci/" in listed.output

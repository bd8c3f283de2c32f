"""`ownmedia storage migrate`, and every command on a database that is down or not migrated:
one line naming it (never its password) and the command that fixes it, exit 1."""

from __future__ import annotations

import json

import psycopg
import pytest
from click.testing import CliRunner

from ownmedia.cli import main
from tests.comments.sitekit import make_site
from tests.conftest import free_port


def test_migrate_applies_once(tmp_path, postgres_url):
    site = make_site(tmp_path, build=False, storage_url=postgres_url)
    runner = CliRunner()
    first = runner.invoke(main, ["storage", "migrate", "--config", str(site.config_file),
                                 "--json"])
    assert first.exit_code == 0, first.output
    applied = json.loads(first.output)["applied"]
    assert "comments_0001_tables" in applied and "keys_0001_api_keys" in applied
    again = runner.invoke(main, ["storage", "migrate", "--config", str(site.config_file),
                                 "--json"])
    assert json.loads(again.output)["applied"] == []
    listed = runner.invoke(main, ["comments", "list", "--config", str(site.config_file)])
    assert listed.exit_code == 0, listed.output


@pytest.mark.parametrize("command", [
    ["comments", "list"], ["mentions", "list"], ["keys", "list"], ["storage", "migrate"]])
def test_commands_on_a_database_that_is_down(tmp_path, command):
    url = f"postgresql://ownmedia:s3cret@127.0.0.1:{free_port()}/blog"
    site = make_site(tmp_path, build=False, storage_url=url)
    result = CliRunner().invoke(main, [*command, "--config", str(site.config_file)])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("Error:")
    assert "ownmedia:***@127.0.0.1" in result.output and "s3cret" not in result.output


@pytest.mark.parametrize("command", [["comments", "list"], ["mentions", "list"],
                                     ["keys", "list"]])
def test_commands_migrate_an_empty_database_and_refuse_a_newer_one(tmp_path, postgres_url,
                                                                   command):
    site = make_site(tmp_path, build=False, storage_url=postgres_url)
    result = CliRunner().invoke(main, [*command, "--config", str(site.config_file)])
    assert result.exit_code == 0, result.output
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
        assert any(n.startswith("comments_") for n in names), names
        conn.execute("INSERT INTO schema_migrations(name) VALUES ('keys_9999_future')")
    result = CliRunner().invoke(main, [*command, "--config", str(site.config_file)])
    assert result.exit_code == 1, result.output
    assert "newer than this ownmedia (keys_9999_future)" in result.output

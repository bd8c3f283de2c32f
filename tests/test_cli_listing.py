"""Listing commands for people and scripts: a table at a terminal, whole values in a pipe,
--json; comment ids by unique prefix; no ./data created by a listing outside a site."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.comments.store import Store
from tests.clikit import run_in_terminal
from tests.comments.test_publish import add_pending

LONG_BODY = ("A long comment about the way " * 5) + "JavaScript frameworks\tand\nnewlines."


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input,
                              catch_exceptions=False)


def comments_data(tmp_path: Path) -> tuple[list[str], str, str]:
    data = tmp_path / "data"
    data.mkdir()
    store = Store(data)
    first = add_pending(store, body=LONG_BODY, author="Ann")
    second = add_pending(store, body="Short", author="Bob", status="spam", reason="link farm")
    store.close()
    (tmp_path / "content").mkdir()
    return ["--data", data, "--content", tmp_path / "content"], first, second


def test_comments_list_in_a_pipe_keeps_whole_values(tmp_path):
    where, first, second = comments_data(tmp_path)
    result = run("comments", "list", *where)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split("\t") == ["id", "status", "type", "post", "author", "date", "body",
                                    "reason"]
    row = next(line.split("\t") for line in lines if line.startswith(first))
    assert row[6] == " ".join(LONG_BODY.split())  # whole, on one line
    assert [line for line in lines if "JavaScript" in line]  # `| grep JavaScript` finds it
    assert next(line for line in lines if line.startswith(second)).endswith("\tlink farm")


def test_comments_list_json(tmp_path):
    where, first, second = comments_data(tmp_path)
    data = json.loads(run("comments", "list", "--json", *where).output)
    assert {c["id"] for c in data} == {first, second}
    assert next(c for c in data if c["id"] == first)["body"] == LONG_BODY
    spam = json.loads(run("comments", "list", "--json", "--status", "spam", *where).output)
    assert [c["id"] for c in spam] == [second]


def test_comments_list_at_a_terminal_is_a_table(tmp_path):
    where, first, _ = comments_data(tmp_path)
    status, shown = run_in_terminal("comments", "list", *map(str, where), cwd=tmp_path)
    assert status == 0, shown
    assert first in shown and "┃" in shown and "…" in shown  # shortened for the screen


def test_ids_by_unique_prefix(tmp_path):
    where, first, second = comments_data(tmp_path)
    shown = run("comments", "show", first[:-3], *where)
    assert shown.exit_code == 0 and "JavaScript" in shown.output
    common = next(i for i in range(len(first)) if first[i] != second[i])
    ambiguous = run("comments", "show", first[:common], *where)
    assert ambiguous.exit_code == 2 and "ambiguous" in ambiguous.output
    assert first in ambiguous.output and second in ambiguous.output
    rejected = run("comments", "reject", first[:-2], *where)
    assert rejected.exit_code == 0, rejected.output
    listed = json.loads(run("comments", "list", "--json", *where).output)
    assert next(c for c in listed if c["id"] == first)["status"] == "rejected"


def test_listing_outside_a_site_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("comments", "list")
    assert result.exit_code == 1
    assert f"no data directory at {tmp_path / 'data'} (nor content at " \
           f"{tmp_path / 'content'})" in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []


def test_options_a_command_does_not_use_are_not_listed():
    assert "--site" not in run("comments", "list", "--help").output
    password = run("comments", "set-password", "--help").output
    assert "--site" not in password and "--content" not in password
    assert "--site" in run("comments", "approve", "--help").output  # --render uses it


def test_keys_and_goals_lists(tmp_path):
    data = tmp_path / "data"
    assert run("keys", "create", "reporting laptop", "--data", data).exit_code == 0
    assert run("goals", "add", "--event", "Newsletter signup", "--data", data).exit_code == 0
    keys = json.loads(run("keys", "list", "--json", "--data", data).output)
    assert [k["name"] for k in keys] == ["reporting laptop"]
    lines = run("keys", "list", "--data", data).output.splitlines()
    assert lines[0].startswith("id\tname\t") and "\treporting laptop\t" in lines[1]
    goals = json.loads(run("goals", "list", "--json", "--data", data).output)
    assert {"display_name": "Newsletter signup", "goal_type": "event",
            "event_name": "Newsletter signup", "page_path": None} in goals
    plain = run("goals", "list", "--data", data).output.splitlines()
    assert plain[0] == "name\ttype\tevent\tpage"
    assert "Newsletter signup\tevent\tNewsletter signup\t" in plain

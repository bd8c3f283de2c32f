"""`ownmedia ctas`: the sample site's CTAs and where they are placed; problems exit 1."""

import json
from pathlib import Path

from click.testing import CliRunner

from ownmedia.cli import main
from tests.clikit import run_in_terminal

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, ["ctas", *args], catch_exceptions=False)


def write_site(tmp_path: Path, ctas: dict, posts: dict[str, str], default: str = "") -> Path:
    (tmp_path / "content" / "posts").mkdir(parents=True)
    for name, text in posts.items():
        (tmp_path / "content" / "posts" / name).write_text(text, encoding="utf-8")
    conf = tmp_path / "conf.py"
    conf.write_text(
        f'PATH = "content"\nARTICLE_PATHS = ["posts"]\nPAGE_PATHS = ["pages"]\n'
        f"CTAS = {ctas!r}\n"
        f"CTA_DEFAULT = {default!r}\n",
        encoding="utf-8",
    )
    return conf


def test_sample_site_lists_every_cta_and_its_posts():
    result = run("--settings", str(ROOT / "pelicanconf.py"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["problems"] == []
    assert set(data["ctas"]) >= {"newsletter", "media-kit", "demo", "partner"}
    kit = {(p["slug"], p["lang"]) for p in data["ctas"]["media-kit"]["places"]}
    assert kit == {("calls-to-action", "fr"), ("calls-to-action", "en")}
    demo = data["ctas"]["demo"]["places"]
    assert {p["where"] for p in demo} == {"end"}
    partner = data["ctas"]["partner"]["places"]
    assert all(p["where"].isdigit() for p in partner) and partner


def test_table_at_a_terminal_whole_lines_in_a_pipe():
    status, shown = run_in_terminal("ctas", "--settings", str(ROOT / "pelicanconf.py"))
    assert status == 0, shown
    assert "media-kit" in shown and "calls-to-action (" in shown and "┃" in shown
    result = run("--settings", str(ROOT / "pelicanconf.py"))  # not a terminal
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.splitlines()]
    assert lines[0] == ["id", "default", "label", "destination", "goal", "post", "lang",
                        "source", "where"]
    kit = [line for line in lines if line[0] == "media-kit"]
    assert {(line[5], line[6]) for line in kit} == {("calls-to-action", "fr"),
                                                    ("calls-to-action", "en")}
    assert all(len(line) == 9 for line in lines)


def test_problems_name_post_line_and_id_and_exit_1(tmp_path):
    conf = write_site(tmp_path, {"ok": {"label": "OK", "url": "/ok/"}, "nourl": {"label": "N"}}, {
        "a.md": "Title: A\nSlug: alpha\nDate: 2026-01-01\n\n[[cta:nope]]\n\n[[cta:ok]]\n\n"
                "[[cta:ok]]\n\n[[cta:nourl]]\n",
    }, default="ok")
    result = run("--settings", str(conf), "--json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert any("posts/a.md:5" in p and "'nope'" in p and "alpha" in p for p in problems)
    assert any("posts/a.md:9" in p and "duplicate" in p and "'ok'" in p for p in problems)
    assert any("posts/a.md:11" in p and "'nourl'" in p and "destination" in p for p in problems)


def test_bad_registry_is_a_clear_error(tmp_path):
    conf = write_site(tmp_path, {"Bad Id": {"label": "x", "url": "/"}}, {})
    result = CliRunner().invoke(main, ["ctas", "--settings", str(conf)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "'Bad Id'" in result.output
    assert "Traceback" not in result.output


def test_missing_settings_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["ctas", "--settings", str(tmp_path / "nope.py")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_goals_from_the_registry_and_goal_pages():
    result = run("--settings", str(ROOT / "pelicanconf.py"), "--goals")
    assert result.exit_code == 0, result.output
    assert "ownmedia goals add --event 'CTA Click'" in result.output
    assert "ownmedia goals add --page /newsletter/ --name 'Newsletter landing'" in result.output
    data = json.loads(run("--settings", str(ROOT / "pelicanconf.py"), "--goals", "--json").output)
    assert {"goal_type": "page", "page_path": "/newsletter/",
            "display_name": "Newsletter landing"} in data

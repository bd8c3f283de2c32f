"""Every command of the `ownmedia` tree: --help works, its summary line and every option's help
are in English and French ("English / français", as `ownmedia review`), and defaults are
written one way (click's `[default: ...]`), never by hand in an option's help."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from ownmedia.cli import SUBCOMMANDS, main


def walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), (*path, name))


COMMANDS = dict(walk(main))
HAND_WRITTEN_DEFAULT = re.compile(r"\bdefault\b|\]\.?\s*$", re.I)


def has_default(value: object) -> bool:
    """click 8.3 says "no default" with a sentinel object, older versions with None."""
    return value not in (None, (), []) and type(value).__name__ != "Sentinel"


def test_the_tree_holds_every_subcommand():
    assert {path[0] for path in COMMANDS if path} == set(SUBCOMMANDS)
    assert ("comments", "list") in COMMANDS and ("new", "post") in COMMANDS
    assert len(COMMANDS) > 30


@pytest.mark.parametrize("path", list(COMMANDS), ids=lambda p: " ".join(p) or "ownmedia")
def test_help_works_and_is_bilingual(path):
    command = COMMANDS[path]
    result = CliRunner().invoke(main, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = command.get_short_help_str(limit=1000)
    english, sep, french = summary.partition(" / ")
    assert sep and english.strip() and french.strip(), f"summary not bilingual: {summary!r}"
    assert summary.split(" / ")[0] in " ".join(result.output.split())


@pytest.mark.parametrize("path", list(COMMANDS), ids=lambda p: " ".join(p) or "ownmedia")
def test_defaults_are_shown_by_click_only(path):
    for param in COMMANDS[path].params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        assert param.help, f"{param.opts[0]} has no help"
        assert not HAND_WRITTEN_DEFAULT.search(param.help), \
            f"{param.opts[0]}: default written by hand in {param.help!r} (use show_default)"
    result = CliRunner().invoke(main, [*path, "--help"])
    ctx = click.Context(COMMANDS[path])
    valued = [p for p in COMMANDS[path].params if isinstance(p, click.Option)
              and not p.is_flag and has_default(p.get_default(ctx, call=False))]
    for param in valued:  # a real default is always printed, in click's words
        line = next(i for i, text in enumerate(result.output.splitlines())
                    if param.opts[0] in text)
        block = " ".join(result.output.splitlines()[line:line + 6])
        assert "[default:" in block, f"{param.opts[0]}: default not shown"


def bilingual(text: str) -> bool:
    english, sep, french = text.partition(" / ")
    return bool(sep and english.strip() and french.strip())


@pytest.mark.parametrize("path", list(COMMANDS), ids=lambda p: " ".join(p) or "ownmedia")
def test_every_option_help_is_bilingual(path):
    command = COMMANDS[path]
    options = [p for p in command.get_params(click.Context(command))
               if isinstance(p, click.Option) and not p.hidden]
    assert any("--help" in p.opts for p in options)
    english_only = [p.opts[0] for p in options if not bilingual(p.help or "")]
    assert not english_only, f"help in one language only: {english_only}"
    shown = " ".join(CliRunner().invoke(main, [*path, "-h"]).output.split())
    assert "Show this help and exit / afficher cette aide." in shown
    assert "Show this message and exit" not in shown  # click's own, English-only help option

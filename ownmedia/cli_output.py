"""How listing commands print: a table for a person at a terminal, whole values one row per
line (tab-separated, with a header) for a pipe or a file, JSON with --json. `ownmedia comments
list | grep JavaScript` must find a comment whose body the terminal table shortens."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import click

T = TypeVar("T")


def to_terminal() -> bool:
    return sys.stdout.isatty()


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def plain_cell(value: object) -> str:
    """One line per row: tabs and newlines inside a value become spaces."""
    return " ".join(str("" if value is None else value).split())


def echo_plain(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    click.echo("\t".join(columns))
    for row in rows:
        click.echo("\t".join(plain_cell(value) for value in row))


def print_listing(columns: Sequence[str], rows: Sequence[Sequence[object]], *,
                  title: str = "", table: Callable[[], None] | None = None) -> None:
    """A rich table at a terminal (`table` draws a custom one), plain lines otherwise."""
    if not to_terminal():
        echo_plain(columns, rows)
        return
    if table is not None:
        table()
        return
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=title or None)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*("" if v is None else str(v) for v in row))
    Console().print(grid)


def resolve_one(given: str, items: Sequence[T], names: Callable[[T], Iterable[str]],
                what: str, what_fr: str, label: Callable[[T], str] = str) -> T:
    """The one item `given` names, for every command taking an id: an item with a name equal
    to it wins, else the one whose name starts with it, as git takes a short hash. Unknown or
    ambiguous: a usage error (exit 2) naming the candidates, before anything is changed."""
    from ownmedia.cli_i18n import tr

    if not given.strip():
        raise click.UsageError(tr(f"an empty {what} id", f"identifiant vide ({what_fr})"))
    found = [i for i in items if given in names(i)]
    if not found:
        found = [i for i in items if any(n.startswith(given) for n in names(i))]
    if len(found) == 1:
        return found[0]
    if not found:
        raise click.UsageError(tr(f"{what} {given!r} not found: no {what} id starts with it",
                                  f"{what_fr} {given!r} introuvable : aucun identifiant ne "
                                  "commence ainsi"))
    labels = sorted(label(i) for i in found)
    shown = ", ".join(labels[:10]) + (" ..." if len(labels) > 10 else "")
    raise click.UsageError(tr(f"{given!r} is ambiguous: {len(found)} {what} ids start with "
                              f"it ({shown})",
                              f"{given!r} est ambigu : {len(found)} identifiants ({what_fr}) "
                              f"commencent ainsi ({shown})"))


def resolve_prefix(given: str, candidates: Iterable[str], what: str, what_fr: str) -> str:
    """The one id of `candidates` that `given` is or starts (see resolve_one)."""
    return resolve_one(given, list(dict.fromkeys(candidates)), lambda i: (i,), what, what_fr)

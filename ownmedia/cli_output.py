"""How listing commands print: a table for a person at a terminal, whole values one row per
line (tab-separated, with a header) for a pipe or a file, JSON with --json. `ownmedia comments
list | grep JavaScript` must find a comment whose body the terminal table shortens."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence

import click


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


def resolve_prefix(given: str, candidates: Iterable[str], what: str) -> str:
    """The one id starting with `given` (an exact id wins); none or several: a usage error
    that lists the candidates, as git does for an ambiguous short hash."""
    from ownmedia.cli_i18n import tr

    ids = list(candidates)
    if given in ids:
        return given
    matches = sorted(i for i in ids if i.startswith(given))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise click.UsageError(tr(f"no {what} id starts with {given!r}",
                                  f"aucun identifiant ({what}) ne commence par {given!r}"))
    shown = ", ".join(matches[:10]) + (" ..." if len(matches) > 10 else "")
    raise click.UsageError(tr(f"{given!r} is ambiguous: {len(matches)} {what} ids start with "
                              f"it ({shown})",
                              f"{given!r} est ambigu : {len(matches)} identifiants ({what}) "
                              f"commencent ainsi ({shown})"))

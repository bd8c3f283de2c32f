"""`ownmedia storage ...`: bring the database schema up to date, and move a data directory's
SQLite files into PostgreSQL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ownmedia.cli_i18n import tr
from ownmedia.cli_options import config_option, data_option, json_option
from ownmedia.config import ConfigError, load_config
from ownmedia.storage import is_postgres, open_backend
from ownmedia.storage.errors import StorageError


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             help=tr("Storage / stockage: migrate the database schema, copy SQLite data into "
                     "PostgreSQL.",
                     "Stockage / storage : migrer le schéma de la base, copier les données "
                     "SQLite dans PostgreSQL."))
def storage() -> None:
    pass


@storage.command("migrate", help=tr(
    "Migrate / migrer: bring the schema of [storage] url up to date (PostgreSQL; the SQLite "
    "files migrate themselves when opened). Safe to run again, and from several instances.",
    "Migrer / migrate : mettre à jour le schéma de [storage] url (PostgreSQL ; les fichiers "
    "SQLite se migrent à l'ouverture). Sans risque si relancé, même depuis plusieurs "
    "instances."))
@config_option()
@data_option()
@click.option("--url", default=None, metavar="postgresql://...", show_default="[storage] url",
              help="Database to migrate / base à migrer.")
@json_option("Print the migrations applied as JSON / migrations appliquées en JSON.")
def migrate_cmd(config_file, data_dir, url, as_json) -> None:
    try:
        config = load_config(config_file, server={"data": data_dir})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    backend = open_backend(config, url=url)
    try:
        applied = backend.migrate()
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        backend.close()
    if as_json:
        click.echo(json.dumps({"database": backend.describe(), "applied": applied}))
        return
    click.echo(tr(f"{backend.describe()}: {len(applied)} migration(s) applied, schema up to date",
                  f"{backend.describe()} : {len(applied)} migration(s) appliquée(s), schéma à "
                  "jour"))


@storage.command("copy", help=tr(
    "Copy / copier: everything of a SQLite data directory (events, sessions, comments, "
    "keys, goals, queues) into PostgreSQL. Running it again adds only what is missing.",
    "Copier / copy : toutes les données d'un dossier SQLite (événements, sessions, "
    "commentaires, clés, objectifs, files) dans PostgreSQL. Relancé, n'ajoute que ce qui "
    "manque."))
@click.option("--from", "source", required=True, metavar="sqlite:DIR",
              help="The data directory to read / dossier des données à lire, e.g. sqlite:data.")
@click.option("--to", "target", required=True, metavar="postgresql://...",
              help="The PostgreSQL database to fill / base PostgreSQL à remplir (migrated "
                   "first / migrée d'abord).")
@json_option("Print the table counts as JSON / nombre de lignes par table en JSON.")
def copy_cmd(source: str, target: str, as_json: bool) -> None:
    from ownmedia.storage.copy import copy_all, plan
    from ownmedia.storage.postgres import redact_url

    if not source.startswith("sqlite:"):
        raise click.UsageError(tr("--from must be sqlite:DIR", "--from doit être sqlite:DOSSIER"))
    source_dir = Path(source.removeprefix("sqlite:").removeprefix("//") or ".")
    if not source_dir.is_dir():
        raise click.UsageError(tr(f"--from: no directory {source_dir}",
                                  f"--from : pas de dossier {source_dir}"))
    if not is_postgres(target):
        raise click.UsageError(tr("--to must be a postgresql://... URL",
                                  "--to doit être une URL postgresql://..."))
    total = sum(count for _, count in plan(source_dir))
    try:
        if as_json or not sys.stderr.isatty():
            results = copy_all(source_dir, target)
        else:
            results = _copy_with_progress(source_dir, target, total)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    bad = [r for r in results if not r.ok]
    if as_json:
        click.echo(json.dumps({"from": str(source_dir), "to": redact_url(target),
                               "tables": [vars(r) for r in results], "ok": not bad}, indent=1))
    else:
        _print(results)
    if bad:
        raise click.ClickException(tr(
            "counts differ for " + ", ".join(r.table for r in bad) + " (rows the target had"
            " before, or written meanwhile): check before switching",
            "les comptes diffèrent pour " + ", ".join(r.table for r in bad) + " (lignes déjà"
            " dans la cible, ou écrites pendant la copie) : vérifier avant de basculer"))


def _copy_with_progress(source_dir: Path, target: str, total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ownmedia.storage.copy import copy_all

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  transient=True) as bar:
        task = bar.add_task(tr("copying rows", "copie des lignes"), total=total)
        return copy_all(source_dir, target,
                        lambda table, n: bar.update(task, advance=n, description=table))


def _print(results) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=tr("Copied / copié", "Copié / copied"))
    for col in ("table", tr("source rows", "lignes source"), tr("target rows", "lignes cible"),
                tr("new", "nouvelles"), ""):
        table.add_column(col)
    for r in results:
        table.add_row(r.table, str(r.source_rows), str(r.target_rows), str(r.copied),
                      r.skipped or ("ok" if r.ok else tr("MISMATCH", "ÉCART")))
    Console().print(table)

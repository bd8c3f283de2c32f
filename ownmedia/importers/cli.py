"""`ownmedia import wordpress EXPORT.xml`: a WordPress blog, its conversation included."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ownmedia.cli_options import config_option, data_option, json_option
from ownmedia.config import ConfigError, load_config
from ownmedia.storage.errors import StorageError


@click.group("import", context_settings={"help_option_names": ["-h", "--help"]})
def import_group() -> None:
    """Import another blog / importer un autre blog (WordPress)."""


@import_group.command("wordpress")
@click.argument("export", type=click.Path(exists=True, dir_okay=False))
@click.option("--content", "content_dir", type=click.Path(file_okay=False), default=None,
              show_default="the settings' PATH",
              help="Content directory to write into / dossier du contenu.")
@click.option("--uploads", "uploads_dir", type=click.Path(exists=True, file_okay=False),
              default=None, help="Local copy of wp-content/uploads / copie locale de "
              "wp-content/uploads (images and attachments are copied from it).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True, help="Posts as Markdown (converted) or as the HTML WordPress "
              "stored / billets en Markdown ou en HTML.")
@click.option("--keep-emails", is_flag=True, help="Keep commenters' e-mail addresses in the "
              "store (never published; dropped otherwise) / garder les adresses des "
              "commentateurs.")
@click.option("--spam", type=click.Choice(["skip", "import"]), default="skip",
              show_default=True, help="Spam and trashed comments: count and leave out, or keep "
              "them unpublished in the store / spam et corbeille : ignorer ou garder.")
@click.option("--overwrite", is_flag=True, help="Rewrite posts and pages a previous import "
              "wrote (edited since? they are replaced) / réécrire les fichiers déjà importés.")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False), default=None,
              show_default="pelicanconf.py when present",
              help="Pelican settings (URLs, slugs, folders) / réglages Pelican.")
@config_option()
@data_option(what="Data directory of the comments store / dossier des données (commentaires).")
@json_option("Print the summary as JSON / résumé en JSON.")
def wordpress(export: str, content_dir: str | None, uploads_dir: str | None, fmt: str,
              keep_emails: bool, spam: str, overwrite: bool, settings_file: str | None,
              config_file: str | None, data_dir: str | None, as_json: bool) -> None:
    """Import a WordPress export / importer un export WordPress (Tools > Export, WXR 1.0-1.2).

    Posts, pages, categories, tags, authors, dates, drafts (as drafts), featured images and
    attachments; every approved comment, pingback and trackback as a comment file, pending ones
    in the moderation queue; redirects from the old URLs (content/extra/redirects.json, served
    by `ownmedia serve`, and rules for nginx and Caddy). Running it again adds only what is new.

    Billets, pages, catégories, étiquettes, auteurs, dates, brouillons, images ; les
    commentaires, pingbacks et rétroliens approuvés deviennent des fichiers, ceux en attente
    vont en modération ; redirections depuis les anciennes adresses. Relancer n'ajoute que le
    nouveau."""
    from ownmedia.importers.wordpress import ImportOptions
    from ownmedia.importers.wxr import WXRError, parse_wxr

    try:
        config = load_config(config_file, server={"data": data_dir})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    settings = _settings(settings_file)
    content = Path(content_dir or settings.get("PATH") or "content")
    try:
        parsed = parse_wxr(export)
    except WXRError as exc:
        raise click.ClickException(str(exc)) from None
    options = ImportOptions(
        content_dir=content, data_dir=config.data_dir, settings=settings,
        uploads_dir=Path(uploads_dir) if uploads_dir else None, format=fmt,
        keep_emails=keep_emails, spam=spam, overwrite=overwrite,
        storage_url=config.storage.url,
    )
    try:
        summary = _run(parsed, options, progress=not as_json and sys.stderr.isatty())
    except (OSError, StorageError) as exc:
        raise click.ClickException(f"import stopped: {exc}") from None
    result = {"export": {"file": export, "wxr_version": parsed.version, "site": parsed.link,
                         "items": len(parsed.items)},
              "content": str(content), "data": str(config.data_dir), **summary.as_dict(),
              "redirect_files": summary.files}
    if as_json:
        click.echo(json.dumps(result, indent=1, ensure_ascii=False))
        return
    _print_summary(result)


def _run(parsed, options, progress: bool):
    """The import, with a progress bar on a terminal (stderr, gone once done)."""
    from ownmedia.importers.wordpress import WordPressImporter

    if progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(TextColumn("importing / import"), BarColumn(), MofNCompleteColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("import", total=None)
            summary = WordPressImporter(
                parsed, options,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            ).run()
        return summary
    return WordPressImporter(parsed, options).run()


def _settings(settings_file: str | None) -> dict:
    """The site's Pelican settings (Pelican's defaults when there are none)."""
    from pelican.settings import DEFAULT_CONFIG, read_settings

    path = settings_file or ("pelicanconf.py" if Path("pelicanconf.py").is_file() else None)
    if path is None:
        return dict(DEFAULT_CONFIG, PATH="content")
    if not Path(path).is_file():
        raise click.ClickException(f"{path}: no such settings file")
    try:
        return read_settings(path)
    except (ValueError, OSError, SyntaxError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def _print_summary(result: dict) -> None:
    # not a terminal (a log, a pipe): wide enough that no cell is cut or wrapped
    console = Console(width=None if sys.stdout.isatty() else 240)
    table = Table(title=f"WordPress import · {result['export']['file']} "
                  f"(WXR {result['export']['wxr_version']})")
    for col in ("what / quoi", "count", "detail"):
        table.add_column(col)
    for kind, outcomes in result["items"].items():
        for outcome, n in outcomes.items():
            table.add_row(f"{kind}s", str(n), outcome)
    for kind, statuses in result["comments"].items():
        table.add_row(f"{kind}s in the export", str(sum(statuses.values())),
                      ", ".join(f"{s}: {n}" for s, n in statuses.items()))
    for outcome, n in result["comment_outcomes"].items():
        table.add_row("comments / commentaires", str(n), outcome)
    for outcome, n in result["attachments"].items():
        table.add_row("uploads / fichiers", str(n), outcome)
    table.add_row("links rewritten / liens", str(result["links_rewritten"]), "to the copies")
    table.add_row("redirects", str(result["redirects"]), ", ".join(result["redirect_files"]))
    for row in result["skipped"]:
        table.add_row(f"skipped: {row['what']}", str(row["count"]), row["why"])
    console.print(table)

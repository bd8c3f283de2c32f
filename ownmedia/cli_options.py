"""Options many commands share, written once so their help reads the same everywhere: both
languages ("English / français"), and a default said only by click's `[default: ...]`."""

from __future__ import annotations

from collections.abc import Callable

import click

HELP_TEXT = "Show this help and exit / afficher cette aide."


def config_option(dest: str = "config_file") -> Callable:
    return click.option("--config", dest, type=click.Path(dir_okay=False), default=None,
                        help="TOML configuration file / fichier de configuration "
                             "(as for `ownmedia serve`).")


def data_option(dest: str = "data_dir", what: str = "") -> Callable:
    """--data; `what` tells in both languages what the command reads there, when it helps."""
    return click.option("--data", dest, type=click.Path(file_okay=False), default=None,
                        show_default="[server] data",
                        help=what or "Data directory / dossier des données.")


def json_option(help: str = "JSON for scripts / JSON pour les scripts.") -> Callable:
    return click.option("--json", "as_json", is_flag=True, help=help)


def site_id_option() -> Callable:
    return click.option("--site-id", default=None, show_default="first of [analytics] domains",
                        help="Site (domain) / site (domaine).")


def stats_api_options(f: Callable) -> Callable:
    """--url, --key and --timeout of a command reading the Stats API."""
    f = click.option("--timeout", type=click.FloatRange(min=1), default=120, show_default=True,
                     help="Seconds to wait for each answer of the server / secondes "
                          "d'attente par réponse.")(f)
    f = click.option("--key", default=None, envvar="OWNMEDIA_STATS_KEY",
                     show_envvar=True,
                     help="API key for --url / clé de l'API pour --url.")(f)
    return click.option("--url", default=None,
                        help="Stats API base URL / adresse de l'API de statistiques (a "
                             "Plausible instance or `ownmedia serve`; without it the data "
                             "directory is read in-process / sans elle, le dossier des "
                             "données est lu directement).")(f)


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


def bilingual_help_option(command: click.Command) -> None:
    """Give `command` and its subcommands a -h/--help whose help is in both languages (click
    writes its own in English); an option of ours with those names makes click leave out its
    own, through its public behaviour (names other parameters hold are not given to it)."""
    if not any("--help" in p.opts for p in command.params):
        command.params.append(click.Option(["-h", "--help"], is_flag=True, expose_value=False,
                                           is_eager=True, callback=_show_help, help=HELP_TEXT))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            bilingual_help_option(sub)

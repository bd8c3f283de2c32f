"""`ownmedia keys ...` (Stats API keys) and `ownmedia goals ...` (what counts as a conversion)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import click
from rich.console import Console
from rich.table import Table

from ownmedia.cli_options import config_option, data_option, json_option, site_id_option
from ownmedia.cli_output import echo_json, print_listing
from ownmedia.config import Config, ConfigError, load_config
from ownmedia.storage.errors import StorageError


def _config_options(func):
    @config_option()
    @data_option()
    @functools.wraps(func)
    def wrapper(config_file, data_dir, **kwargs):
        try:
            config = load_config(config_file, server={"data": data_dir})
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            return func(config, **kwargs)
        except StorageError as exc:  # database down or not migrated: one line, exit 1
            raise click.ClickException(str(exc)) from None

    return wrapper


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M") if ts else "-"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def keys() -> None:
    """Stats API keys / clés de l'API de statistiques (stored hashed in data/keys.sqlite3)."""


@keys.command("create")
@click.argument("name")
@click.option("--site", "sites", multiple=True, metavar="DOMAIN",
              show_default="every site",
              help="Only this site (repeatable) / seulement ce site.")
@_config_options
def keys_create(config: Config, name: str, sites: tuple[str, ...]) -> None:
    """Make a key named NAME and print it once / crée une clé, affichée une seule fois."""
    from ownmedia.stats.keys import KeyStore

    unknown = [s for s in sites if s.strip().lower() not in config.analytics.domains]
    if unknown:
        raise click.ClickException(
            f"not in [analytics] domains / absent de [analytics] domains: {', '.join(unknown)}")
    store = KeyStore(config)
    try:
        info, key = store.create(name, sites)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(key)
    click.echo(f"Key #{info.id} '{info.name}' created; it is shown only now / "
               "elle n'est affichée qu'une fois.", err=True)


@keys.command("list")
@json_option()
@_config_options
def keys_list(config: Config, as_json: bool) -> None:
    """List keys (never their value) / liste les clés."""
    from ownmedia.stats.keys import KeyStore

    store = KeyStore(config)
    try:
        rows = store.list()
    finally:
        store.close()
    if as_json:
        echo_json([{"id": k.id, "name": k.name, "hint": k.hint, "sites": list(k.sites),
                    "created": k.created, "last_used": k.last_used, "revoked": k.revoked}
                   for k in rows])
        return

    def table() -> None:
        grid = Table(title="API keys / clés")
        for col in ("id", "name / nom", "starts with / début", "sites", "created / créée",
                    "last used / utilisée", "revoked / révoquée"):
            grid.add_column(col, overflow="fold")
        for k in rows:
            grid.add_row(str(k.id), k.name, k.hint + "…", ", ".join(k.sites) or "*",
                         _when(k.created), _when(k.last_used), _when(k.revoked))
        Console().print(grid)

    print_listing(("id", "name", "starts_with", "sites", "created", "last_used", "revoked"),
                  [(k.id, k.name, k.hint, ",".join(k.sites) or "*", _when(k.created),
                    _when(k.last_used), _when(k.revoked)) for k in rows], table=table)


@keys.command("revoke")
@click.argument("ref")
@_config_options
def keys_revoke(config: Config, ref: str) -> None:
    """Revoke a key / révoque une clé: by id, name or first characters, or a unique prefix of
    one of them (two keys with that name: give the id)."""
    from ownmedia.cli_output import resolve_one
    from ownmedia.stats.keys import KeyStore

    store = KeyStore(config)
    try:
        active = [k for k in store.list() if not k.revoked]
        key = resolve_one(ref, active, lambda k: (str(k.id), k.name, k.hint), "active key",
                          "clé active",
                          label=lambda k: f"#{k.id} {k.name!r} ({k.hint}…)")
        n = store.revoke(str(key.id))
    finally:
        store.close()
    click.echo(f"revoked key #{key.id} '{key.name}' / {n} clé révoquée")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def goals() -> None:
    """Goals / objectifs: standard events, [analytics].goals and stored goals."""


def _site(config: Config, site_id: str | None) -> str:
    return site_id or config.analytics.domains[0]


@goals.command("list")
@site_id_option()
@json_option()
@_config_options
def goals_list(config: Config, site_id: str | None, as_json: bool) -> None:
    """List the goals of a site / liste les objectifs."""
    from ownmedia.stats.store import StatsStore

    store = StatsStore(config.data_dir, config)
    try:
        rows = store.goals(_site(config, site_id))
    finally:
        store.close()
    if as_json:  # the shape of Plausible's Sites API goals
        echo_json([{"display_name": g.display_name, "goal_type": g.goal_type,
                    "event_name": g.event_name or None, "page_path": g.page_path or None}
                   for g in rows])
        return

    def table() -> None:
        grid = Table(title=f"Goals / objectifs — {_site(config, site_id)}")
        for col in ("name / nom", "type", "event / événement", "page"):
            grid.add_column(col, overflow="fold")
        for g in rows:
            grid.add_row(g.display_name, g.goal_type, g.event_name or "-", g.page_path or "-")
        Console().print(grid)

    print_listing(("name", "type", "event", "page"),
                  [(g.display_name, g.goal_type, g.event_name or "", g.page_path or "")
                   for g in rows], table=table)


@goals.command("add")
@click.option("--event", "event_name", default=None,
              help="An event name / un nom d'événement, e.g. 'CTA Click'.")
@click.option("--page", "page_path", default=None,
              help="A page path / un chemin de page (wildcards * / jokers *), e.g. /merci/.")
@click.option("--name", "display_name", default=None, show_default="the event, or 'Visit <page>'",
              help="Display name / nom affiché.")
@site_id_option()
@_config_options
def goals_add(config: Config, event_name: str | None, page_path: str | None,
              display_name: str | None, site_id: str | None) -> None:
    """Add a goal (idempotent) / ajoute un objectif (sans doublon)."""
    from ownmedia.stats.goals import GoalError, make_goal
    from ownmedia.stats.store import StatsStore

    if bool(event_name) == bool(page_path):
        raise click.UsageError("give exactly one of --event or --page / --event ou --page")
    try:
        goal = make_goal({"event_name": event_name, "page_path": page_path,
                          "display_name": display_name})
    except GoalError as exc:
        raise click.ClickException(str(exc)) from None
    store = StatsStore(config.data_dir, config)
    try:
        stored, created = store.put_goal(_site(config, site_id), goal)
    finally:
        store.close()
    click.echo(("created" if created else "already there / déjà présent") +
               f": {stored.display_name}")

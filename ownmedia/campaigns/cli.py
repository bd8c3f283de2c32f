"""`ownmedia campaigns`: state a target ("2,000,000 pageviews by 26 April") and see whether
the channel is on course. Campaigns live in the campaign store; those declared in the
configuration's [[campaigns]] tables are shown too, and are edited in that file only."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime

import click
from rich.console import Console
from rich.table import Table

from ownmedia.campaigns.model import Campaign, CampaignError, make_campaign
from ownmedia.cli_i18n import tr
from ownmedia.cli_options import (
    config_option,
    data_option,
    json_option,
    site_id_option,
    stats_api_options,
)
from ownmedia.config import Config, ConfigError, load_config
from ownmedia.storage.errors import StorageError

CONTEXT = {"help_option_names": ["-h", "--help"]}
METRIC_HELP = ("What to count / quoi compter: visitors, pageviews, 'video plays' or a goal's "
               "name (its completions).")
FILTER_HELP = ("Narrow the count (repeatable) / restreindre le compte: page=/2026/x/, "
               "utm_medium=print, channel='Organic Search', source~google, utm_campaign!=test, "
               "prop:NAME=VALUE.")
FROM_HELP = "First day / premier jour (UTC)."
UNTIL_HELP = "Last day, included / dernier jour, inclus (UTC)."
AS_JSON_HELP = "Print the stored campaign as JSON / la campagne stockée en JSON."


def store_options(f: Callable) -> Callable:
    return config_option()(data_option()(f))


def _config(config_file: str | None, data_dir: str | None) -> Config:
    try:
        return load_config(config_file, server={"data": data_dir})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


class _Store:
    """The campaign store of a command, closed on exit; storage trouble becomes a message."""

    def __init__(self, config: Config):
        self.config = config

    def __enter__(self):
        from ownmedia.storage import open_backend

        self.backend = open_backend(self.config)
        try:
            self.store = self.backend.campaigns
        except StorageError as exc:
            self.backend.close()
            raise click.ClickException(tr(f"cannot open the campaign store: {exc}",
                                          f"stockage des campagnes inaccessible: {exc}")) from None
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.backend.close()


def _named(config: Config, given: str) -> Campaign:
    """The campaign (stored or configured) `given` names in full or by a unique prefix;
    unknown or ambiguous: exit 2 naming the candidates."""
    from ownmedia.campaigns.catalog import load_campaigns
    from ownmedia.cli_output import resolve_one

    try:
        found = load_campaigns(config)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    return resolve_one(given, found, lambda c: (c.name,), "campaign", "campagne",
                       label=lambda c: c.name)


def _declared(config: Config, name: str) -> Campaign | None:
    return next((c for c in config.campaigns if c.name == name), None)


def _read_only(c: Campaign) -> click.ClickException:
    return click.ClickException(tr(
        f"campaign {c.name!r} is declared in {c.origin}: change it there",
        f"la campagne {c.name!r} est déclarée dans {c.origin}: modifiez-la dans ce fichier"))


def _check(build: Callable[[], Campaign]) -> Campaign:
    try:
        return build()
    except CampaignError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings=CONTEXT,
             help=tr("Campaigns / campagnes: targets (visitors, pageviews, video plays, goals) "
                     "between two days, and whether the channel is on course.",
                     "Campaigns / campagnes: des objectifs (visiteurs, pages vues, lectures "
                     "vidéo, objectifs) entre deux dates, et si le canal est en bonne voie."))
def campaigns() -> None:
    pass


@campaigns.command("add", context_settings=CONTEXT,
                   help=tr("Add a campaign / ajouter une campagne: NAME --metric --target "
                           "--from --until [--filter ...].",
                           "Add a campaign / ajouter une campagne: NOM --metric --target "
                           "--from --until [--filter ...]."))
@click.argument("name")
@click.option("--metric", required=True, help=METRIC_HELP)
@click.option("--target", required=True,
              help="What to reach, a whole number / le nombre à atteindre (2000000).")
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help=FROM_HELP)
@click.option("--until", "end", required=True, metavar="YYYY-MM-DD", help=UNTIL_HELP)
@click.option("--filter", "filters", multiple=True, help=FILTER_HELP)
@json_option(AS_JSON_HELP)
@store_options
def add(name: str, metric: str, target: str, start: str, end: str, filters: tuple[str, ...],
        as_json: bool, config_file: str | None, data_dir: str | None) -> None:
    config = _config(config_file, data_dir)
    campaign = _check(lambda: make_campaign(name, metric, target, start, end, filters))
    if (declared := _declared(config, campaign.name)) is not None:
        raise _read_only(declared)
    from ownmedia.storage.campaign_port import CampaignExists

    with _Store(config) as store:
        try:
            store.add(campaign)
        except CampaignExists:
            raise click.ClickException(tr(
                f"a campaign named {campaign.name!r} exists: `ownmedia campaigns edit` it",
                f"une campagne {campaign.name!r} existe déjà: utilisez `edit`")) from None
    _say(campaign, as_json, tr("added", "ajoutée"))


@campaigns.command("list", context_settings=CONTEXT,
                   help=tr("List campaigns / lister les campagnes (stored and configured).",
                           "List campaigns / lister les campagnes (stockées et configurées)."))
@json_option()
@store_options
def list_(as_json: bool, config_file: str | None, data_dir: str | None) -> None:
    from ownmedia.campaigns.catalog import load_campaigns

    config = _config(config_file, data_dir)
    try:
        found = load_campaigns(config)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        sys.stdout.write(json.dumps([c.as_dict() for c in found], indent=2,
                                    ensure_ascii=False) + "\n")
        return
    if not found:
        click.echo(tr("No campaigns. Add one: ownmedia campaigns add NAME --metric pageviews "
                      "--target 2000000 --from 2026-03-02 --until 2026-04-26",
                      "Aucune campagne. Pour en créer une: ownmedia campaigns add NOM --metric "
                      "pageviews --target 2000000 --from 2026-03-02 --until 2026-04-26"))
        return
    t = Table(title=tr("Campaigns", "Campagnes"))
    for col in ("name", "metric", "target", "from", "until", "filters", "defined in"):
        t.add_column(col, justify="right" if col == "target" else "left")
    for c in found:
        t.add_row(c.name, c.metric, f"{c.target:,}", c.start.isoformat(), c.end.isoformat(),
                  " ".join(c.filters) or "–", c.origin if c.read_only else "store")
    Console(soft_wrap=False, width=max(Console().width, 100)).print(t)


@campaigns.command("show", context_settings=CONTEXT,
                   help=tr("Show a campaign / voir une campagne: progress, pace needed vs "
                           "achieved, projection and verdict, from the Stats API.",
                           "Show a campaign / voir une campagne: avancement, rythme nécessaire "
                           "et atteint, projection et verdict, depuis la Stats API."))
@click.argument("name")
@json_option()
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", show_default="today, UTC",
              help="Measure as of this day, the last counted / mesurer à ce jour, le dernier "
                   "compté.")
@stats_api_options
@site_id_option()
@store_options
def show(name: str, as_json: bool, as_of: str | None, url: str | None, key: str | None,
         site_id: str | None, timeout: float, config_file: str | None,
         data_dir: str | None) -> None:
    from ownmedia.campaigns.progress import measure
    from ownmedia.review.client import StatsClient, StatsError, embedded_client

    config = _config(config_file, data_dir)
    try:
        day = date.fromisoformat(as_of) if as_of else datetime.now(UTC).date()
    except ValueError:
        raise click.BadParameter(f"{as_of!r}: expected YYYY-MM-DD", param_hint="--as-of") \
            from None
    if url and not key:
        raise click.UsageError("--url needs --key (or OWNMEDIA_STATS_KEY) / clé requise")
    campaign = _named(config, name)

    async def run() -> dict:
        client = StatsClient(url, key, timeout=timeout) if url else embedded_client(config)
        async with client:
            return await measure(client, site_id or config.analytics.domains[0], campaign, day)

    try:
        measured = asyncio.run(run())
    except StatsError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        sys.stdout.write(json.dumps(measured, indent=2, ensure_ascii=False) + "\n")
        return
    from ownmedia.review.campaigns import render_one

    render_one(measured, Console(soft_wrap=False, width=max(Console().width, 100)))


@campaigns.command("edit", context_settings=CONTEXT,
                   help=tr("Edit a stored campaign / modifier une campagne: only the options "
                           "given change.",
                           "Edit a stored campaign / modifier une campagne: seules les options "
                           "données changent."))
@click.argument("name")
@click.option("--name", "new_name", default=None, help="New name / nouveau nom.")
@click.option("--metric", default=None, help=METRIC_HELP)
@click.option("--target", default=None,
              help="What to reach, a whole number / le nombre à atteindre.")
@click.option("--from", "start", default=None, metavar="YYYY-MM-DD", help=FROM_HELP)
@click.option("--until", "end", default=None, metavar="YYYY-MM-DD", help=UNTIL_HELP)
@click.option("--filter", "filters", multiple=True,
              help="Replace the filters / remplacer les filtres. " + FILTER_HELP)
@click.option("--no-filters", is_flag=True,
              help="Remove every filter / enlever tous les filtres.")
@json_option(AS_JSON_HELP)
@store_options
def edit(name: str, new_name: str | None, metric: str | None, target: str | None,
         start: str | None, end: str | None, filters: tuple[str, ...], no_filters: bool,
         as_json: bool, config_file: str | None, data_dir: str | None) -> None:
    config = _config(config_file, data_dir)
    if filters and no_filters:
        raise click.UsageError("--filter and --no-filters exclude each other")
    name = _named(config, name).name
    if (declared := _declared(config, name)) is not None:
        raise _read_only(declared)
    if new_name and (declared := _declared(config, new_name)) is not None:
        raise _read_only(declared)
    from ownmedia.storage.campaign_port import CampaignExists, CampaignMissing

    with _Store(config) as store:
        old = store.get(name)
        if old is None:
            raise click.ClickException(tr(f"no stored campaign named {name!r}",
                                          f"aucune campagne {name!r}"))
        campaign = _check(lambda: make_campaign(
            new_name if new_name is not None else old.name,
            metric if metric is not None else old.metric,
            target if target is not None else old.target,
            start if start is not None else old.start, end if end is not None else old.end,
            () if no_filters else (filters or old.filters)))
        try:
            store.replace(name, campaign)
        except CampaignExists:
            raise click.ClickException(tr(f"a campaign named {campaign.name!r} exists",
                                          f"une campagne {campaign.name!r} existe")) from None
        except CampaignMissing:
            raise click.ClickException(f"{name!r} was removed meanwhile") from None
    _say(campaign, as_json, tr("changed", "modifiée"))


@campaigns.command("remove", context_settings=CONTEXT,
                   help=tr("Remove a stored campaign / supprimer une campagne (the traffic it "
                           "counted stays).",
                           "Remove a stored campaign / supprimer une campagne (les visites "
                           "comptées restent)."))
@click.argument("name")
@store_options
def remove(name: str, config_file: str | None, data_dir: str | None) -> None:
    config = _config(config_file, data_dir)
    name = _named(config, name).name
    if (declared := _declared(config, name)) is not None:
        raise _read_only(declared)
    from ownmedia.storage.campaign_port import CampaignMissing

    with _Store(config) as store:
        try:
            store.remove(name)
        except CampaignMissing:
            raise click.ClickException(tr(f"no stored campaign named {name!r}",
                                          f"aucune campagne {name!r}")) from None
    click.echo(tr(f"removed {name}", f"supprimée: {name}"))


def _say(c: Campaign, as_json: bool, what: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(c.as_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    where = f" ({' '.join(c.filters)})" if c.filters else ""
    click.echo(f"{what}: {c.name}: {c.target:,} {c.metric} {c.start}..{c.end}{where}")

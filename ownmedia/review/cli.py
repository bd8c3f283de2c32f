"""`ownmedia review`: the channel's analytics review, from this service or a Plausible instance."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ownmedia.cli_options import (
    config_option,
    data_option,
    json_option,
    site_id_option,
    stats_api_options,
)
from ownmedia.config import ConfigError, load_config


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--period", default="30d", show_default=True,
              help="Period / période: 30d, 6mo (182 days), 12mo (365 days), <N>d or FROM..TO "
                   "(YYYY-MM-DD..YYYY-MM-DD, UTC days).")
@click.option("--until", "until", default=None, metavar="YYYY-MM-DD", show_default="today, UTC",
              help="Last day of a relative period / dernier jour d'une période relative.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), default=None,
              help="Also write an HTML report with charts to this file / écrire aussi un "
                   "rapport HTML autonome, avec graphiques, dans ce fichier.")
@json_option("Print the review as JSON instead / le bilan en JSON.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False), default=None,
              help="Also write one CSV per table into this directory / écrire aussi un CSV "
                   "par tableau dans ce dossier.")
@stats_api_options
@data_option(what="Data directory, read when no --url / dossier des données, lu sans --url.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False), default=None,
              show_default="[server] site",
              help="Built site / site construit (publication dates from its feeds).")
@config_option()
@site_id_option()
@click.option("--conversion", "conversions", multiple=True,
              show_default="the site's page goals",
              help="Goal that counts as a conversion (repeatable) / objectif compté comme "
                   "conversion.")
@click.option("--cost", type=click.FloatRange(min=0), default=None,
              help="What the channel cost over the period / coût du canal sur la période.")
@click.option("--baseline-cost", type=click.FloatRange(min=0), default=None,
              help="Cost of the print insert it replaces / coût de l'encart imprimé qu'il "
                   "remplace, e.g. 100000.")
@click.option("--baseline-copies", type=click.IntRange(min=1), default=None,
              help="Copies of that insert / exemplaires de cet encart, e.g. 2000000.")
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Rows per table in the terminal / lignes par tableau au terminal.")
@click.option("--email", "emails", multiple=True, metavar="ADDRESS",
              help="Also send the review by e-mail to ADDRESS (repeatable) / envoyer aussi le "
                   "bilan par courriel (HTML with its charts, through the [smtp] server of "
                   "--config).")
def review(period: str, until: str | None, html_file: str | None, as_json: bool,
           csv_dir: str | None, url: str | None, key: str | None, data_dir: str | None,
           site_dir: str | None, config_file: str | None, site_id: str | None,
           conversions: tuple[str, ...], cost: float | None, baseline_cost: float | None,
           baseline_copies: int | None, top: int, emails: tuple[str, ...],
           timeout: float) -> None:
    """Review the channel / bilan du canal: overview, posts, CTAs, sources, weekly trend,
    content longevity and cost per measured action, from the Stats API."""
    from ownmedia.review.client import StatsClient, StatsError, embedded_client
    from ownmedia.review.model import Costs, build_report, parse_period

    try:
        config = load_config(config_file, server={"data": data_dir, "site": site_dir})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        today = date.fromisoformat(until) if until else None
        the_period = parse_period(period, today)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period/--until") from None
    if url and not key:
        raise click.UsageError("--url needs --key (or OWNMEDIA_STATS_KEY) / clé requise")
    if (baseline_cost is None) != (baseline_copies is None):
        raise click.UsageError("give --baseline-cost and --baseline-copies together")
    bad = [a for a in emails if "@" not in a or any(c in a for c in " ,;<>\r\n")]
    if bad:
        raise click.BadParameter(f"{bad[0]!r} is not an e-mail address", param_hint="--email")
    if emails and not config.smtp.host:
        raise click.UsageError("--email needs an SMTP server: set [smtp] host in --config / "
                               "serveur SMTP requis")
    from ownmedia.campaigns.catalog import load_campaigns
    from ownmedia.storage.errors import StorageError

    try:
        campaigns = load_campaigns(config)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    site = site_id or config.analytics.domains[0]
    site_path = Path(config.server.site)
    err = Console(stderr=True)
    out = Console(soft_wrap=False, width=max(Console().width, 120))

    async def run():
        client = StatsClient(url, key, timeout=timeout) if url else embedded_client(config)
        async with client:
            with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                          transient=True, disable=not err.is_terminal) as progress:
                task = progress.add_task("querying / requêtes", total=20)

                def step(label: str) -> None:
                    t = progress.tasks[0]
                    if t.completed + 1 >= (t.total or 0):
                        progress.update(task, total=t.completed + 2)
                    progress.update(task, advance=1, description=label)

                return await build_report(
                    client, site, the_period, site_dir=site_path if site_path.is_dir() else None,
                    conversions=list(conversions) if conversions else None,
                    costs=Costs(cost, baseline_cost, baseline_copies), progress=step,
                    currency=config.review.currency,
                    campaigns=campaigns,
                    funnels=config.review.funnels)

    started = time.perf_counter()
    try:
        report = asyncio.run(run())
    except StatsError as exc:
        raise click.ClickException(str(exc)) from None
    err.print(f"[dim]queried {report.source} in {time.perf_counter() - started:.2f} s[/]")
    if report.empty:
        err.print(f"[yellow]No visits in {the_period} for {site} / aucune visite sur la "
                  "période[/] (check --period, --site-id, --data or --url)")
    if as_json:
        from ownmedia.review.export import to_json

        sys.stdout.write(to_json(report) + "\n")
    else:
        from ownmedia.review.terminal import render

        render(report, out, top=top)
    if csv_dir:
        from ownmedia.review.export import write_csv

        files = write_csv(report, csv_dir)
        err.print(f"wrote {len(files)} CSV files to {csv_dir}")
    if html_file:
        from ownmedia.review.html import write_html

        write_html(report, html_file)
        err.print(f"wrote {html_file}")
    if emails:
        from ownmedia.review.mail import MailError, review_email, send

        try:
            send(config, review_email(report, config, list(emails)))
        except MailError as exc:
            raise click.ClickException(str(exc)) from None
        err.print(f"sent the review to {', '.join(emails)}")
    if report.empty:
        sys.exit(3)

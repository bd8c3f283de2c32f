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

from ownmedia.config import ConfigError, load_config


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--period", default="30d", show_default=True,
              help="30d, 6mo (182 days), 12mo (365 days), <N>d or FROM..TO "
                   "(YYYY-MM-DD..YYYY-MM-DD, UTC days).")
@click.option("--until", "until", default=None, metavar="YYYY-MM-DD", show_default="today, UTC",
              help="Last day of a relative period.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), default=None,
              help="Also write a self-contained HTML report with charts to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print the review as JSON instead.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False), default=None,
              help="Also write one CSV per table into this directory.")
@click.option("--url", default=None, help="Stats API base URL (a Plausible instance or "
              "`ownmedia serve`); without it the data directory is read in-process.")
@click.option("--key", default=None, envvar="OWNMEDIA_STATS_KEY",
              help="API key for --url (or env OWNMEDIA_STATS_KEY).")
@click.option("--data", "data_dir", type=click.Path(file_okay=False), default=None,
              help="Data directory (overrides [server] data) when no --url.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False), default=None,
              show_default="[server] site",
              help="Built site (publication dates from its feeds).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="TOML configuration file (as for `ownmedia serve`).")
@click.option("--site-id", default=None, show_default="first of [analytics] domains",
              help="Site id (domain).")
@click.option("--conversion", "conversions", multiple=True,
              show_default="the site's page goals",
              help="Goal that counts as a conversion (repeatable).")
@click.option("--cost", type=click.FloatRange(min=0), default=None,
              help="What the channel cost over the period.")
@click.option("--baseline-cost", type=click.FloatRange(min=0), default=None,
              help="Cost of the print insert it replaces, e.g. 100000.")
@click.option("--baseline-copies", type=click.IntRange(min=1), default=None,
              help="Copies of that insert, e.g. 2000000.")
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Rows per table in the terminal.")
@click.option("--email", "emails", multiple=True, metavar="ADDRESS",
              help="Also send the review as an HTML e-mail with its charts to ADDRESS "
                   "(repeatable), through the [smtp] server of --config.")
@click.option("--timeout", type=click.FloatRange(min=1), default=120, show_default=True,
              help="Seconds to wait for each answer of the server.")
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

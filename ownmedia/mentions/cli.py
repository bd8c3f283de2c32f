"""`ownmedia mentions send`: notify the sites our posts link to."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.table import Table

from ownmedia.cli_options import config_option, data_option, json_option
from ownmedia.config import ConfigError, load_config
from ownmedia.storage import open_backend
from ownmedia.storage.errors import StorageError


class _StorageGroup(click.Group):
    """A database that is down or not migrated is one line and exit 1, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StorageError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_StorageGroup, context_settings={"help_option_names": ["-h", "--help"]})
def mentions() -> None:
    """Webmentions and pingbacks / webmentions et pingbacks: send, list, retry."""


@mentions.command("send")
@config_option()
@data_option()
@click.option("--site", "site_dir", type=click.Path(file_okay=False),
              show_default="[server] site", help="Built site / site construit.")
@click.option("--base-url", default=None, show_default="[server] public_url",
              help="Public URL of the site / adresse publique du site.")
@click.option("--post", "only_post", default=None,
              help="Only this post (slug) / seulement ce billet.")
@click.option("--dry-run", is_flag=True,
              help="List what would be sent, send nothing / lister sans rien envoyer.")
def send_cmd(config_file, data_dir, site_dir, base_url, only_post, dry_run) -> None:
    """Send mentions / envoyer les mentions des liens des articles publiés.

    Webmentions (or pingbacks) for the links of published posts: once per link, again
    to every old and new target when a post changed, and to its former targets when a post
    was deleted (its URL then answers 410 Gone from `ownmedia serve`)."""
    from ownmedia.mentions import tombstones
    from ownmedia.mentions.send import done, plan, record, send_one

    try:
        config = load_config(config_file, server={"data": data_dir, "site": site_dir})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    base = base_url or config.server.public_url
    if not base or not base.startswith(("http://", "https://")):
        raise click.ClickException(
            "the site's public URL is needed (sources must be fetchable): set [server] "
            "public_url or pass --base-url https://..."
        )
    if not config.site_dir.is_dir():
        raise click.ClickException(f"no built site in {config.site_dir} (run `make html`)")
    backend = open_backend(config)
    store = backend.mention_log
    posts = plan(store, config.site_dir, base, only_post)
    if not dry_run:  # the 410 must be served before a receiver comes to check
        gone = [urlsplit(p.source).path for p in posts if p.deleted]
        if gone:
            tombstones.add(config.data_dir, gone)
        tombstones.discard(config.data_dir, [urlsplit(p.source).path for p in posts
                                             if not p.deleted])
    count = sum(len(p.targets) for p in posts)
    table = Table(title=f"Mentions to send: {count}")
    for col in ("source", "target", "why", "kind", "status", "detail"):
        table.add_column(col, overflow="fold")
    errors = 0
    for post in posts:
        failed = 0
        for target in post.targets:
            why = ("deleted" if post.deleted else "link" if target in post.links
                   else "removed")
            if dry_run:
                table.add_row(post.source, target, why, "-", "-", "dry run")
                continue
            result = send_one(post.source, target, config)
            record(store, result)
            failed += result.kind == "error"
            table.add_row(post.source, target, why, result.kind, str(result.status or ""),
                          result.detail)
        if not dry_run and not failed:
            done(store, post)
        errors += failed
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    backend.close()
    if errors:
        raise click.ClickException(f"{errors} mention(s) failed; they will be retried next run")


QUEUE_COLUMNS = ("id", "state", "kind", "attempts", "source", "target", "received",
                 "next_attempt", "last_error")


def _backend(config_file, data_dir):
    """The storage backend of the configuration (its mention queue)."""
    try:
        config = load_config(config_file, server={"data": data_dir})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return open_backend(config)


def _iso(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else ""


@mentions.command("list")
@config_option()
@data_option()
@click.option("--state", type=click.Choice(["all", "queued", "failed"]), default="all",
              show_default=True, help="Which received mentions / quelles mentions reçues.")
@json_option()
def list_cmd(config_file, data_dir, state, as_json) -> None:
    """Received mentions in the queue / mentions reçues en attente ou en échec.

    Those still being verified, and those that failed, with the reason.

    Verified mentions are comments (`ownmedia comments list`). A failed one is tried again
    when its source sends it again, or with `ownmedia mentions retry ID`."""
    backend = _backend(config_file, data_dir)
    rows = backend.mention_queue.jobs(None if state == "all" else state)
    backend.close()
    jobs = [{**{c: getattr(row, c) for c in QUEUE_COLUMNS},
             "received": _iso(row.received),
             "next_attempt": "" if row.state == "failed" else _iso(row.next_attempt),
             "last_error": row.last_error or ""} for row in rows]
    if as_json:
        click.echo(json.dumps(jobs, ensure_ascii=False, indent=1))
        return
    if not sys.stdout.isatty():  # a pipe or a file: whole values, one job per line
        click.echo("\t".join(QUEUE_COLUMNS))
        for job in jobs:
            click.echo("\t".join(" ".join(str(job[c]).split()) for c in QUEUE_COLUMNS))
        return
    table = Table(title=f"Received mentions not yet verified: {len(jobs)}")
    for col in QUEUE_COLUMNS:
        table.add_column(col, overflow="fold")
    for job in jobs:
        table.add_row(*(str(job[c]) for c in QUEUE_COLUMNS))
    Console().print(table)


@mentions.command("retry")
@config_option()
@data_option()
@click.argument("ids", nargs=-1, required=True)
def retry_cmd(config_file, data_dir, ids) -> None:
    """Verify failed mentions again / revérifier des mentions en échec.

    From their first attempt; a running service picks them up within a second. Ids may be
    shortened to a unique prefix / un identifiant peut être abrégé."""
    import time

    from ownmedia.cli_output import resolve_prefix

    backend = _backend(config_file, data_dir)
    try:
        known = [str(job.id) for job in backend.mention_queue.jobs(None)]
        chosen = [int(resolve_prefix(i, known, "mention", "mention")) for i in ids]
        changed = backend.mention_queue.retry(list(dict.fromkeys(chosen)), time.time())
    finally:
        backend.close()
    click.echo(f"{changed} mention(s) queued again / remise(s) en file.")

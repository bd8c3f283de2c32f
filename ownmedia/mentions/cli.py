"""`ownmedia mentions send`: notify the sites our posts link to."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from ownmedia.config import ConfigError, load_config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def mentions() -> None:
    """Webmentions and pingbacks."""


@mentions.command("send")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="TOML configuration file (as for `ownmedia serve`).")
@click.option("--data", "data_dir", type=click.Path(file_okay=False),
              help="Data directory (overrides [server] data).")
@click.option("--site", "site_dir", type=click.Path(file_okay=False),
              help="Built site directory (overrides [server] site).")
@click.option("--base-url", default=None,
              help="Public URL of the site (default: [server] public_url).")
@click.option("--post", "only_post", default=None, help="Only this post (slug).")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing.")
def send_cmd(config_file, data_dir, site_dir, base_url, only_post, dry_run) -> None:
    """Send webmentions (or pingbacks) for links of published posts; each pair goes once."""
    from ownmedia.comments.store import Store
    from ownmedia.mentions.send import pending_pairs, record, send_one

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
    store = Store(config.data_dir)
    pairs = pending_pairs(store, config.site_dir, base, only_post)
    table = Table(title=f"Mentions to send: {len(pairs)}")
    for col in ("source", "target", "kind", "status", "detail"):
        table.add_column(col, overflow="fold")
    errors = 0
    for source, target in pairs:
        if dry_run:
            table.add_row(source, target, "-", "-", "dry run")
            continue
        result = send_one(source, target, config)
        record(store, result)
        errors += result.kind == "error"
        table.add_row(source, target, result.kind, str(result.status or ""), result.detail)
    Console().print(table)
    store.close()
    if errors:
        raise click.ClickException(f"{errors} mention(s) failed; they will be retried next run")

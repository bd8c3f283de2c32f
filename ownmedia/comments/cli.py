"""`ownmedia comments ...`: moderate from the terminal.

Actions change the database and the comment files at once; the post is queued for a live
re-render, which a running `ownmedia serve` picks up within a second (or pass --render to
re-render here, or let the next full build show it)."""

from __future__ import annotations

import functools
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ownmedia.cli_i18n import tr
from ownmedia.cli_output import echo_json, print_listing, resolve_prefix
from ownmedia.comment_format import CommentFormatError
from ownmedia.comments.store import STATUSES, CommentStore, StoredComment
from ownmedia.config import Config, ConfigError, load_config
from ownmedia.storage.errors import StorageError


def _options(*, site: bool = True, content: bool = True, existing_data: bool = True):
    """--config and --data, and --site / --content only on the commands that use them.
    `existing_data`: outside a site (neither the data nor the content directory exists) say
    where we looked instead of creating ./data; in a site, the store is made as the service
    would make it (comment files may exist before the service ever ran)."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(config_file, data_dir, site_dir=None, content_dir=None, **kwargs):
            try:
                config = load_config(config_file, server={"data": data_dir, "site": site_dir},
                                     comments={"content_dir": content_dir})
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
            content = Path(config.comments.content_dir)
            if existing_data and not config.storage.url and not config.data_dir.is_dir() \
                    and not content.is_dir():
                where, text = config.data_dir.resolve(), content.resolve()
                raise click.ClickException(tr(
                    f"no data directory at {where} (nor content at {text}): run this in the "
                    "site's folder, or give --data DIR or --config FILE",
                    f"pas de dossier de données en {where} (ni de contenu en {text}) : lancez "
                    "la commande dans le dossier du site, ou donnez --data DIR ou --config "
                    "FICHIER"))
            try:
                return func(config, **kwargs)
            except StorageError as exc:  # database down or too new: one line, exit 1
                raise click.ClickException(str(exc)) from None

        options = [
            click.option("--config", "config_file", type=click.Path(dir_okay=False),
                         help="TOML configuration file / fichier de configuration "
                              "(as for `ownmedia serve`)."),
            click.option("--data", "data_dir", type=click.Path(file_okay=False),
                         show_default="[server] data",
                         help="Data directory / dossier des données."),
        ]
        if site:
            options.append(click.option(
                "--site", "site_dir", type=click.Path(file_okay=False),
                show_default="[server] site", help="Built site / site construit."))
        if content:
            options.append(click.option(
                "--content", "content_dir", type=click.Path(file_okay=False),
                show_default="[comments] content_dir",
                help="Content directory / dossier du contenu."))
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


def _resolve(store: CommentStore, given: str) -> str:
    """A full comment id from a unique prefix of one (unknown or ambiguous: exit 2)."""
    if store.get(given) is not None:
        return given
    return resolve_prefix(given, (c.id for c in store.list(limit=10_000_000)), "comment",
                          "commentaire")


def _store(config: Config) -> CommentStore:
    """The store, first brought in step with the comment files (the source of truth for
    published comments), so comments that exist only as files are seen without the service."""
    from pathlib import Path

    from ownmedia.comments.file_sync import FileSync
    from ownmedia.storage import open_backend

    store = open_backend(config).comments
    FileSync(store, Path(config.comments.content_dir) / "comments").scan()
    return store


def _moderator(config: Config, store: CommentStore):
    from ownmedia.comments.moderation import Moderator
    from ownmedia.secrets import load_or_create_secrets

    return Moderator(store, config, load_or_create_secrets(config.data_dir).signing_key)


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def comments() -> None:
    """Moderate comments / modérer les commentaires, webmentions et pingbacks.

    Ids may be shortened to any unique prefix / un identifiant peut être abrégé."""


LIST_COLUMNS = ("id", "status", "type", "post", "author", "date", "body", "reason")


@comments.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None,
              show_default="every status / tous",
              help="Only this status / seulement ce statut.")
@click.option("--post", default=None, help="Only this post (slug) / seulement ce billet.")
@click.option("--limit", type=click.IntRange(1, 10000), default=100,
              help="At most this many / au plus autant.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts / JSON pour les scripts.")
@_options(site=False)
def list_cmd(config: Config, status: str | None, post: str | None, limit: int,
             as_json: bool) -> None:
    """List comments / liste les commentaires, newest first / du plus récent.

    At a terminal, a table with shortened bodies; in a pipe or a file, one comment per line
    with every value whole (tab-separated, a header first)."""
    store = _store(config)
    rows = store.list(status=status, post=post, limit=limit)
    if as_json:
        echo_json([{"id": c.id, "status": c.status, "type": c.type, "post": c.post,
                    "author": c.author, "website": c.website, "reply_to": c.reply_to,
                    "created": datetime.fromtimestamp(c.created, UTC).isoformat(),
                    "body": c.body, "reason": c.reason, "lang": c.lang} for c in rows])
        return
    counts = store.counts()

    def table() -> None:
        grid = Table(title="Comments · commentaires "
                     + "  ".join(f"{k}: {v}" for k, v in counts.items()))
        for col in ("id", "status", "type", "post", "author", "date", "body"):
            grid.add_column(col, no_wrap=col in ("id", "status", "date"), overflow="ellipsis")
        for c in rows:
            grid.add_row(c.id, c.status, c.type, c.post, _short(c.author, 30),
                         _when(c.created), _short(c.body) + (f"  [{c.reason}]" if c.reason else ""))
        Console().print(grid)
        if not rows:
            click.echo(tr("No comment matches.", "Aucun commentaire ne correspond."))

    print_listing(LIST_COLUMNS, [(c.id, c.status, c.type, c.post, c.author, _when(c.created),
                                  c.body, c.reason) for c in rows], table=table)


@comments.command("show")
@click.argument("comment_id")
@_options(site=False)
def show_cmd(config: Config, comment_id: str) -> None:
    """Show one comment in full / un commentaire en entier (the e-mail too: it is never
    published)."""
    store = _store(config)
    c = store.get(_resolve(store, comment_id))
    if c is None:
        raise click.ClickException(f"no comment with id {comment_id!r}")
    table = Table(show_header=False, title=f"Comment {c.id}")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name in ("id", "status", "type", "post", "author", "email", "website", "reply_to",
                 "source", "target", "lang", "reason"):
        value = getattr(c, name)
        if value:
            table.add_row(name, str(value))
    table.add_row("notify", "yes" if c.notify else "no")
    table.add_row("created", _when(c.created))
    table.add_row("body", c.body)
    Console().print(table)


def _report(results, render: bool, config: Config, store: CommentStore) -> None:
    table = Table()
    for col in ("id", "post", "result"):
        table.add_column(col, no_wrap=True)
    failed = False
    for r in results:
        table.add_row(r.id, r.post, r.message if r.ok else f"[red]{r.message}[/red]")
        failed = failed or not r.ok
    Console().print(table)
    if render:
        _render_now(config, store)
    elif store.pending_renders():
        click.echo("Queued for live publishing: a running `ownmedia serve` shows it within a "
                   "second (else use --render, or the next build).")
    if failed:
        raise click.ClickException("some comments were not found")


def _render_now(config: Config, store: CommentStore) -> None:
    from ownmedia.comments.publish import LivePublisher

    publisher = LivePublisher(Path(config.comments.pelican_settings),
                              Path(config.comments.content_dir), config.site_dir)
    for post, queued in store.pending_renders():
        files = publisher.render_post(post)
        store.done_render(post, queued)
        click.echo(f"re-rendered {post}: {len(files)} file(s)")


def _action(name: str, status_help: str):
    @comments.command(name, help=status_help)
    @click.argument("ids", nargs=-1, required=True)
    @click.option("--render", is_flag=True,
                  help="Re-render the posts here and now / re-rendre les billets ici.")
    @_options()
    def cmd(config: Config, ids: tuple[str, ...], render: bool) -> None:
        store = _store(config)
        moderator = _moderator(config, store)
        results = getattr(moderator, name)([_resolve(store, i) for i in ids])
        _report(results, render, config, store)

    return cmd


_action("approve", "Approve comments / approuver: publish them (file + live re-render).")
_action("reject", "Reject comments / refuser (kept in the database, unpublished).")
_action("spam", "Mark comments as spam / marquer comme spam (kept for review, unpublished).")
_action("delete", "Delete comments for good / supprimer pour de bon (database row and file).")


@comments.command("edit")
@click.argument("comment_id")
@click.option("--author", default=None, help="New author name / nouvel auteur.")
@click.option("--website", default=None,
              help="New website (\"\" to remove) / nouveau site (\"\" pour l'enlever).")
@click.option("--body", default=None, show_default="open $EDITOR / ouvrir $EDITOR",
              help="New Markdown body / nouveau texte en Markdown.")
@click.option("--render", is_flag=True,
              help="Re-render the post here and now / re-rendre le billet ici.")
@_options()
def edit_cmd(config: Config, comment_id: str, author: str | None, website: str | None,
             body: str | None, render: bool) -> None:
    """Edit a comment / modifier un commentaire: author, website or body (an approved one is
    republished)."""
    store = _store(config)
    comment_id = _resolve(store, comment_id)
    current: StoredComment | None = store.get(comment_id)
    if current is None:
        raise click.ClickException(f"no comment with id {comment_id!r}")
    if body is None and author is None and website is None:
        if not os.environ.get("EDITOR") and not sys.stdin.isatty():
            raise click.ClickException("give --body, --author or --website (no $EDITOR)")
        body = click.edit(current.body)
        if body is None:
            click.echo("Unchanged.")
            return
    try:
        result = _moderator(config, store).edit(comment_id, author=author, body=body,
                                                website=website)
    except (CommentFormatError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    _report([result], render, config, store)


@comments.command("set-password")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input / lire le mot de passe sur l'entrée.")
@_options(site=False, content=False, existing_data=False)
def set_password_cmd(config: Config, password_stdin: bool) -> None:
    """Set the admin password / mot de passe de la modération web (/admin/), kept as a scrypt
    hash."""
    from ownmedia.admin.auth import set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    try:
        path = set_password(config.data_dir, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Password hash written to {path} (scrypt).")

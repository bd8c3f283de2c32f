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

from ownmedia.comment_format import CommentFormatError
from ownmedia.comments.store import STATUSES, CommentStore, StoredComment
from ownmedia.config import Config, ConfigError, load_config
from ownmedia.storage.errors import StorageError


def _common_options(func):
    @click.option("--config", "config_file", type=click.Path(dir_okay=False),
                  help="TOML configuration file (as for `ownmedia serve`).")
    @click.option("--data", "data_dir", type=click.Path(file_okay=False),
                  help="Data directory (overrides [server] data).")
    @click.option("--site", "site_dir", type=click.Path(file_okay=False),
                  help="Built site directory (overrides [server] site).")
    @click.option("--content", "content_dir", type=click.Path(file_okay=False),
                  help="Content directory (overrides [comments] content_dir).")
    @functools.wraps(func)
    def wrapper(config_file, data_dir, site_dir, content_dir, **kwargs):
        try:
            config = load_config(config_file, server={"data": data_dir, "site": site_dir},
                                 comments={"content_dir": content_dir})
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            return func(config, **kwargs)
        except StorageError as exc:  # database down or not migrated: one line, exit 1
            raise click.ClickException(str(exc)) from None

    return wrapper


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
    """Moderate reader comments, webmentions and pingbacks."""


@comments.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None,
              help="Only this status (default: every status).")
@click.option("--post", default=None, help="Only this post (slug).")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@_common_options
def list_cmd(config: Config, status: str | None, post: str | None, limit: int) -> None:
    """List comments, newest first."""
    store = _store(config)
    rows = store.list(status=status, post=post, limit=limit)
    counts = store.counts()
    table = Table(title="Comments · commentaires "
                  + "  ".join(f"{k}: {v}" for k, v in counts.items()))
    for col in ("id", "status", "type", "post", "author", "date", "body"):
        table.add_column(col, no_wrap=col in ("id", "status", "date"), overflow="ellipsis")
    for c in rows:
        table.add_row(c.id, c.status, c.type, c.post, _short(c.author, 30), _when(c.created),
                      _short(c.body) + (f"  [{c.reason}]" if c.reason else ""))
    Console().print(table)
    if not rows:
        click.echo("No comment matches.")


@comments.command("show")
@click.argument("comment_id")
@_common_options
def show_cmd(config: Config, comment_id: str) -> None:
    """Show one comment in full (the e-mail too: it is never published)."""
    c = _store(config).get(comment_id)
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
    @click.option("--render", is_flag=True, help="Re-render the posts here and now.")
    @_common_options
    def cmd(config: Config, ids: tuple[str, ...], render: bool) -> None:
        store = _store(config)
        moderator = _moderator(config, store)
        results = getattr(moderator, name)(list(ids))
        _report(results, render, config, store)

    return cmd


_action("approve", "Approve comments: publish them (file + live re-render).")
_action("reject", "Reject comments (kept in the database, unpublished).")
_action("spam", "Mark comments as spam (kept for review, unpublished).")
_action("delete", "Delete comments for good (database row and file).")


@comments.command("edit")
@click.argument("comment_id")
@click.option("--author", default=None, help="New author name.")
@click.option("--website", default=None, help="New website (\"\" to remove).")
@click.option("--body", default=None, help="New Markdown body (default: open $EDITOR).")
@click.option("--render", is_flag=True, help="Re-render the post here and now.")
@_common_options
def edit_cmd(config: Config, comment_id: str, author: str | None, website: str | None,
             body: str | None, render: bool) -> None:
    """Edit a comment's author, website or body (an approved one is republished)."""
    store = _store(config)
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
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@_common_options
def set_password_cmd(config: Config, password_stdin: bool) -> None:
    """Set the password of the web moderation (/admin/), stored as a scrypt hash."""
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

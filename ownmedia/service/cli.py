"""`ownmedia serve`: the static site and the engagement service on one port."""

from __future__ import annotations

import gc
import logging
import sqlite3
import sys

import click

from ownmedia.config import ConfigError, load_config


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default=None, help="Address to listen on [config, default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [config, default 8000].")
@click.option("--data", "data", default=None, type=click.Path(file_okay=False),
              help="Data directory: SQLite files and generated secrets [default data].")
@click.option("--site", "site", default=None, type=click.Path(file_okay=False),
              help="Built static site to serve [default output].")
@click.option("--config", "config_file", default=None, type=click.Path(dir_okay=False),
              help="TOML configuration file.")
def serve(host: str | None, port: int | None, data: str | None, site: str | None,
          config_file: str | None) -> None:
    """Serve the built site, POST /api/event and the other APIs with uvicorn.

    SIGTERM (or Ctrl-C) stops accepting connections, lets in-flight requests finish and
    writes every event already accepted before exiting."""
    try:
        config = load_config(
            config_file, server={"host": host, "port": port, "data": data, "site": site}
        )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    import uvicorn  # late: keeps `ownmedia --help` fast

    _log_like_uvicorn()

    from ownmedia.service.accesslog import configure_access_log
    from ownmedia.service.app import create_app
    from ownmedia.service.http import protocol_class
    from ownmedia.storage.errors import StorageError

    try:
        app = create_app(config)
    except StorageError as exc:  # one line naming the database (never its password)
        raise click.ClickException(str(exc)) from None
    except (ConfigError, ValueError, OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"cannot start with data in {config.data_dir}: {exc}") from None
    limits = config.server
    uvicorn_config = uvicorn.Config(
        app,
        host=config.server.host,
        port=config.server.port,
        loop="uvloop",
        # httptools, one write per response, and a deadline for the request headers
        http=protocol_class(limits.header_timeout_seconds),
        lifespan="on",
        access_log=config.server.access_log,
        log_level="info",
        timeout_graceful_shutdown=30,
        timeout_keep_alive=limits.keep_alive_seconds,
        limit_concurrency=limits.max_connections,  # open connections or tasks; then 503
        server_header=False,
        proxy_headers=False,  # X-Forwarded-For is ours to judge ([server] trusted_proxies)
    )
    configure_access_log(config.server.access_log_client_address)
    server = uvicorn.Server(uvicorn_config)
    gc.collect()
    gc.freeze()  # the app's long-lived objects leave the collector's scans: less time per event
    # each request allocates a few dozen containers (scope, task, future, row): at the default
    # 700 a young collection ran every ~20 events (6 % of the collector's CPU in a profile)
    gc.set_threshold(20_000, 20, 20)
    server.run()
    if not server.started:
        raise click.ClickException(
            f"could not listen on {config.server.host}:{config.server.port}"
        )


def _log_like_uvicorn() -> None:
    """Our own messages (forwarding retries, storage errors) beside uvicorn's, on stderr."""
    logger = logging.getLogger("ownmedia")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

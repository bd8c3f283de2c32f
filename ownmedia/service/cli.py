"""`ownmedia serve`: the static site and the engagement service on one port."""

from __future__ import annotations

import gc
import logging
import sys

import click

from ownmedia.config import ConfigError, load_config


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default=None, show_default="[server] host, else 127.0.0.1",
              help="Address to listen on / adresse d'écoute.")
@click.option("--port", type=int, default=None, show_default="[server] port, else 8000",
              help="Port to listen on / port d'écoute.")
@click.option("--data", "data", default=None, type=click.Path(file_okay=False),
              show_default="[server] data, else data",
              help="Data directory: SQLite files and generated secrets / dossier des données.")
@click.option("--site", "site", default=None, type=click.Path(file_okay=False),
              show_default="[server] site, else output",
              help="Built static site to serve / site construit à servir.")
@click.option("--config", "config_file", default=None, type=click.Path(dir_okay=False),
              help="TOML configuration file / fichier de configuration.")
def serve(host: str | None, port: int | None, data: str | None, site: str | None,
          config_file: str | None) -> None:
    """Serve the site and the APIs / servir le site et les API (POST /api/event, comments...).

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
    except StorageError as exc:  # names the database, never its password
        where = "" if config.storage.url else f" with data in {config.data_dir}"
        raise click.ClickException(f"cannot start{where}: {exc}") from None
    except (ConfigError, ValueError, OSError) as exc:
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

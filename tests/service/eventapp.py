"""A Starlette app with only the events routes, for endpoint tests that must not depend on
the other parts of the service."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from starlette.applications import Starlette

from ownmedia.config import load_config
from ownmedia.service import events
from ownmedia.service.app import ServiceContext, hooks_lifespan

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")


def events_app(data_dir: Path, *, server: dict | None = None, analytics: dict | None = None
               ) -> Starlette:
    config = load_config(
        None,
        server={"data": str(data_dir), "site": str(data_dir / "site"), **(server or {})},
        analytics={"domains": ["example.org", "localhost"], **(analytics or {})},
    )
    ctx = ServiceContext(config=config)
    routes = events.routes(ctx)

    app = Starlette(routes=routes, lifespan=hooks_lifespan(ctx))
    app.state.ctx = ctx
    return app


def count(data_dir: Path, sql: str = "SELECT count(*) FROM events") -> int:
    conn = sqlite3.connect(data_dir / "events.sqlite3")
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()

"""Assemble the engagement service from its parts.

Each concern provides `routes(ctx) -> list[BaseRoute]` in its own module and may register
startup/shutdown callbacks on the context; this module only puts them together and serves
the built site's files on the same port."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ownmedia.config import Config
from ownmedia.storage import Backend, open_backend

# "module:function" returning a list of routes; a missing module is skipped.
ROUTE_PROVIDERS: list[str] = [
    "ownmedia.service.events:routes",
    "ownmedia.comments.api:routes",
    "ownmedia.mentions.api:routes",
    "ownmedia.admin.app:routes",
    "ownmedia.stats.api:routes",
    "ownmedia.review.weekly:routes",  # no routes: the weekly review mail's background task
]

Hook = Callable[[], Awaitable[None]]


@dataclass
class ServiceContext:
    """What the parts of the service share: the config and lifecycle hooks."""

    config: Config
    # the process's stores, opened by create_app (the composition root) and closed last: on
    # PostgreSQL its pool is the one every part of the service borrows
    backend: Backend | None = None
    startup: list[Hook] = field(default_factory=list)
    shutdown: list[Hook] = field(default_factory=list)  # run in reverse order
    state: dict = field(default_factory=dict)  # parts may publish objects here by name
    # (method, exact path) -> raw ASGI app answered before Starlette's middleware and router:
    # for a hot endpoint that handles its own errors (POST /api/event); keep its Route too
    fast_paths: dict[tuple[str, str], ASGIApp] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir


class ServiceApp(Starlette):
    """Starlette, with the context's fast paths tried first: the collector's endpoint skips
    two middlewares and the route table (about 8 % of its per-request CPU)."""

    fast_paths: dict[tuple[str, str], ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            fast = self.fast_paths.get((scope["method"], scope["path"]))
            if fast is not None:
                scope["app"] = self
                await fast(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


async def health(request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def hooks_lifespan(ctx: ServiceContext) -> Callable[[Starlette], AsyncIterator[None]]:
    """A lifespan running the parts' startup hooks, then their shutdown hooks in reverse."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for hook in ctx.startup:
            await hook()
        try:
            yield
        finally:
            for hook in reversed(ctx.shutdown):
                await hook()

    return lifespan


def _repair_at_start(ctx: ServiceContext) -> None:
    """Finish what a crash interrupted: comment files whose change was committed but not yet
    written (then keep retrying from the background loop, for a disk that was full), and the
    temporary files of atomic writes that never got renamed."""
    import logging

    from ownmedia.fsutil import remove_stale_temp_files

    log = logging.getLogger("ownmedia.service")
    config = ctx.config
    folders = [config.data_dir, config.site_dir, Path(config.comments.content_dir) / "comments"]
    for folder in folders:
        for path in remove_stale_temp_files(folder):
            log.info("removed %s, left by an interrupted write", path)
    runtime = ctx.state.get("comments")
    if runtime is not None:
        try:
            if done := runtime.moderator.sync_files():
                log.info("finished %d comment file change(s) interrupted last time", done)
        except OSError as exc:
            log.error("comment files not written yet (%s); retrying in the background", exc)
        runtime.workers.append(runtime.moderator.retry_files)
        # published comments that exist only as files: known at start, then kept in step
        from ownmedia.comments.file_sync import FileSync

        file_sync = FileSync(runtime.store, runtime.moderator.comments_dir)
        try:
            file_sync.scan(render_imports=False)
        except OSError as exc:
            log.error("comment files could not be scanned (%s); retrying", exc)
        runtime.workers.append(file_sync.scan_if_due)


def _open_backend(ctx: ServiceContext) -> Backend:
    """The process's backend; on PostgreSQL its pool is opened (and the schema checked) now, so
    a database that is down or too new stops the start with one clear message."""
    backend = open_backend(ctx.config)
    if backend.kind == "postgresql":
        try:
            backend.pg  # noqa: B018 - opens the one pool of the process
        except BaseException:
            backend.close()
            raise

    async def close() -> None:
        backend.close()

    ctx.shutdown.append(close)  # the first registered runs last: after every part's own
    return backend


def create_app(config: Config) -> Starlette:
    ctx = ServiceContext(config=config)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    ctx.backend = _open_backend(ctx)
    routes: list[BaseRoute] = [Route("/api/health", health, methods=["GET"])]
    for target in ROUTE_PROVIDERS:
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        routes.extend(getattr(module, attr)(ctx))

    from ownmedia.service.storage_errors import EXCEPTION_HANDLERS

    _repair_at_start(ctx)
    app = ServiceApp(routes=routes, lifespan=hooks_lifespan(ctx),
                     exception_handlers=EXCEPTION_HANDLERS)
    app.fast_paths = ctx.fast_paths
    app.state.ctx = ctx
    ctx.state["app"] = app  # background tasks query the service in-process (weekly review)
    from ownmedia.service.site import mount_site  # late: the site goes after the API routes

    mount_site(app, config.site_dir, config.server.content_security_policy)
    return app

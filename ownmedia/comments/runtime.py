"""The comments part of a running service: one Store, Intake, Moderator, LivePublisher and a
background loop shared by the comment API, the admin and the mention receivers.

The loop re-renders queued posts (approvals from this process wake it at once; approvals made
by the CLI in another process wake it through ownmedia.comments.wakeup, with the poll of the
render queue as the fallback), sends queued mails and runs registered workers (mention
verification)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request

from ownmedia.comments import notify, wakeup
from ownmedia.comments.intake import Intake
from ownmedia.comments.moderation import Moderator
from ownmedia.comments.publish import LivePublisher
from ownmedia.comments.site_index import SiteIndex
from ownmedia.comments.store import CommentStore, StoredComment
from ownmedia.secrets import Secrets, load_or_create_secrets
from ownmedia.storage import Backend, open_backend
from ownmedia.storage.errors import StorageError

log = logging.getLogger("ownmedia.comments")
# fallback: approvals by another process that could not wake us (ownmedia.comments.wakeup);
# OWNMEDIA_RENDER_POLL_SECONDS sets it (a test proves the wake-up with a long poll)
POLL_SECONDS = float(os.environ.get("OWNMEDIA_RENDER_POLL_SECONDS") or 0.1)


@dataclass
class CommentsRuntime:
    ctx: object
    backend: Backend
    store: CommentStore
    secrets: Secrets
    site_index: SiteIndex
    intake: Intake
    moderator: Moderator
    publisher: LivePublisher | None
    workers: list[Callable[[], None]] = field(default_factory=list)  # run in a thread
    wake: asyncio.Event | None = None
    _task: asyncio.Task | None = None
    _wakeup: socket.socket | None = None
    _stopping: bool = False
    _render_failures: dict[str, float] = field(default_factory=dict)
    _next_storage_complaint: float = 0.0

    @property
    def config(self):
        return self.ctx.config

    def clock(self) -> float:
        """ctx.state["clock"] when a test injected one."""
        return self.ctx.state.get("clock", time.time)()

    def kick(self) -> None:
        if self.wake is not None:
            self.wake.set()

    # --- the background loop ------------------------------------------------------------
    async def start(self) -> None:
        self.wake = asyncio.Event()
        self._wakeup = wakeup.listen(self.config.data_dir)
        if self._wakeup is not None:
            asyncio.get_running_loop().add_reader(self._wakeup.fileno(), self._woken)
        self._task = asyncio.create_task(self._loop(), name="ownmedia-comments")

    def _woken(self) -> None:
        """Another process queued a re-render (ownmedia.comments.wakeup)."""
        if self._wakeup is not None and wakeup.drain(self._wakeup):
            self.kick()

    async def stop(self) -> None:
        # The flag as well as the cancel: Python 3.11's asyncio.wait_for can swallow a cancel
        # that arrives as its timeout fires, and the loop would then go on for ever.
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._wakeup is not None:
            asyncio.get_running_loop().remove_reader(self._wakeup.fileno())
            self._wakeup.close()
            self._wakeup = None
        self.backend.close()

    async def _loop(self) -> None:
        if self.publisher is not None:
            try:
                await asyncio.to_thread(self.publisher.ensure_loaded)
                log.info("live publishing ready (site read in %.2fs)", self.publisher.load_seconds)
            except Exception:  # a broken site must not stop comment intake
                log.exception("live publishing disabled: the site could not be read")
                self.publisher = None
        while not self._stopping:
            try:
                await asyncio.to_thread(self.tick)
            except StorageError as exc:  # the database is down: said once a minute, retried
                now = time.monotonic()
                if now >= self._next_storage_complaint:
                    log.error("comments background work waits for storage: %s", exc)
                    self._next_storage_complaint = now + 60
            except Exception:
                log.exception("comments background work failed; retrying")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self.wake.wait()
            self.wake.clear()

    def tick(self) -> None:
        """One round of background work (also callable directly from tests)."""
        self.render_queued()
        notify.deliver_outbox(self.backend.mail, self.config, self.secrets.signing_key)
        for worker in self.workers:
            worker()

    def render_queued(self) -> list[str]:
        done = []
        if self.publisher is None or not self.store.render_leader():
            return done  # another instance re-renders the shared output directory
        now = time.monotonic()
        for post, queued in self.store.pending_renders():
            if self._render_failures.get(post, 0) > now:
                continue
            try:
                self.publisher.render_post(post)
            except Exception:
                log.exception("live re-render of %s failed; the next build will show it", post)
                self._render_failures[post] = now + 30
                continue
            self._render_failures.pop(post, None)
            self.store.done_render(post, queued)
            log.info("re-rendered %s", post)
            done.append(post)
        return done

    # --- helpers for the HTTP parts -------------------------------------------------------
    def client_address(self, request: Request) -> str:
        """The client's address; X-Forwarded-For only when the peer is a trusted proxy."""
        peer = request.client.host if request.client else ""
        if peer in self.config.server.trusted_proxies:
            forwarded = request.headers.get("x-forwarded-for", "")
            first = forwarded.split(",")[0].strip()
            if first:
                return first
        return peer

    def on_accepted(self, tx, comment: StoredComment) -> None:
        notify.queue_moderator_mail(tx, self.config, comment,
                                    lambda: self.site_index.url_of(comment.post))


def get_runtime(ctx) -> CommentsRuntime:
    """The shared runtime, created (with its lifecycle hooks) on first use."""
    runtime = ctx.state.get("comments")
    if runtime is not None:
        return runtime
    config = ctx.config
    secrets = load_or_create_secrets(config.data_dir)
    backend = open_backend(config)
    store = backend.comments
    site_index = SiteIndex(config.site_dir)
    publisher = None
    if config.comments.live_publish:
        publisher = LivePublisher(
            Path(config.comments.pelican_settings), Path(config.comments.content_dir),
            config.site_dir,
        )
    runtime = CommentsRuntime(
        ctx=ctx, backend=backend, store=store, secrets=secrets, site_index=site_index,
        intake=None, moderator=Moderator(store, config, secrets.signing_key, site_index),
        publisher=publisher,
    )
    runtime.intake = Intake(
        store, config.comments, secrets.signing_key, secrets.visitor_key,
        clock=runtime.clock, post_exists=site_index.exists, on_accepted=runtime.on_accepted,
    )
    ctx.state["comments"] = runtime
    ctx.startup.append(runtime.start)
    ctx.shutdown.append(runtime.stop)
    return runtime

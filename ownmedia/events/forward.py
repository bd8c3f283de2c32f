"""Forwarding to an upstream Plausible through a durable outbox.

Each accepted event gets an outbox row in the same transaction as the event, so a 202 also
means "will be forwarded". This task delivers the rows (POST <forward_url>/api/event, same body,
the visitor's User-Agent, X-Forwarded-For = visitor IP), retries connection errors, 408, 429
and 5xx with exponential backoff, and deletes each row once delivered: the outbox holds a
visitor's IP and User-Agent only until delivery. Delivery is at-least-once (a crash between
upstream's answer and the delete re-sends), once in normal operation. Ingest never waits on it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import httpx

from ownmedia.config import AnalyticsConfig
from ownmedia.storage.errors import StorageError
from ownmedia.storage.event_ports import EventSink, ForwardOutbox, OutboxRow

log = logging.getLogger("ownmedia.forward")

BATCH = 100
IDLE_WAKE_SECONDS = 60.0


class Forwarder:
    def __init__(self, store: EventSink, cfg: AnalyticsConfig,
                 clock: Callable[[], float] = time.time):
        self.store = store
        self.outbox: ForwardOutbox = store.outbox
        self.url = cfg.forward_url.rstrip("/") + "/api/event"
        self.backoff = cfg.forward_backoff_seconds
        self.backoff_max = cfg.forward_backoff_max_seconds
        self.max_attempts = cfg.forward_max_attempts
        self.timeout = cfg.forward_timeout_seconds
        self.clock = clock
        self.delivered = 0
        self.failures = 0
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._wake: asyncio.Event | None = None

    def start(self) -> None:
        """Start delivering in the running loop; new outbox rows wake it up."""
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        wake = self._wake

        def notify() -> None:  # called from the writer thread after a commit
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

        self.store.on_outbox = notify
        self._task = loop.create_task(self._run(), name="ownmedia-forwarder")

    async def stop(self) -> None:
        """Stop; undelivered rows stay in the outbox for the next start."""
        self.store.on_outbox = None
        self._stopping = True  # as well as the cancel, which 3.11's wait_for may swallow
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        assert self._wake is not None
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            while not self._stopping:
                self._wake.clear()
                try:
                    rows = await self.outbox.claim(self.clock(), BATCH)
                    if rows:
                        await self._deliver(client, rows)
                        continue
                    next_due = await self.outbox.next_due()
                except (StorageError, RuntimeError) as exc:
                    log.error("outbox unavailable: %s", exc)
                    next_due = None
                delay = IDLE_WAKE_SECONDS if next_due is None else next_due - self.clock()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(min(delay, IDLE_WAKE_SECONDS)):
                            await self._wake.wait()

    async def _send(self, client: httpx.AsyncClient, row: OutboxRow) -> str | None:
        """None when delivered (or refused for good), else the error to retry on."""
        payload, user_agent, ip = row.payload, row.user_agent, row.client_ip
        try:
            response = await client.post(
                self.url,
                content=payload.encode("utf-8", "surrogatepass"),
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": user_agent,
                    "X-Forwarded-For": ip,
                },
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:500]
        status = response.status_code
        if status >= 500 or status in (408, 429):
            return f"HTTP {status}"
        if status >= 400:
            log.warning("upstream refused an event for good (HTTP %s): %s", status,
                        response.text[:200])
        return None

    async def _deliver(self, client: httpx.AsyncClient, rows: list[OutboxRow]) -> None:
        results = await asyncio.gather(*(self._send(client, row) for row in rows))
        now = self.clock()
        done, retry, given_up = [], [], []
        for row, error in zip(rows, results, strict=True):
            row_id, attempts = row.id, row.attempts + 1
            if error is None:
                done.append(row_id)
            elif self.max_attempts and attempts >= self.max_attempts:
                given_up.append(row_id)
                log.error("giving up forwarding event %s after %s attempts: %s",
                          row_id, attempts, error)
            else:
                delay = min(self.backoff * 2 ** (attempts - 1), self.backoff_max)
                retry.append((attempts, now + delay, error, row_id))
        self.delivered += len(done)
        self.failures += len(retry) + len(given_up)
        await self.outbox.settle(done + given_up, retry)
        if retry:
            log.warning("forwarding: %s event(s) to retry, last error: %s",
                        len(retry), retry[-1][2])

"""The weekly review mail of a running service: `[review] weekly_to = [...]` gets the review of
the previous week (Monday to Sunday, UTC) every Monday from `[review] weekly_hour` (UTC).

Choices: a service that was down on Monday sends that week's mail when it comes back later the
same week (the mail is late rather than lost); the sent week is recorded (storage.sqlite.
review_mail) right after the SMTP server accepted the mail, so a restart never sends it twice;
a send that failed is retried every RETRY_SECONDS. The clock is ctx.state["clock"] when a test
injects one; `tick()` does one round and can be called directly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from datetime import UTC, date, datetime, timedelta

import httpx
from starlette.routing import BaseRoute

from ownmedia.review.client import EMBEDDED_URL, StatsClient
from ownmedia.review.mail import review_email, send
from ownmedia.review.model import Costs, Period, build_report
from ownmedia.storage import Backend, open_backend
from ownmedia.storage.ports import SentReviews

log = logging.getLogger("ownmedia.review")
POLL_SECONDS = 60.0
RETRY_SECONDS = 300.0
CLAIM_SECONDS = 900.0  # a claim outlives a slow review; a dead sender's lapses then
STATE_NAME = "review.weekly"


def due_week(now: datetime, hour: int) -> date | None:
    """The Monday of the week whose review is due at `now` (the previous week), or None
    before Monday's `hour`."""
    if now.weekday() == 0 and now.hour < hour:
        return None
    this_monday = now.date() - timedelta(days=now.weekday())
    return this_monday - timedelta(days=7)


class WeeklyReview:
    """The background task that mails the weekly review."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.backend: Backend | None = None
        self.sent: SentReviews | None = None
        self.task: asyncio.Task | None = None
        self._stop = asyncio.Event()
        self._lock = asyncio.Lock()
        self._sending = False
        self.holder = secrets.token_hex(8)  # names this sender's claim on a week

    @property
    def config(self):
        return self.ctx.config

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.ctx.state.get("clock", time.time)(), UTC)

    async def start(self) -> None:
        if not self.config.review.weekly_to:
            return
        self.backend = open_backend(self.config)
        self.sent = self.backend.review_mail
        self.task = asyncio.create_task(self._loop(), name="ownmedia-weekly-review")

    async def stop(self) -> None:
        """Stop at once, except during a send: that one finishes and is recorded first."""
        self._stop.set()
        if self.task is not None:
            if not self._sending:
                self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.backend is not None:
            self.backend.close()

    async def _loop(self) -> None:
        while not self._stop.is_set():
            wait = POLL_SECONDS
            try:
                await self.tick()
            except Exception:
                log.exception("weekly review not sent; retrying in %.0f s", RETRY_SECONDS)
                wait = RETRY_SECONDS
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._stop.wait()

    async def tick(self) -> str | None:
        """Send the review that is due and not sent yet; returns its week (Monday) or None."""
        async with self._lock:
            week = due_week(self.now(), self.config.review.weekly_hour)
            if week is None or self.sent is None or self.sent.was_sent(week.isoformat()):
                return None
            # another instance on the same database may be sending this week: one claims it
            if not self.sent.claim(week.isoformat(), self.holder, self.now().timestamp(),
                                   CLAIM_SECONDS):
                return None
            try:
                if self.sent.was_sent(week.isoformat()):  # sent while we were claiming
                    return None
                recipients = list(self.config.review.weekly_to)
                report = await self._report(Period(week, week + timedelta(days=6)))
                msg = await asyncio.to_thread(review_email, report, self.config, recipients)
                self._sending = True
                try:
                    await asyncio.to_thread(self._send_and_record, msg, week.isoformat(),
                                            recipients)
                finally:
                    self._sending = False
            finally:
                self.sent.release(week.isoformat(), self.holder)
            log.info("weekly review of %s sent to %s", week, ", ".join(recipients))
            return week.isoformat()

    def _send_and_record(self, msg, week: str, recipients: list[str]) -> None:
        send(self.config, msg)
        self.sent.record(week, recipients, self.now().timestamp())

    async def _report(self, period: Period):
        from ownmedia.stats.api import INTERNAL_KEY

        key = self.ctx.state.setdefault(INTERNAL_KEY, secrets.token_urlsafe(32))
        transport = httpx.ASGITransport(app=self.ctx.state["app"])
        site_dir = self.config.site_dir if self.config.site_dir.is_dir() else None
        async with StatsClient(EMBEDDED_URL, key, transport=transport, timeout=300) as client:
            return await build_report(client, self.config.analytics.domains[0], period,
                                      site_dir=site_dir, costs=Costs(),
                                      currency=self.config.review.currency)


def routes(ctx) -> list[BaseRoute]:
    """No routes: registers the weekly sender's start and stop with the service."""
    weekly = WeeklyReview(ctx)
    ctx.state[STATE_NAME] = weekly
    ctx.startup.append(weekly.start)
    ctx.shutdown.append(weekly.stop)
    return []

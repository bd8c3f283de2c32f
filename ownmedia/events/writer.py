"""One writer thread per SQLite file, with group commit.

Requests hand a job (a function of the connection) to the writer and wait. In "group" mode the
writer takes every job waiting (up to max_batch) into one transaction, commits once
(synchronous=FULL: one fsync of the WAL) and then wakes all of them, so a 202 always means the
row is on disk while concurrent requests share the cost of the fsync. In "each" mode every job
gets its own transaction (commit per request), kept to measure the difference."""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

log = logging.getLogger("ownmedia.events")

Job = Callable[[sqlite3.Connection], Any]
_STOP = object()


class WriterClosed(RuntimeError):
    """The store is shutting down and takes no more writes."""


class GroupCommitWriter:
    """Runs jobs in a dedicated thread; `before_batch`/`after_commit`/`on_failure` let the
    owner keep caches in step with what is committed."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        mode: str = "group",
        max_batch: int = 512,
        before_batch: Callable[[sqlite3.Connection], None] | None = None,
        before_commit: Callable[[sqlite3.Connection], None] | None = None,
        after_commit: Callable[[], None] | None = None,
        on_failure: Callable[[], None] | None = None,
        name: str = "events-writer",
    ):
        if mode not in ("group", "each"):
            raise ValueError("mode must be 'group' or 'each'")
        self.conn = conn
        self.max_batch = max_batch if mode == "group" else 1
        self.before_batch = before_batch
        self.before_commit = before_commit
        self.after_commit = after_commit
        self.on_failure = on_failure
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.closed = False
        self.batches = 0
        self.jobs = 0
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    # submission -----------------------------------------------------------------------------
    def submit(self, job: Job) -> Future:
        """Queue a job; the Future resolves after its transaction committed."""
        fut: Future = Future()
        self._put((job, fut))
        return fut

    def run(self, job: Job, timeout: float | None = 60) -> Any:
        """Blocking helper for code outside the event loop."""
        return self.submit(job).result(timeout)

    async def run_async(self, job: Job) -> Any:
        """Await a job from the event loop; results come back in one wake-up per batch."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._put((job, (loop, fut)))
        return await fut

    def _put(self, item: tuple) -> None:
        with self._lock:
            if self.closed:
                raise WriterClosed("the event store is closed")
            self.queue.put(item)

    def close(self, timeout: float = 30) -> None:
        """Finish every queued job, then stop the thread."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self.queue.put(_STOP)
        self.thread.join(timeout)

    # writer thread --------------------------------------------------------------------------
    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self.queue.get()
            if first is _STOP:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._run_batch(batch)
        self.conn.close()

    def _run_batch(self, batch: list[tuple]) -> None:
        conn = self.conn
        outcomes: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            if self.before_batch:
                self.before_batch(conn)
            for job, _ in batch:
                conn.execute("SAVEPOINT job")
                try:
                    outcomes.append((True, job(conn)))
                    conn.execute("RELEASE job")
                except Exception as exc:  # one bad job must not sink the others
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((False, exc))
            if self.before_commit:
                self.before_commit(conn)
            conn.execute("COMMIT")
        except Exception as exc:
            log.exception("event store transaction failed")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if self.on_failure:
                self.on_failure()
            outcomes = [(False, exc)] * len(batch)
        else:
            self.batches += 1
            self.jobs += len(batch)
            if self.after_commit:
                try:
                    self.after_commit()
                except Exception:
                    log.exception("after_commit hook failed")
        self._resolve(batch, outcomes)

    @staticmethod
    def _resolve(batch: list[tuple], outcomes: list[tuple[bool, Any]]) -> None:
        per_loop: dict[asyncio.AbstractEventLoop, list] = {}
        for (_, waiter), outcome in zip(batch, outcomes, strict=True):
            if isinstance(waiter, Future):
                if outcome[0]:
                    waiter.set_result(outcome[1])
                else:
                    waiter.set_exception(outcome[1])
            else:
                loop, fut = waiter
                per_loop.setdefault(loop, []).append((fut, outcome))
        for loop, items in per_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, items)
            except RuntimeError:  # loop already closed: nobody is waiting any more
                pass


def _settle(items: list) -> None:
    for fut, (ok, value) in items:
        if fut.done():
            continue
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)

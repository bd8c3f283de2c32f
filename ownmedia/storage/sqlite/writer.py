"""Group commit for one SQLite file, driven by the asyncio event loop.

Requests hand a job (a function of the connection) to the writer and wait. The jobs that
arrived while the previous batch was committing run together, in the loop's thread, in one
transaction; its COMMIT (synchronous=FULL: the fsync of the WAL) runs in a helper thread while
the loop keeps parsing requests, whose jobs gather for the next batch. Every waiter is woken
once its batch's COMMIT returned: a 202 always means the row is on disk, and concurrent
requests share one fsync.

Measured alternatives (bench/bench_collector.py): a writer thread running the jobs too was
slower, because every SQLite call then hands the GIL over between two busy threads; committing
in the loop's thread blocks the loop for the fsync and was slower under load.

In "each" mode a transaction holds one job (commit per request), kept to measure the
difference. Code without a running loop (CLI, tests, threads) uses `run()`, which goes through
the loop when the service runs one, or writes directly under a lock when none does."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ownmedia.storage.drain import LoopDrain
from ownmedia.storage.event_ports import SinkClosed

log = logging.getLogger("ownmedia.events")

Job = Callable[[sqlite3.Connection], Any]
Hook = Callable[[sqlite3.Connection], None]


class WriterClosed(SinkClosed):
    """The store is shutting down and takes no more writes."""


class GroupCommitWriter(LoopDrain):
    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        mode: str = "group",
        max_batch: int = 512,
        before_batch: Hook | None = None,
        before_commit: Hook | None = None,
        after_commit: Callable[[], None] | None = None,
        on_failure: Callable[[], None] | None = None,
    ):
        if mode not in ("group", "each"):
            raise ValueError("mode must be 'group' or 'each'")
        self.conn = conn
        self.max_batch = max_batch if mode == "group" else 1
        self.before_batch = before_batch
        self.before_commit = before_commit
        self.after_commit = after_commit
        self.on_failure = on_failure
        self.closed = False
        self.batches = 0
        self.jobs = 0
        self.commit_seconds = 0.0  # time spent in COMMIT (the fsync), for the bench and logs
        self.loop: asyncio.AbstractEventLoop | None = None  # the loop that owns the connection
        self._pending: list[tuple[Job, asyncio.Future]] = []
        self._busy = False
        self._idle: asyncio.Event | None = None
        self._lock = threading.Lock()  # the connection: loop, commit thread, direct use
        self._committer = ThreadPoolExecutor(1, thread_name_prefix="events-commit")
        self._conn_closed = False

    # asynchronous path (the service) ----------------------------------------------------------
    async def run_async(self, job: Job) -> Any:
        """Run a job in the next batch; returns its result once the batch is committed."""
        if self.closed:
            raise WriterClosed("the event store is closed")
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            if self._busy:
                raise RuntimeError("the event store is bound to another event loop")
            self.loop, self._idle = loop, asyncio.Event()
            self._idle.set()
        fut = loop.create_future()
        self._pending.append((job, fut))
        if not self._busy:
            self._schedule()
        return await fut

    def _schedule(self) -> None:
        """Let the requests already parsed in this loop iteration join the batch."""
        assert self.loop is not None and self._idle is not None
        self._busy = True
        self._idle.clear()
        self.loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Run a batch's jobs here, then COMMIT in the helper thread."""
        batch = self._pending[: self.max_batch]
        del self._pending[: self.max_batch]
        self._lock.acquire()  # held until the commit thread has committed
        try:
            outcomes = self._execute(batch)
        except Exception as exc:
            try:
                self._failed(exc)
            finally:
                self._lock.release()
            self._settle(batch, [(False, exc)] * len(batch))
            return
        loop = self.loop
        assert loop is not None
        done = self._committer.submit(self._commit_locked)

        def back_to_loop(f) -> None:
            try:
                loop.call_soon_threadsafe(self._after_commit, batch, outcomes, f.exception())
            except RuntimeError:  # the loop is gone (process ending): nobody is waiting
                pass

        done.add_done_callback(back_to_loop)

    def _commit_locked(self) -> None:
        """In the commit thread; releases the lock _flush took (a plain Lock allows that)."""
        started = time.perf_counter()
        try:
            self.conn.execute("COMMIT")
        finally:
            self.commit_seconds += time.perf_counter() - started
            self._lock.release()

    def _after_commit(self, batch: list, outcomes: list, error: BaseException | None) -> None:
        if error is not None:
            with self._lock:
                self._failed(error)
            outcomes = [(False, error)] * len(batch)
        else:
            self._committed(len(batch))
        self._settle(batch, outcomes)

    def _settle(self, batch: list, outcomes: list) -> None:
        for (_, fut), (ok, value) in zip(batch, outcomes, strict=True):
            if fut.done():
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
        if self._pending:
            self.loop.call_soon(self._flush)
        else:
            self._busy = False
            if self._idle is not None:
                self._idle.set()

    # shared by both paths ---------------------------------------------------------------------
    def _execute(self, batch: list) -> list[tuple[bool, Any]]:
        """BEGIN and run the jobs, each in a savepoint (one bad job does not sink the others)
        unless it is marked `single_statement` (SQLite undoes a failed statement itself)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        if self.before_batch:
            self.before_batch(conn)
        outcomes: list[tuple[bool, Any]] = []
        for job, _ in batch:
            if getattr(job, "single_statement", False):
                try:
                    outcomes.append((True, job(conn)))
                except Exception as exc:
                    outcomes.append((False, exc))
                continue
            conn.execute("SAVEPOINT job")
            try:
                outcomes.append((True, job(conn)))
            except Exception as exc:
                conn.execute("ROLLBACK TO job")
                outcomes.append((False, exc))
            conn.execute("RELEASE job")
        if self.before_commit:
            self.before_commit(conn)
        return outcomes

    def _committed(self, jobs: int) -> None:
        self.batches += 1
        self.jobs += jobs
        if self.after_commit:
            try:
                self.after_commit()
            except Exception:
                log.exception("after_commit hook failed")

    def _failed(self, exc: BaseException) -> None:
        log.error("event store transaction failed: %s", exc)
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        if self.on_failure:
            self.on_failure()

    # synchronous path ---------------------------------------------------------------------------
    def run(self, job: Job, timeout: float | None = 60) -> Any:
        """Blocking helper for code outside the event loop (never call it inside the loop)."""
        if self.closed:
            raise WriterClosed("the event store is closed")
        if self._loop_running_elsewhere():
            return self._on_loop(self.run_async(job), timeout)
        with self._lock:
            try:
                [(ok, value)] = self._execute([(job, None)])
                self.conn.execute("COMMIT")
            except Exception as exc:
                self._failed(exc)
                raise
            self._committed(1)
        if not ok:
            raise value
        return value

    # shutdown (aclose, close: storage.drain) -------------------------------------------------
    def _release(self) -> None:
        with self._lock:
            if self._conn_closed:
                return
            self._conn_closed = True
            log.info("event store closed after %s jobs in %s transactions (%.3f s committing)",
                     self.jobs, self.batches, self.commit_seconds)
            if self.conn.in_transaction:  # a batch never finished: its waiters are gone
                self.conn.execute("ROLLBACK")
            self.conn.close()
        self._committer.shutdown(wait=False)

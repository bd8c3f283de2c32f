"""The one parallel stage of a build: pure per-item functions (a QR code from a URL, a comment
body's HTML from its Markdown) mapped over the items the build cache does not have yet, in
worker processes, while Pelican writes the pages in the build process.

Plugins hold no process code: they `offer` (kind, key, function, argument) for the misses,
as they attach their data to the articles; when the writing starts the stage forks its
workers (`start`), and the build cache takes a finished result when it is asked for that key
(`take`): the build process never waits for a worker, an item not ready yet is made where it
is needed (same function, same output). `close` (end of build, or a failed one) cancels what
has not started, waits for the chunks under way and keeps their results for the next build.

`OWNMEDIA_BUILD_WORKERS`: 0 = none; default, from 200 offered items on a cold build: one per
CPU but one (the build process keeps a core), at most 3. Never used by the engagement
service (its live publisher sets 0): nothing is forked inside `ownmedia serve`."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

log = logging.getLogger("ownmedia.build")

MIN_ITEMS = 200


def _run_chunk(fn: Callable[[str], str], args: list[str]) -> list[str]:
    return [fn(a) for a in args]


def default_workers(settings: dict, items: int) -> int:
    configured = settings.get("OWNMEDIA_BUILD_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min((cpus or 1) - 1, 3) if items >= MIN_ITEMS else 0


class Stage:
    def __init__(self, settings: dict):
        self.settings = settings
        self._offers: dict[tuple[Callable, str], list[tuple[str, str]]] = {}
        self._seen: set[tuple[str, str]] = set()
        self._ready: dict[tuple[str, str], tuple[Future, int]] = {}
        self._executor: ProcessPoolExecutor | None = None
        self.offered = 0
        self.taken = 0
        self.workers = 0

    def offer(self, kind: str, key: str, fn: Callable[[str], str], arg: str) -> None:
        """`fn(arg)` is the value of (kind, key); `fn` must be a module-level function."""
        if (kind, key) in self._seen:
            return
        self._seen.add((kind, key))
        self._offers.setdefault((fn, kind), []).append((key, arg))
        self.offered += 1

    def start(self) -> int:
        """Fork the workers and hand them the offered items; returns how many workers."""
        workers = default_workers(self.settings, self.offered)
        if (workers <= 0 or not self._offers
                or "fork" not in multiprocessing.get_all_start_methods()):
            self._offers.clear()
            return 0
        context = multiprocessing.get_context("fork")
        self._executor = ProcessPoolExecutor(workers, mp_context=context)
        size = max(1, self.offered // (workers * 4))
        for (fn, kind), items in self._offers.items():
            for i in range(0, len(items), size):
                chunk = items[i:i + size]
                future = self._executor.submit(_run_chunk, fn, [arg for _, arg in chunk])
                for n, (key, _) in enumerate(chunk):
                    self._ready[(kind, key)] = (future, n)
        self._offers.clear()
        self.workers = workers
        return workers

    def take(self, kind: str, key: str) -> str | None:
        """A worker's result if it is there now, else None (never waits)."""
        found = self._ready.get((kind, key))
        if found is None or not found[0].done():
            return None
        del self._ready[(kind, key)]
        future, n = found
        if future.cancelled() or future.exception() is not None:
            return None
        self.taken += 1
        return future.result()[n]

    def close(self) -> dict[tuple[str, str], str]:
        """Stop the workers; returns the finished results nobody asked for."""
        left: dict[tuple[str, str], str] = {}
        if self._executor is None:
            return left
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = None
        for (kind, key), (future, n) in self._ready.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                left[(kind, key)] = future.result()[n]
        self._ready.clear()
        return left

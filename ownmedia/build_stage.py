"""The one parallel stage of a build: pure per-item functions (a QR code from a URL, a comment
body's HTML from its Markdown) mapped over the items the build cache does not have yet, in
worker processes, while Pelican writes the pages in the build process.

Plugins hold no process code: they `offer` (kind, key, function, argument) for the misses,
as they attach their data to the articles; when the writing starts the stage forks its
workers (`start`), and the build cache takes a finished result when it is asked for that key
(`take`): the build process never waits for a worker, an item not ready yet is made where it
is needed (same function, same output). `close` (end of build, or a failed one) cancels what
has not started, waits for the chunks under way and keeps their results for the next build.

Items are handed out in the order the build needs them (`rank`: the position of the article
in Pelican's writing order, after the phase: pages, then comments feeds, then print views), in
small chunks, so that a worker's first results are there when the first article page asks.

`OWNMEDIA_BUILD_WORKERS`: 0 = none; default, from 200 offered items on a cold build: one per
CPU but one (the build process keeps a core), at most 3. `OWNMEDIA_BUILD_STAGE_WAIT` (tests,
diagnosis): `take` waits for the worker's result, so every offered item is a worker's.
Never used by the engagement service (its live publisher sets 0): nothing is forked inside
`ownmedia serve`."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a pool starts: a rebuild that forks none does not pay it
    from concurrent.futures import Future, ProcessPoolExecutor

log = logging.getLogger("ownmedia.build")

MIN_ITEMS = 200
CHUNK = 16  # items a worker makes before its results can be taken
# the early pool's items are needed only once the writing starts: big chunks, so that few
# results wake the build process's executor thread while it reads (under load every
# hand-over of the GIL to that thread can wait for a CPU)
EARLY_CHUNK = 125
# When the build needs an item, for `rank`: its article's page, then the comments feeds, then
# the print views (the order of the plugins' article_writer_finalized receivers).
PAGES, FEEDS, PRINT_VIEWS = 0, 1, 2


def rank(phase: int, position: int) -> int:
    """An offer's rank: the phase that needs it, then the article's place in write_order."""
    return phase * 1_000_000_000 + position


# In a worker: the cache misses it made (kind, key) -> value, so that a print view or feed
# it renders later finds its QR code or comment bodies (BuildCache.get) instead of making
# them again; `_HITS` counts those finds. Empty in the build process.
_MADE: dict[tuple[str, str], str] = {}
_HITS = [0]


def made_here(kind: str, key: str) -> str | None:
    """In a worker: a cache miss this worker made, else None."""
    found = _MADE.get((kind, key))
    if found is not None:
        _HITS[0] += 1
    return found


def _run_chunk(fn: Callable[[str], str], items: list[tuple[str, str, str, bool]]
               ) -> tuple[list[str], int]:
    """The chunk's values, and how many made_here finds making them took."""
    hits = _HITS[0]
    values = []
    for kind, key, arg, cached in items:
        value = fn(arg)
        if cached:
            _MADE[(kind, key)] = value
        values.append(value)
    return values, _HITS[0] - hits


def _quiet_worker() -> None:
    """A worker renders the contents the build process renders too (a print view shows its
    article's text): what that text warns about is logged there, not a second time here.
    Errors still show; an item that fails is made again in the build process."""
    logging.disable(logging.WARNING)


def default_workers(settings: dict, items: int) -> int:
    configured = settings.get("OWNMEDIA_BUILD_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min((cpus or 1) - 1, 3) if items >= MIN_ITEMS else 0


def _chunks(offers: list[tuple], size: int = CHUNK) -> list[list[tuple]]:
    """Consecutive offers of one function, at most `size` at a time."""
    chunks: list[list[tuple]] = []
    for offer in offers:
        if chunks and chunks[-1][0][2] is offer[2] and len(chunks[-1]) < size:
            chunks[-1].append(offer)
        else:
            chunks.append([offer])
    return chunks


def write_order(generator) -> list:
    """The articles in the order Pelican's ArticlesGenerator writes their pages."""
    return [*generator.translations, *generator.articles,
            *getattr(generator, "hidden_translations", []),
            *getattr(generator, "hidden_articles", [])]


def offer_miss(state, kind: str, key: str, fn: Callable[[str], str], arg: str,
               rank: int = 0, now: bool = False) -> None:
    """Offer to a build's stage (an ownmedia.incremental.BuildState) what its cache lacks;
    `now`: `fn` needs nothing but `arg`, see Stage.offer_now."""
    if not state.cache.has(kind, key):
        if now:
            state.stage.offer_now(kind, key, fn, arg, rank)
        else:
            state.stage.offer(kind, key, fn, arg, rank, cached=True)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_quiet_worker)


class Stage:
    def __init__(self, settings: dict):
        self.settings = settings
        self._offers: list[tuple[int, int, Callable, str, str, str, bool]] = []
        self._seen: set[tuple[str, str]] = set()
        self._ready: dict[tuple[str, str], tuple[Future, int]] = {}
        self._executor: ProcessPoolExecutor | None = None
        # pure functions of a string (a QR code, a comment body), made while Pelican still
        # reads: a pool forked as soon as MIN_ITEMS of them are known (see offer_now)
        self._early: list[tuple[int, Callable, str, str, str]] = []
        self._early_executor: ProcessPoolExecutor | None = None
        self._early_chunks: list[tuple[Future, list[tuple]]] = []
        self.offered = 0
        self.taken = 0
        self.workers = 0
        self.overtaken = 0  # items asked for before a worker started them (made here)
        self.handed_over = 0  # early items the early pool had not started by `start`
        self.reused = 0  # cache misses a worker found among the ones it made (made_here)
        self.wait = bool(settings.get("OWNMEDIA_BUILD_STAGE_WAIT"))

    @cached_property
    def may_start(self) -> bool:
        """Whether `start` can fork a worker at all (not with OWNMEDIA_BUILD_WORKERS = 0 or
        on one CPU): plugins need not prepare offers that no worker would take."""
        return default_workers(self.settings, MIN_ITEMS) > 0 and _can_fork()

    def offer(self, kind: str, key: str, fn: Callable[[str], str], arg: str,
              rank: int = 0, cached: bool = False) -> None:
        """`fn(arg)` is the value of (kind, key); `fn` must be a module-level function; lower
        `rank`s are made first. `cached`: a build-cache entry, which the worker's own later
        items may ask the cache for (kept in the worker, see made_here)."""
        if (kind, key) in self._seen:
            return
        self._seen.add((kind, key))
        self._offers.append((rank, len(self._offers), fn, kind, key, arg, cached))
        self.offered += 1

    def offer_now(self, kind: str, key: str, fn: Callable[[str], str], arg: str,
                  rank: int = 0) -> None:
        """Like `offer` for a build-cache entry whose `fn` needs nothing but `arg` (no
        article): made by a worker while the build still reads its content, the second CPU
        being idle then. Before MIN_ITEMS are known (a small site), kept for `start`."""
        if not self.may_start or (kind, key) in self._seen:
            return
        self._seen.add((kind, key))
        self.offered += 1
        self._early.append((rank, fn, kind, key, arg))
        if self._early_executor is None and len(self._early) >= MIN_ITEMS:
            workers = default_workers(self.settings, len(self._early))
            self._early_executor = _pool(workers)
            self.workers = workers
        if self._early_executor is not None and len(self._early) >= EARLY_CHUNK:
            self._submit_early()

    def _submit_early(self) -> None:
        for chunk in _chunks([(rank, 0, fn, kind, key, arg, True)
                              for rank, fn, kind, key, arg in self._early], EARLY_CHUNK):
            self._early_chunks.append((self._submit(self._early_executor, chunk), chunk))
        self._early.clear()

    def _submit(self, executor: ProcessPoolExecutor, chunk: list[tuple]) -> Future:
        future = executor.submit(_run_chunk, chunk[0][2], [(o[3], o[4], o[5], o[6])
                                                           for o in chunk])
        future.add_done_callback(self._count_reused)
        for n, (_, _, _, kind, key, _, _) in enumerate(chunk):
            self._ready[(kind, key)] = (future, n)
        return future

    def _hand_over_early(self) -> None:
        """The early chunks no early worker has started go with the late offers: in the
        late workers' small chunks, in the build's order, an item the build asks for first
        no longer cancels (and so makes in the build process) a whole early chunk."""
        for future, chunk in self._early_chunks:
            if future.cancel():
                for rank, _, fn, kind, key, arg, cached in chunk:
                    del self._ready[(kind, key)]
                    self._offers.append((rank, len(self._offers), fn, kind, key, arg, cached))
                self.handed_over += len(chunk)
        self._early_chunks.clear()
        self._offers += [(rank, len(self._offers) + n, fn, kind, key, arg, True)
                         for n, (rank, fn, kind, key, arg) in enumerate(self._early)]
        self.handed_over += len(self._early)
        self._early.clear()

    def start(self) -> int:
        """Fork the workers and hand them the offered items; returns how many workers.
        What the early pool made already is handed to them (a print view's QR code), what
        it has not started goes to them (_hand_over_early)."""
        if self._early_executor is not None:
            self._hand_over_early()
        else:  # too few for a pool of their own: offered with the others
            self._offers += [(rank, len(self._offers) + n, fn, kind, key, arg, True)
                             for n, (rank, fn, kind, key, arg) in enumerate(self._early)]
            self._early.clear()
        workers = default_workers(self.settings, self.offered)
        if workers <= 0 or not self._offers or not _can_fork():
            self._offers.clear()
            return 0
        for (kind, key), (future, n) in self._ready.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                _MADE[(kind, key)] = future.result()[0][n]
        self._executor = _pool(workers)
        for chunk in _chunks(sorted(self._offers)):
            self._submit(self._executor, chunk)
        self._offers.clear()
        _MADE.clear()  # the workers have their copy; the build process never reads it
        self.workers = max(self.workers, workers)
        return workers

    def take(self, kind: str, key: str) -> str | None:
        """A worker's result if it is there now, else None (never waits). A chunk asked for
        before a worker started it is cancelled: the build process makes its items, and the
        workers go on with the chunks after it instead of making them a second time."""
        found = self._ready.get((kind, key))
        if found is not None and self.wait:
            from concurrent.futures import wait

            wait([found[0]])
        if found is None or not found[0].done() and not found[0].cancel():
            return None
        del self._ready[(kind, key)]
        future, n = found
        if future.cancelled():
            self.overtaken += 1
            return None
        if future.exception() is not None:
            return None
        self.taken += 1
        return future.result()[0][n]

    def _count_reused(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.reused += future.result()[1]

    def close(self) -> dict[tuple[str, str], str]:
        """Stop the workers; returns the finished results nobody asked for."""
        left: dict[tuple[str, str], str] = {}
        if self._executor is None and self._early_executor is None:
            return left
        for executor in (self._early_executor, self._executor):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._early_executor = None
        self._early.clear()
        self._early_chunks.clear()
        for (kind, key), (future, n) in self._ready.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                left[(kind, key)] = future.result()[0][n]
        self._ready.clear()
        return left

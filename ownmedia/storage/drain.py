"""Closing a writer whose batches belong to one asyncio event loop (the SQLite group-commit
writer, the PostgreSQL event sink): every event accepted before the close is written first.

From the loop, `aclose` waits until the queued batches are written, then releases the
connections; from another thread, `close` asks the loop to do just that; with no loop running
(a CLI, a test), it releases at once. The writers keep their own queues; this is only the part
of their shutdown that was the same in both."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

CLOSE_TIMEOUT = 60.0  # seconds a close from another thread waits for the loop to drain


class LoopDrain:
    """Mixed into a writer that sets `closed`, `loop` (the loop its batches run on) and
    `_idle` (set when no batch is queued or in flight), and defines `_release`."""

    closed: bool
    loop: asyncio.AbstractEventLoop | None
    _idle: asyncio.Event | None
    release_blocks = False  # True: `_release` waits on threads, so run it off the loop

    def _release(self) -> None:
        """Close the connections (the queue is drained)."""
        raise NotImplementedError

    def _loop_running_elsewhere(self) -> bool:
        """Whether the writer's loop runs, in a thread other than the caller's."""
        loop = self.loop
        if loop is None or loop.is_closed() or not loop.is_running():
            return False
        try:
            return asyncio.get_running_loop() is not loop
        except RuntimeError:
            return True

    def _on_loop(self, work: Coroutine[Any, Any, Any], timeout: float | None = CLOSE_TIMEOUT
                 ) -> Any:
        """Run `work` on the writer's loop from another thread and wait for its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    async def aclose(self) -> None:
        """From the loop: finish the queued batches, then close."""
        self.closed = True
        if self._idle is not None and asyncio.get_running_loop() is self.loop:
            await self._idle.wait()
        if self.release_blocks:
            await asyncio.to_thread(self._release)
        else:
            self._release()

    def close(self) -> None:
        """From outside the loop: finish the queued batches, then close."""
        if self._loop_running_elsewhere():
            self._on_loop(self.aclose())
            return
        self.closed = True
        self._release()

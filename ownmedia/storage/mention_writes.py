"""The mention queue's writes that are the same on both backends: a received mention queued
(again), a job done, a job failed. A backend supplies how one statement runs in a transaction
of its own (the SQL here is written with `?` placeholders); how jobs are taken (`due`) and
listed stays per backend, since several PostgreSQL instances claim them."""

from __future__ import annotations

from collections.abc import Sequence

from ownmedia.storage.ports import MentionJob


class MentionQueueWrites:
    """Mixed into a backend's MentionQueue, which defines `_write`."""

    def _write(self, sql: str, params: Sequence = ()) -> None:
        """One statement in a transaction of its own."""
        raise NotImplementedError

    def enqueue(self, kind: str, source: str, target: str, post: str, now: float) -> None:
        self._write(
            "INSERT INTO mention_queue(kind, source, target, post, received, next_attempt,"
            " state, updated) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)"
            " ON CONFLICT (source, target) DO UPDATE SET"
            " kind = excluded.kind, post = excluded.post, received = excluded.received,"
            " attempts = 0, next_attempt = excluded.next_attempt, last_error = NULL,"
            " state = 'queued', updated = excluded.updated",
            (kind, source, target, post, now, now, now))

    def done(self, job: MentionJob) -> None:
        """Forget the job unless the same pair was received again meanwhile."""
        self._write("DELETE FROM mention_queue WHERE id = ? AND received = ?",
                    (job.id, job.received))

    def failed(self, job: MentionJob, attempts: int, error: str, next_attempt: float,
               final: bool, now: float) -> None:
        # AND received = ?: a new mention of the same pair that arrived meanwhile wins
        self._write(
            "UPDATE mention_queue SET attempts = ?, last_error = ?, next_attempt = ?,"
            " state = ?, updated = ? WHERE id = ? AND received = ?",
            (attempts, error, next_attempt, "failed" if final else "queued", now, job.id,
             job.received))

"""The `sequence` behavioural filter: visits in which the given steps happened in that order.

`["sequence", [step, step, ...]]`, each step a filter on event dimensions. Plausible answers
it two ways, and so does this module:
- a query with event dimensions (event:page, event:name, ...) counts, per matching visit, the
  single event that came right after the sequence was first completed ("where did they go
  next?");
- any other query counts the visits in which the sequence happened.
Steps need not be consecutive, never cross visits, and engagement events are not steps.

The steps are compiled to SQL by the engine; the ordered matching runs here, over each step's
events (kept per day in the rollups file when the backend can, see
ownmedia.storage.sqlite.visit_steps) or one scan of the period's events in visit and time
order."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ownmedia.storage.event_ports import SqlReader


class StepCache:
    """The events that match a step, kept for a short while per state of the events table.

    Why: a funnel asks one query per step, and step k repeats steps 1..k-1; a read-through
    step scans half the events (its props are JSON), so the review's funnels read them once
    instead of once per step. The key holds the events' (highest id, count), read before the
    step, so an event written in between makes a new entry: an answer never misses an event
    committed before its query started."""

    SECONDS = 60.0
    SIZE = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple, tuple[float, list[tuple]]] = {}
        self._busy: dict[tuple, threading.Lock] = {}  # keys being computed

    def rows(self, key: tuple, compute: Callable[[], list[tuple]]) -> list[tuple]:
        """The cached rows of `key`, else compute them; a funnel's steps are asked at the same
        time, so a thread finding the key being computed waits for that result."""
        with self._lock:
            hit = self._rows.get(key)
            if hit is not None and time.monotonic() - hit[0] <= self.SECONDS:
                return hit[1]
            busy = self._busy.get(key)
            if busy is None:
                busy = self._busy[key] = threading.Lock()
                busy.acquire()
                mine = True
            else:
                mine = False
        if not mine:
            with busy:  # released once the computing thread is done (or failed)
                pass
            return self.rows(key, compute)
        try:
            rows = compute()
            with self._lock:
                self._rows[key] = (time.monotonic(), rows)
                while len(self._rows) > self.SIZE:
                    self._rows.pop(next(iter(self._rows)))
            return rows
        finally:
            with self._lock:
                del self._busy[key]
            busy.release()


Stored = Callable[[str, list], list[tuple]]  # (step sql, params) -> (session, ts, id) rows


def matches(conn: SqlReader, base: str, params: list, steps: list[tuple[str, list]],
            *, next_event: bool, cache: StepCache | None = None,
            stored: Stored | None = None) -> list[int]:
    """The matching visits' session ids, or their next events' ids. `stored` gives a step's
    events of the query's period from a store kept per day (the SQLite rollups file), else
    `cache` shares the step's events read from the table between queries."""
    if stored is not None and not next_event:
        return _through([stored(sql, ps) for sql, ps in steps])
    if cache is not None and not next_event:
        version = tuple(conn.execute("SELECT MAX(id), COUNT(*) FROM events").fetchone())
        return _through([cache.rows(
            (version, base, tuple(params), sql, tuple(ps)),
            lambda q=f"SELECT e.session_id, e.ts, e.id FROM events e WHERE {base} AND ({sql})",
            a=[*params, *ps]: [tuple(r) for r in conn.execute(q, a)]) for sql, ps in steps])
    cols = ", ".join(f"COALESCE({sql}, FALSE)" for sql, _ in steps)
    step_params = [p for _, ps in steps for p in ps]
    if next_event:  # the event that follows may be any event: read them all
        sql = (f"SELECT e.session_id, e.id, e.ts, {cols} FROM events e WHERE {base} "
               "ORDER BY e.session_id, e.ts, e.id")
        args = step_params + list(params)
    else:
        # only the events that are a step can move a visit through the sequence: one select
        # per step, so each can use the (domain, name, ts) index when its step names events
        sql = " UNION ".join(
            f"SELECT e.session_id, e.id, e.ts, {cols} FROM events e WHERE {base} AND ({s})"
            for s, _ in steps) + " ORDER BY 1, 3, 2"
        args = [a for _, ps in steps for a in (*step_params, *params, *ps)]
    found: list[int] = []
    add: Callable[[int], None] = found.append
    session, step, done = None, 0, False
    n = len(steps)
    for row in conn.execute(sql, args):
        if row[0] != session:
            session, step, done = row[0], 0, False
        if done:
            continue
        if step == n:  # the event right after the completed sequence
            add(row[1])
            done = True
            continue
        if row[3 + step]:
            step += 1
            if step == n and not next_event:
                add(session)
                done = True
    return found


def _through(step_rows: list[list[tuple]]) -> list[int]:
    """The visits in which the steps happened in order, from each step's (session, ts, id)
    rows, merged in (visit, time, id) order: an event that is several steps moves a visit on
    by one step only."""
    sessions = set.intersection(*({row[0] for row in rows} for rows in step_rows))
    if len(step_rows) == 1:
        return sorted(sessions)
    events: dict[int, list] = {}  # id -> [session, ts, id, bit mask of the steps it is]
    for i, rows in enumerate(step_rows):
        bit = 1 << i
        for session, ts, event_id in rows:
            if session not in sessions:  # a visit without every step cannot complete them
                continue
            seen = events.get(event_id)
            if seen is None:
                events[event_id] = [session, ts, event_id, bit]
            else:
                seen[3] |= bit
    found: list[int] = []
    session, step, n = None, 0, len(step_rows)
    for sid, _ts, _id, mask in sorted(events.values()):
        if sid != session:
            session, step = sid, 0
        if step < n and mask >> step & 1:
            step += 1
            if step == n:
                found.append(sid)
    return found

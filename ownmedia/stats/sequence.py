"""The `sequence` behavioural filter: visits in which the given steps happened in that order.

`["sequence", [step, step, ...]]`, each step a filter on event dimensions. Plausible answers
it two ways, and so does this module:
- a query with event dimensions (event:page, event:name, ...) counts, per matching visit, the
  single event that came right after the sequence was first completed ("where did they go
  next?");
- any other query counts the visits in which the sequence happened.
Steps need not be consecutive, never cross visits, and engagement events are not steps.

The steps are compiled to SQL by the engine; the ordered matching runs here, over one scan of
the period's events in visit and time order."""

from __future__ import annotations

from collections.abc import Callable

from ownmedia.storage.event_ports import SqlReader


def matches(conn: SqlReader, base: str, params: list, steps: list[tuple[str, list]],
            *, next_event: bool) -> list[int]:
    """The matching visits' session ids, or their next events' ids."""
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

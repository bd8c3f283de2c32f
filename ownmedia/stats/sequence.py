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
    sql = (f"SELECT e.session_id, e.id, {cols} FROM events e WHERE {base} "
           "ORDER BY e.session_id, e.ts, e.id")
    found: list[int] = []
    add: Callable[[int], None] = found.append
    session, step, done = None, 0, False
    n = len(steps)
    for row in conn.execute(sql, step_params + params):
        if row[0] != session:
            session, step, done = row[0], 0, False
        if done:
            continue
        if step == n:  # the event right after the completed sequence
            add(row[1])
            done = True
            continue
        if row[2 + step]:
            step += 1
            if step == n and not next_event:
                add(session)
                done = True
    return found

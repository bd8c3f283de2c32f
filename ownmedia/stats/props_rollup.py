"""The r_props rows of one site's day, counted from its custom events: one function for both
backends (each runs only its own SELECT and INSERT).

Why this shape: a day's custom events arrive ordered by (visitor, session), so a group's
distinct visitors and visits are counted by comparing with the last one it saw instead of
adding to sets, and each distinct props text is parsed once per refresh (a read-through's
{post, depth} repeats all over the span) into integer ids of its groups, cheaper to look up
per event than the (name, key, value...) tuples they stand for."""

from __future__ import annotations

import json

# a group: [last visitor, visitors, last session, visits, events]
Group = list


class PropsCounter:
    """Counts r_props rows; keeps the parsed props across the days of one refresh."""

    MAX_CACHED = 200_000  # distinct (name, props) texts kept parsed; beyond, start afresh

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str], tuple[int, ...]] = {}
        self._ids: dict[tuple, int] = {}
        self._names: list[tuple] = []

    def _group_keys(self, name: str, props: str) -> list[tuple]:
        """(name, k1, k2, v1, v2) for the event name, each prop, each pair of props (k1 < k2)."""
        parsed = json.loads(props) if props and props != "{}" else {}
        items = sorted((k, v if isinstance(v, str) else json.dumps(v))
                       for k, v in (parsed.items() if isinstance(parsed, dict) else ()))
        keys = [(name, "", "", "", "")]
        keys += [(name, k, "", v, "") for k, v in items]
        keys += [(name, ka, kb, va, vb) for i, (ka, va) in enumerate(items)
                 for kb, vb in items[i + 1:]]
        return keys

    def _key_ids(self, name: str, props: str) -> tuple[int, ...]:
        """The ids of `_group_keys` (new keys get the next id)."""
        ids = self._ids
        out = []
        for key in self._group_keys(name, props):
            i = ids.get(key)
            if i is None:
                i = ids[key] = len(self._names)
                self._names.append(key)
            out.append(i)
        return tuple(out)

    def day_rows(self, events: list[tuple[str, int, int, str]]) -> list[tuple]:
        """(name, k1, k2, v1, v2, visitors, visits, events) in primary-key order, from one
        day's custom events (name, visitor, session, props text) ordered by visitor, then
        session. A session seen under two visitors (not something the collector writes)
        makes the day counted with sets instead, so the rows stay exact."""
        cache = self._keys
        if len(cache) > self.MAX_CACHED:
            cache.clear()
            self._ids.clear()
            self._names.clear()
        groups: dict[int, Group] = {}
        owner: dict[int, int] = {}
        last_pair = None
        for name, visitor, session, props in events:
            if (visitor, session) != last_pair:
                last_pair = (visitor, session)
                if owner.setdefault(session, visitor) != visitor:
                    return self._with_sets(events)
            keys = cache.get((name, props))
            if keys is None:
                keys = cache[(name, props)] = self._key_ids(name, props)
            for key in keys:
                g = groups.get(key)
                if g is None:
                    groups[key] = [visitor, 1, session, 1, 1]
                    continue
                if g[0] != visitor:
                    g[0] = visitor
                    g[1] += 1
                if g[2] != session:
                    g[2] = session
                    g[3] += 1
                g[4] += 1
        names = self._names
        return sorted((*names[key], g[1], g[3], g[4]) for key, g in groups.items())

    def _with_sets(self, events: list[tuple[str, int, int, str]]) -> list[tuple]:
        groups: dict[tuple, list] = {}
        for name, visitor, session, props in events:
            for key in self._group_keys(name, props):
                g = groups.setdefault(key, [set(), set(), 0])
                g[0].add(visitor)
                g[1].add(session)
                g[2] += 1
        return sorted((*key, len(g[0]), len(g[1]), g[2]) for key, g in groups.items())

"""Answer a checked Stats API query with SQL over the embedded event store.

Events carry their visit's attributes (v_* columns), so every dimension and filter is a column
expression on one table; session-level metrics (bounce rate, visit duration) join the sessions
table. Each metric family is one grouped statement; results are merged, ordered and paginated in
Python (a grouped answer is small next to the scan that made it).

The SQL that differs between databases (time buckets, JSON props, regular expressions...) comes
from the backend's dialect (ownmedia.storage.*.stats); rollups are the SQLite backend's."""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

import pycountry

from ownmedia.stats import sequence
from ownmedia.stats.goals import Goal
from ownmedia.stats.query import PROP_RE, TIME_DIMENSIONS, Query
from ownmedia.storage.event_ports import SqlReader, StatsDialect, StepRows

NOT_SET = "(not set)"
NONE = "(none)"
DIRECT = "Direct / None"
COUNTED = ("visitors", "visits", "pageviews", "events", "views_per_visit", "percentage",
           "conversion_rate")


def q(value: str) -> str:
    """A SQL string literal (only for names we control: goals, prop keys)."""
    return "'" + value.replace("'", "''") + "'"


def _visit_col(col: str, empty: str) -> str:
    return f"CASE {{a}}.{col} WHEN '' THEN {q(empty)} ELSE {{a}}.{col} END"


DIM_SQL: dict[str, str] = {
    "event:page": "{a}.pathname",
    "event:hostname": "{a}.hostname",
    "event:name": "{a}.name",
    "visit:source": _visit_col("v_source", DIRECT),
    "visit:referrer": _visit_col("v_referrer", DIRECT),
    "visit:utm_source": _visit_col("v_utm_source", NOT_SET),
    "visit:utm_medium": _visit_col("v_utm_medium", NOT_SET),
    "visit:utm_campaign": _visit_col("v_utm_campaign", NOT_SET),
    "visit:utm_content": _visit_col("v_utm_content", NOT_SET),
    "visit:utm_term": _visit_col("v_utm_term", NOT_SET),
    "visit:device": _visit_col("device", NOT_SET),
    "visit:browser": _visit_col("browser", NOT_SET),
    "visit:browser_version": _visit_col("browser_version", NOT_SET),
    "visit:os": _visit_col("os", NOT_SET),
    "visit:os_version": _visit_col("os_version", NOT_SET),
    "visit:entry_page": "{a}.v_entry_page",
    "visit:exit_page": "(SELECT s.exit_page FROM sessions s WHERE s.session_id = {a}.session_id)",
    "visit:channel": _visit_col("v_channel", NOT_SET),
    "visit:country": _visit_col("v_country", NOT_SET),
    "visit:region": _visit_col("v_region", NOT_SET),
}
GEO_NAMED = {"visit:country_name": "v_country", "visit:region_name": "v_region"}
TIME_SQL = {"time:hour": "hour", "time:day": "day", "time:month": "month"}


VISIT_COL = {
    "visit:source": "v_source", "visit:referrer": "v_referrer",
    "visit:utm_source": "v_utm_source", "visit:utm_medium": "v_utm_medium",
    "visit:utm_campaign": "v_utm_campaign", "visit:utm_content": "v_utm_content",
    "visit:utm_term": "v_utm_term", "visit:device": "device", "visit:browser": "browser",
    "visit:browser_version": "browser_version", "visit:os": "os", "visit:os_version": "os_version",
    "visit:entry_page": "v_entry_page", "visit:exit_page": "exit_page",
    "visit:channel": "v_channel", "visit:country": "v_country", "visit:region": "v_region",
    "visit:city": "v_city",
}


@functools.lru_cache(maxsize=4096)
def geo_name(code: str | None) -> str:
    """ISO 3166 name of a country ("EE") or region ("EE-37") code, as Plausible shows them."""
    if not code or code == NOT_SET:
        return NOT_SET
    try:
        found = (pycountry.subdivisions.get(code=code) if "-" in code
                 else pycountry.countries.get(alpha_2=code))
    except (KeyError, LookupError):
        found = None
    return found.name if found is not None else code


class Compiler:
    """Turns dimensions, goals and filters into SQL for one query."""

    def __init__(self, query: Query, goals: list[Goal], dialect: StatsDialect):
        self.query = query
        self.sql = dialect
        self.goals = {g.display_name: g for g in goals}
        self.time_dim = self._time_dim()
        self.prop_cols: dict[str, str] | None = None  # prop key -> r_props column
        self.plain_visits = False  # r_visits stores visit attributes as shown
        self.conn: SqlReader | None = None  # for the sequence filter's matching
        self.step_cache: sequence.StepCache | None = None  # the store's, shared by queries
        self.step_rows: StepRows | None = None  # the backend's stored steps (rollups current)
        self.top: int | None = None  # the events' highest id, read before the query

    def breakdown_goals(self) -> dict[str, Goal]:
        """The goals an event:goal breakdown shows: those the top-level goal filters select,
        as Plausible does, else all; an event is labelled with the first one it matches."""
        chosen: dict[str, Goal] = {}
        for f in self.query.filters:
            if f[0] in POSITIVE and f[1] == "event:goal":
                sensitive = f[3].get("case_sensitive", True) if len(f) > 3 else True
                for n, g in self.goals.items():
                    if _match(f[0], n, f[2], sensitive):
                        chosen[n] = g
        return chosen or self.goals

    def _time_dim(self) -> str:
        days = (self.query.end - self.query.start).days
        return "time:day" if days <= 92 else "time:month"

    def goal_cond(self, goal: Goal, a: str) -> str:
        if goal.goal_type == "event" and goal.custom_props:
            if self.prop_cols is not None and a == "r":  # r_props: see _run_props
                return "FALSE"
            props = " AND ".join(f"{self.sql.json_text(f'{a}.props', k)} = {q(v)}"
                                 for k, v in goal.custom_props)
            return f"({a}.name = {q(goal.event_name)} AND {props})"
        if goal.goal_type == "event":
            return f"{a}.name = {q(goal.event_name)}"
        if self.prop_cols is not None and a == "r":  # r_props holds no pageviews
            return "FALSE"
        if "*" not in goal.page_path:  # an exact page: equality lets the page index answer
            return f"({a}.name = 'pageview' AND {a}.pathname = {q(goal.page_path)})"
        return f"({a}.name = 'pageview' AND {self.sql.glob(f'{a}.pathname', goal.page_path)})"

    def goals_cond(self, goals: list[Goal], a: str) -> str:
        if not goals:
            return "FALSE"
        names = [g.event_name for g in goals if g.goal_type == "event" and not g.custom_props]
        parts = [f"{a}.name IN ({', '.join(q(n) for n in names)})"] if names else []
        parts += [self.goal_cond(g, a) for g in goals
                  if g.goal_type == "page" or g.custom_props]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def dim(self, name: str, a: str = "e") -> str:
        if name == "time":
            name = self.time_dim
        if name == "time:week":  # a partial first week is labelled by the range's first day
            first = q(self.query.start.date().isoformat())
            return self.sql.greatest(self.sql.week(f"{a}.ts"), first)
        if name in TIME_SQL:
            return getattr(self.sql, TIME_SQL[name])(f"{a}.ts")
        if name == "event:goal":
            whens = " ".join(f"WHEN {self.goal_cond(g, a)} THEN {q(n)}"
                             for n, g in self.breakdown_goals().items())
            return f"(CASE {whens} END)" if whens else "NULL"
        m = PROP_RE.match(name)
        if m and self.prop_cols and m.group(1) in self.prop_cols:
            return f"{a}.{self.prop_cols[m.group(1)]}"
        if m:
            return f"COALESCE({self.sql.json_text(f'{a}.props', m.group(1))}, {q(NONE)})"
        if self.plain_visits and a == "r" and name in VISIT_COL:
            return f"{a}.{VISIT_COL[name]}"
        if name == "visit:city":
            return self.sql.city(f"{a}.v_city")
        if name in GEO_NAMED:
            return self.sql.geo_name(_visit_col(GEO_NAMED[name], NOT_SET).format(a=a))
        return DIM_SQL[name].format(a=a)

    def base_where(self, a: str = "e", *, engagement: bool = False) -> tuple[str, list]:
        name = f"{a}.name = 'engagement'" if engagement else f"{a}.name != 'engagement'"
        return (f"{a}.domain = ? AND {a}.ts >= ? AND {a}.ts < ? AND {name}",
                [self.query.site_id, self.query.start.timestamp(), self.query.end.timestamp()])

    def filters(self, filters: list, a: str = "e") -> tuple[str, list]:
        parts, params = [], []
        for f in filters:
            sql, p = self.filter(f, a)
            parts.append(sql)
            params += p
        return (" AND ".join(parts) if parts else "TRUE"), params

    def _sequence(self, steps: list, a: str) -> tuple[str, list]:
        """Visits where the steps happened in order; with event dimensions, the event that
        followed the sequence (see ownmedia.stats.sequence)."""
        assert self.conn is not None
        base, bparams = self.base_where("e")
        compiled = [self.filter(step, "e") for step in steps]
        next_event = any(d.startswith("event:") for d in self.query.dimensions)
        found = sequence.matches(self.conn, base, bparams, compiled, next_event=next_event,
                                 cache=self.step_cache, stored=self._stored())
        column = "id" if next_event else "session_id"
        return self.sql.ids_in(f"{a}.{column}"), [self.sql.ids_param(found)]

    def _stored(self) -> sequence.Stored | None:
        """The steps' events from the backend's per-day store, for a period of whole days."""
        start, end = self.query.start.timestamp(), self.query.end.timestamp()
        if self.step_rows is None or start % 86400 or end % 86400:
            return None
        conn, site, step_rows = self.conn, self.query.site_id, self.step_rows
        d0, d1 = int(start // 86400), int(end // 86400)
        if self.step_cache is None:
            return lambda sql, params: step_rows(conn, site, d0, d1, sql, params)
        # a funnel's queries share their first steps: read each once per state of the events
        cache, version = self.step_cache, self._steps_version()
        return lambda sql, params: cache.rows(
            ("stored", version, site, d0, d1, sql, tuple(params)),
            lambda: step_rows(conn, site, d0, d1, sql, params))

    def _steps_version(self) -> object:
        """What the stored steps were made from: the dialect's version row, else the events'
        highest id (the store's, read before the query, when it gave it)."""
        assert self.conn is not None
        if self.sql.steps_version is not None:
            return self.conn.execute(self.sql.steps_version).fetchone()[0]
        if self.top is not None:
            return self.top
        return self.conn.execute("SELECT MAX(id) FROM events").fetchone()[0]

    def _prop_filter(self, kind: str, negate: bool, key: str, values: list[str],
                     case_sensitive: bool, a: str) -> tuple[str, list]:
        """Plausible's custom-property rules: `is` ["(none)"] matches events without the key;
        `is_not` keeps the events without the key unless "(none)" is among its values;
        contains, matches and their negations only ever match events that carry the key."""
        has_key = self.sql.json_has(f"{a}.props", key)
        expr = self.sql.json_text(f"{a}.props", key)
        if not case_sensitive:
            expr = f"lower({expr})"
            values = [v.lower() for v in values]
        if kind == "is":
            none = NONE.lower() if not case_sensitive else NONE
            member = f"{expr} IN ({', '.join('?' * len(values))})"
            if negate:
                keep_missing = "" if none in values else f" OR NOT {has_key}"
                return f"(({has_key} AND NOT {member}){keep_missing})", list(values)
            if none not in values and case_sensitive:  # NULL without the key: one JSON read
                sql, params = self.sql.json_text_in(f"{a}.props", key, values)
                return f"({sql})", params
            if none not in values:
                return f"({member})", list(values)
            return f"(({has_key} AND {member}) OR NOT {has_key})", list(values)
        if kind == "contains":
            sql = "(" + " OR ".join(self.sql.contains(expr) for _ in values) + ")"
        else:
            sql = "(" + " OR ".join(self.sql.regex(expr) for _ in values) + ")"
        return f"({has_key} AND {'NOT ' if negate else ''}{sql})", list(values)

    def filter(self, f: list, a: str) -> tuple[str, list]:
        op = f[0]
        if op in ("and", "or"):
            parts, params = [], []
            for x in f[1]:
                sql, p = self.filter(x, a)
                parts.append(sql)
                params += p
            return "(" + f" {op.upper()} ".join(parts) + ")", params
        if op == "not":
            sql, p = self.filter(f[1], a)
            return f"NOT ({sql})", p
        if op == "sequence":
            return self._sequence(f[1], a)
        if op in ("has_done", "has_not_done") and self.plain_visits and a == "r" \
                and self.step_cache is not None:  # r_visits: the visits' ids, as a sequence
            sql, p = self._sequence([f[1]], a)
            return (f"NOT ({sql})" if op == "has_not_done" else sql), p
        if op in ("has_done", "has_not_done"):
            h = a + "h"
            base, bp = self.base_where(h)
            sql, p = self.filter(f[1], h)
            neg = "NOT " if op == "has_not_done" else ""
            return (f"{a}.session_id {neg}IN (SELECT {h}.session_id FROM events {h} "
                    f"WHERE {base} AND {sql})", bp + p)
        dim, values = f[1], f[2]
        case_sensitive = (f[3] if len(f) > 3 else {}).get("case_sensitive", True)
        negate = op.endswith("_not")
        kind = op.removesuffix("_not")
        if dim == "event:goal":
            chosen = [g for n, g in self.goals.items() if _match(kind, n, values, case_sensitive)]
            sql = self.goals_cond(chosen, a)
            return (f"NOT ({sql})" if negate else sql), []
        prop = PROP_RE.match(dim)
        if prop and not (self.prop_cols and prop.group(1) in self.prop_cols):
            return self._prop_filter(kind, negate, prop.group(1), values, case_sensitive, a)
        expr = self.dim(dim, a)
        if dim == "visit:city":  # geoname ids compare as text, whichever way they were sent
            expr = f"CAST({expr} AS TEXT)"
        if not case_sensitive:
            expr, values = f"lower({expr})", [v.lower() for v in values]
        if kind == "is":
            sql = f"{expr} IN ({', '.join('?' * len(values))})"
        elif kind == "contains":
            sql = "(" + " OR ".join(self.sql.contains(expr) for _ in values) + ")"
        else:
            sql = "(" + " OR ".join(self.sql.regex(expr) for _ in values) + ")"
        return (f"NOT {sql}" if negate else sql), list(values)


def _match(kind: str, name: str, values: list[str], case_sensitive: bool) -> bool:
    if not case_sensitive:
        name, values = name.lower(), [v.lower() for v in values]
    if kind == "is":
        return name in values
    if kind == "contains":
        return any(v in name for v in values)
    return any(re.search(v, name) for v in values)


def _strip_goals(filters: list) -> list:
    """The filters without their top-level event:goal and event:props parts: the visitors a
    conversion rate divides by (Plausible removes both; the parser keeps goal filters, and
    props filters with a conversion rate, at the top level)."""
    return [f for f in filters
            if f[0] not in POSITIVE + NEGATIVE or (f[1] != "event:goal"
                                                   and not PROP_RE.match(f[1]))]


def _page_scoped(filters: list) -> list:
    """The filters with event:page read as visit:entry_page: with a page filter or breakdown,
    Plausible takes bounce rate and visit duration from the visits that entered there."""
    out = []
    for f in filters:
        if f[0] in ("and", "or"):
            out.append([f[0], _page_scoped(f[1])])
        elif f[0] == "not":
            out.append(["not", _page_scoped([f[1]])[0]])
        elif f[0] in POSITIVE + NEGATIVE and f[1] == "event:page":
            out.append([f[0], "visit:entry_page", *f[2:]])
        else:
            out.append(f)
    return out


def time_labels(dim: str, start: date, end_exclusive: date) -> list[str]:
    """Every bucket label of a time dimension between two dates."""
    labels: list[str] = []
    d = start
    while d < end_exclusive:
        if dim == "time:day":
            label = d.isoformat()
        elif dim == "time:week":  # weeks start on Monday, the first one on the range's start
            label = max(d - timedelta(days=d.weekday()), start).isoformat()
        elif dim == "time:month":
            label = d.replace(day=1).isoformat()
        else:
            label = ""
            for h in range(24):
                labels.append(f"{d.isoformat()} {h:02d}:00:00")
        if label and (not labels or labels[-1] != label):
            labels.append(label)
        d += timedelta(days=1)
    return labels


VISIT_METRICS = {"visitors", "visits", "pageviews", "events", "views_per_visit", "bounce_rate",
                 "visit_duration", "percentage"}
PAGE_METRICS = {"visitors", "visits", "pageviews", "events", "views_per_visit"}
PROPS_METRICS = {"visitors", "visits", "events"}
POSITIVE = ("is", "contains", "matches")
NEGATIVE = ("is_not", "contains_not", "matches_not")
ROLLUP_TIME = {"time", "time:day", "time:week", "time:month"}


BEHAVIOURAL = "(behavioural)"  # what _leaf_dims reports for has_done, sequence...


def _leaf_dims(filters: list) -> set[str] | None:
    """Dimensions the filters test; a behavioural filter counts as BEHAVIOURAL."""
    dims: set[str] = set()
    for f in filters:
        if f[0] in ("and", "or"):
            inner = _leaf_dims(f[1])
        elif f[0] == "not":
            inner = _leaf_dims([f[1]])
        elif f[0] in ("has_done", "has_not_done", "sequence"):
            inner = {BEHAVIOURAL}
        else:
            inner = {f[1]}
        if inner is None:
            return None
        dims |= inner
    return dims


def rollup_for(query: Query) -> str | None:
    """Which rollup answers `query` exactly ('visits', 'pages'), or None for the events."""
    if query.start.timestamp() % 86400 or query.end.timestamp() % 86400:
        return None
    tested = _leaf_dims(query.filters)
    if tested is None:
        return None
    metrics = set(query.metrics)
    dims = set(query.dimensions)
    visit_dims = {d for d in dims | tested if d.startswith("visit:")}
    # a behavioural filter selects whole visits (session ids), so r_visits, one row per visit
    # and day, answers it exactly when everything else is about visits: funnels read it
    if not (dims - ROLLUP_TIME - visit_dims) and not (tested - visit_dims - {BEHAVIOURAL}) \
            and metrics <= VISIT_METRICS:
        return "visits"
    if "event:page" in dims and not (dims - ROLLUP_TIME - {"event:page"}) \
            and tested <= {"event:page"} and metrics <= PAGE_METRICS:
        return "pages"
    return "props" if _props_keys(query) is not None else None


def _props_keys(query: Query) -> list[str] | None:
    """The (at most two) prop keys of a query r_props can answer, else None: only custom-event
    goals (a top-level positive goal filter names them), props tested positively at top level,
    visitors/visits/events."""
    if not set(query.metrics) <= PROPS_METRICS:
        return None
    keys: set[str] = set()
    goal_filter = False
    for f in query.filters:
        leaves = f[1] if f[0] == "and" else [f]
        for leaf in leaves:
            if leaf[0] not in POSITIVE:
                return None
            m = PROP_RE.match(leaf[1])
            if m:
                if "(none)" in leaf[2]:
                    return None
                keys.add(m.group(1))
            elif leaf[1] == "event:goal":
                goal_filter = True
            else:
                return None
    if not goal_filter:
        return None
    for d in query.dimensions:
        m = PROP_RE.match(d)
        if m:
            keys.add(m.group(1))
        elif d != "event:goal" and d not in ROLLUP_TIME:
            return None
    return sorted(keys) if len(keys) <= 2 else None


def _goal_leaves(filters: list) -> list:
    out = []
    for f in filters:
        out += [x for x in (f[1] if f[0] == "and" else [f]) if x[1] == "event:goal"]
    return out


def _run_props(conn: SqlReader, query: Query, c: Compiler) -> dict | None:
    """From r_props; None when the rows would not give the events' exact answer, so the caller
    reads the events instead."""
    keys = _props_keys(query)
    if keys is None:
        return None
    for leaf in _goal_leaves(query.filters):  # only custom-event goals live in r_props
        sensitive = leaf[3].get("case_sensitive", True) if len(leaf) > 3 else True
        chosen = [g for n, g in c.goals.items() if _match(leaf[0], n, leaf[2], sensitive)]
        if any(g.goal_type != "event" or g.event_name == "pageview" or g.custom_props
               for g in chosen):
            return None
    dims, n = query.dimensions, len(query.dimensions)
    c.prop_cols = {k: f"v{i + 1}" for i, k in enumerate(keys)}
    try:
        dsql = [c.dim(d, "r") for d in dims]
        fsql, fparams = c.filters(query.filters, "r")
    finally:
        c.prop_cols = None
    k1, k2 = (keys + ["", ""])[:2]
    where = (f"r.domain = ? AND r.k1 = {q(k1)} AND r.k2 = {q(k2)} AND r.day >= ? "
             f"AND r.day < ? AND {fsql}")
    if "event:goal" in dims:
        where += f" AND {dsql[dims.index('event:goal')]} IS NOT NULL"
    params = [query.site_id, int(query.start.timestamp() // 86400),
              int(query.end.timestamp() // 86400), *fparams]
    g = [f"d{i}" for i in range(n)]
    inner_dims = ", ".join(f"{s} AS d{i}" for i, s in enumerate(dsql))
    sql = (f"SELECT {', '.join(g) + ', ' if n else ''}SUM(v), SUM(s), SUM(ev), MAX(k) "
           f"FROM (SELECT {inner_dims + ', ' if n else ''}SUM(r.visitors) AS v, "
           "SUM(r.visits) AS s, SUM(r.events) AS ev, COUNT(*) AS k "
           f"FROM st.r_props r WHERE {where} GROUP BY {', '.join(g + ['r.day'])}) p"
           f"{' GROUP BY ' + ', '.join(g) if n else ''}")
    need_unique = bool(set(query.metrics) & {"visitors", "visits"})
    rows: dict[tuple, dict] = {}
    for r in conn.execute(sql, params):
        if r[n + 3] is None:
            continue
        if need_unique and r[n + 3] > 1:
            return None
        rows[tuple(r[:n])] = {"visitors": r[n] or 0, "visits": r[n + 1] or 0,
                              "events": r[n + 2] or 0}
    prop_dims = [d for d in dims if PROP_RE.match(d)]
    if prop_dims:  # an event lacking a grouped prop would be missing here: check the total
        base_q = Query(query.site_id, ["events"], query.start, query.end,
                       [d for d in dims if d not in prop_dims], query.filters)
        base = _run_props(conn, base_q, c)
        if base is None or sum(v["events"] for v in base.values()) != \
                sum(v["events"] for v in rows.values()):
            return None
    return rows


def _run_rollup(conn: SqlReader, query: Query, c: Compiler, kind: str) -> dict:
    dims, n = query.dimensions, len(query.dimensions)
    c.plain_visits = kind == "visits"
    try:
        dsql = [c.dim(d, "r") for d in dims]
        fsql, fparams = c.filters(query.filters, "r")
    finally:
        c.plain_visits = False
    where = "r.domain = ? AND r.day >= ? AND r.day < ? AND " + fsql
    params = [query.site_id, int(query.start.timestamp() // 86400),
              int(query.end.timestamp() // 86400), *fparams]
    if kind == "visits":
        return _run_visits(conn, query, c, dsql, where, params)
    agg = {"visitors": "SUM(r.visitors)", "visits": "SUM(r.visits)",
           "pageviews": "SUM(r.pageviews)", "events": "SUM(r.events)"}
    names = [m for m in agg if m in _wanted(query)]
    select_dims = ", ".join(f"{s} AS d{i}" for i, s in enumerate(dsql))
    group = f" GROUP BY {', '.join(f'd{i}' for i in range(n))}" if n else ""
    sql = (f"SELECT {select_dims + ', ' if n else ''}{', '.join(agg[m] for m in names)} "
           f"FROM st.r_pages r WHERE {where}{group}")
    rows: dict[tuple, dict] = {}
    for r in conn.execute(sql, params):
        rows[tuple(r[:n])] = {m: r[n + i] or 0 for i, m in enumerate(names)}
    return rows


def _wanted(query: Query) -> set[str]:
    wanted = set(query.metrics)
    if "views_per_visit" in wanted:
        wanted |= {"visits", "pageviews"}
    if "percentage" in wanted:
        wanted.add("visitors")
    return wanted


DAY_INDEXED = {"visit:source", "visit:utm_medium", "visit:utm_source", "visit:utm_campaign"}


def _run_visits(conn: SqlReader, query: Query, c: Compiler, dsql: list[str],
                where: str, params: list) -> dict:
    """From r_visits, grouped per day first (in index order), then per time bucket: visitor
    ids are made per day, so visitors are summed over days: per day a distinct count, or
    without filters a sum of first-visit-of-the-day flags."""
    dims, n = query.dimensions, len(dsql)
    visit_idx = [i for i, d in enumerate(dims) if d not in TIME_DIMENSIONS]
    visit_dims = bool(visit_idx)
    unique = "SUM(r.vfirst)" if not query.filters and not visit_dims \
        else "COUNT(DISTINCT r.visitor_id)" if _wanted(query) & {"visitors"} else "0"
    inner_cols = "".join(f", {dsql[i]} AS d{i}" for i in visit_idx)
    wanted = _wanted(query)
    sums = {"pv": ("pageviews", "r.pageviews"), "ev": ("events", "r.events"),
            "b": ("bounce_rate", "r.bounce"), "du": ("visit_duration", "r.duration")}
    inner_sums = "".join(f", SUM({col}) AS {k}" if m in wanted else f", 0 AS {k}"
                         for k, (m, col) in sums.items())  # only what is asked: indexes cover
    # per day for visitors (distinct per day), a time dimension, or attributes that r_visits'
    # indexes hold right after the day (the groups stream in index order); else one group
    # per attribute value, half the sorting (the funnels' visits per entry page)
    per_day = unique != "0" or len(visit_idx) < n or {dims[i] for i in visit_idx} <= DAY_INDEXED
    inner_group = (["r.day"] if per_day else []) + [dsql[i] for i in visit_idx]
    inner = (f"SELECT {'r.day * 86400.0' if per_day else '0'} AS ts{inner_cols}, {unique} AS v, "
             f"COUNT(*) AS k{inner_sums} FROM st.r_visits r WHERE {where}"
             f"{' GROUP BY ' + ', '.join(inner_group) if inner_group else ''}")
    outer = [f"d{i}" if i in visit_idx else c.dim(d, "i") for i, d in enumerate(dims)]
    outer_sel = "".join(f"{x} AS o{j}, " for j, x in enumerate(outer))
    outer_group = f" GROUP BY {', '.join(f'o{j}' for j in range(n))}" if n else ""
    sql = (f"SELECT {outer_sel}SUM(v), SUM(k), SUM(pv), SUM(ev), SUM(b), SUM(du) "
           f"FROM ({inner}) i{outer_group}")
    rows: dict[tuple, dict] = {}
    total = 0
    for r in conn.execute(sql, params):
        v, k, pv, ev, b, du = (x or 0 for x in r[n:])
        if not k:
            continue
        total += v
        rows[tuple(r[:n])] = {"visitors": v, "visits": k, "pageviews": pv, "events": ev,
                              "bounce_rate": round(100 * b / k), "visit_duration": round(du / k)}
    if "percentage" in query.metrics:
        if visit_dims:
            inner_total = (f"SELECT {unique} AS v FROM st.r_visits r WHERE {where} "
                           "GROUP BY r.day")
            total = conn.execute(f"SELECT SUM(v) FROM ({inner_total}) t", params).fetchone()[0]
        for vals in rows.values():
            vals["percentage"] = _pct(vals["visitors"], total)
    return rows


def run_query(conn: SqlReader, query: Query, goals: list[Goal], *,
              dialect: StatsDialect, rollups: bool = False,
              step_cache: sequence.StepCache | None = None,
              step_rows: StepRows | None = None, top: int | None = None) -> dict:
    """Execute `query`; return Plausible's answer shape {results, meta, query}.

    With `rollups` (the connection has them attached as `st`, refreshed), queries they can
    answer exactly read them instead of the events. `top`: the events' highest id, read
    before the query (the stored funnel steps' version on SQLite)."""
    c = Compiler(query, goals, dialect)
    c.conn = conn
    c.top = top
    c.step_cache = step_cache
    c.step_rows = step_rows if rollups else None
    kind = rollup_for(query) if rollups else None
    rows = None
    if kind == "props":
        rows = _run_props(conn, query, c)
    elif kind:
        rows = _run_rollup(conn, query, c, kind)
    if rows is None:
        rows = _run_events(conn, query, c)
    return _finish(rows, query, c)


def _run_events(conn: SqlReader, query: Query, c: Compiler) -> dict:
    dims = query.dimensions
    n = len(dims)
    dsql = [c.dim(d) for d in dims]
    base, bparams = c.base_where()
    fsql, fparams = c.filters(query.filters)
    where = f"{base} AND {fsql}"
    if "event:goal" in dims:
        where += f" AND {dsql[dims.index('event:goal')]} IS NOT NULL"
    params = bparams + fparams
    select_dims = ", ".join(f"{s} AS d{i}" for i, s in enumerate(dsql))
    group = f" GROUP BY {', '.join(f'd{i}' for i in range(n))}" if n else ""
    metrics = set(query.metrics)
    rows: dict[tuple, dict] = {}

    aggs = []
    if metrics & {"visitors", "percentage", "conversion_rate", "group_conversion_rate"}:
        aggs.append(("visitors", "COUNT(DISTINCT e.visitor_id)"))
    if metrics & {"visits", "views_per_visit"}:
        aggs.append(("visits", "COUNT(DISTINCT e.session_id)"))
    if metrics & {"pageviews", "views_per_visit"}:
        aggs.append(("pageviews", c.sql.count_if("e.name = 'pageview'")))
    if "events" in metrics:
        aggs.append(("events", "COUNT(*)"))
    if aggs:
        cols = ", ".join(x for _, x in aggs)
        sql = (f"SELECT {select_dims + ', ' if n else ''}{cols} FROM events e "
               f"WHERE {where}{group}")
        for r in conn.execute(sql, params):
            rows.setdefault(tuple(r[:n]), {}).update(
                {k: (r[n + i] or 0) for i, (k, _) in enumerate(aggs)})
        if not n and not rows:
            rows[()] = {k: 0 for k, _ in aggs}

    if metrics & {"bounce_rate", "visit_duration"}:
        g = ", ".join(f"g.d{i}" for i in range(n))
        sdims = [c.dim("visit:entry_page") if d == "event:page" else x
                 for d, x in zip(dims, dsql, strict=True)]
        sel = ", ".join(f"{x} AS d{i}" for i, x in enumerate(sdims))
        sfsql, sfparams = c.filters(_page_scoped(query.filters))
        swhere = f"{base} AND {sfsql}"
        if "event:goal" in dims:
            swhere += f" AND {dsql[dims.index('event:goal')]} IS NOT NULL"
        sql = (f"SELECT {g + ', ' if n else ''}"
               f"AVG({c.sql.as_number('s.pageviews <= 1 AND s.interactive_events <= 1')}), "
               'AVG(s."end" - s.start) '
               f"FROM (SELECT DISTINCT {sel + ', ' if n else ''}e.session_id AS sid "
               f"FROM events e WHERE {swhere}) g JOIN sessions s ON s.session_id = g.sid"
               f"{' GROUP BY ' + g if n else ''}")
        for r in conn.execute(sql, bparams + sfparams):
            if r[n] is None:
                continue
            rows.setdefault(tuple(r[:n]), {}).update(
                {"bounce_rate": round(r[n] * 100), "visit_duration": round(r[n + 1])})

    if "scroll_depth" in metrics:
        ebase, ebparams = c.base_where(engagement=True)
        sql = (f"SELECT {', '.join(f'd{i}' for i in range(n)) + ', ' if n else ''}AVG(m) FROM "
               f"(SELECT {select_dims + ', ' if n else ''}MAX(e.scroll_depth) AS m FROM events e "
               f"WHERE {ebase} AND e.scroll_depth IS NOT NULL AND {fsql} "
               f"GROUP BY {', '.join(f'd{i}' for i in range(n)) + ', ' if n else ''}"
               f"e.visitor_id, e.pathname) sd{group}")
        for r in conn.execute(sql, ebparams + fparams):
            if r[n] is not None:
                rows.setdefault(tuple(r[:n]), {})["scroll_depth"] = round(r[n])

    if "time_on_page" in metrics:
        # Plausible's engagement-based time on page: the engaged time of a page's engagement
        # events over the visitors who engaged there, in whole seconds
        ebase, ebparams = c.base_where(engagement=True)
        sql = (f"SELECT {select_dims + ', ' if n else ''}SUM(e.engagement_ms), "
               "COUNT(DISTINCT e.visitor_id) FROM events e "
               f"WHERE {ebase} AND e.engagement_ms IS NOT NULL AND {fsql}{group}")
        for r in conn.execute(sql, ebparams + fparams):
            if r[n + 1]:
                rows.setdefault(tuple(r[:n]), {})["time_on_page"] = round(r[n] / 1000 / r[n + 1])

    if metrics & {"total_revenue", "average_revenue"}:
        _revenue(conn, rows, select_dims, where, group, params, n, metrics)

    if "percentage" in metrics:
        total = conn.execute(f"SELECT COUNT(DISTINCT e.visitor_id) FROM events e WHERE {where}",
                             params).fetchone()[0] or 0
        for vals in rows.values():
            v = vals.get("visitors", 0)
            vals["percentage"] = _pct(v, total)

    if metrics & {"conversion_rate", "group_conversion_rate"}:
        _conversion_rates(conn, query, c, rows, base, bparams)

    return rows


CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def money(value: float, currency: str) -> dict:
    """A revenue amount in Plausible's answer shape: value, currency, long and short text."""
    sign = CURRENCY_SIGNS.get(currency, f"{currency} ")
    short = value
    suffix = ""
    for limit, letter in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= limit:
            short, suffix = value / limit, letter
            break
    short_text = f"{short:.1f}".rstrip("0").rstrip(".") if suffix else f"{short:.2f}"
    return {"value": round(value, 2), "currency": currency, "long": f"{sign}{value:,.2f}",
            "short": f"{sign}{short_text}{suffix}"}


def _revenue(conn: SqlReader, rows: dict, select_dims: str, where: str, group: str,
             params: list, n: int, metrics: set[str]) -> None:
    """total_revenue and average_revenue of the events with a revenue: per row, one currency,
    else no value (a row mixing currencies cannot be summed without exchange rates)."""
    sql = (f"SELECT {select_dims + ', ' if n else ''}COUNT(DISTINCT e.revenue_currency), "
           "MIN(e.revenue_currency), SUM(CAST(e.revenue_amount AS DOUBLE PRECISION)), "
           "COUNT(e.revenue_amount) FROM events e "
           f"WHERE {where} AND e.revenue_amount IS NOT NULL{group}")
    for r in conn.execute(sql, params):
        currencies, currency, total, count = r[n:]
        vals = rows.setdefault(tuple(r[:n]), {})
        if currencies != 1 or not count:
            vals["total_revenue"] = vals["average_revenue"] = None
            continue
        vals["total_revenue"] = money(total, currency)
        vals["average_revenue"] = money(total / count, currency)


def _pct(part: float, whole: float) -> float:
    """Percentages and rates as Plausible rounds them: one decimal."""
    return round(100 * part / whole, 1) if whole else 0.0


def _conversion_rates(conn: SqlReader, query: Query, c: Compiler, rows: dict,
                      base: str, bparams: list) -> None:
    """conversion_rate divides by the visitors of the period (per time bucket on a time
    dimension) with the other filters; group_conversion_rate by the visitors of the row's
    group (its dimensions but event:goal). Goal and props filters are left out of both."""
    dims = query.dimensions
    dfsql, dfparams = c.filters(_strip_goals(query.filters))

    def totals(keep: list[int]) -> dict[tuple, int]:
        kd = ", ".join(f"{c.dim(dims[i])} AS k{j}" for j, i in enumerate(keep))
        group = f" GROUP BY {', '.join(f'k{j}' for j in range(len(keep)))}" if keep else ""
        sql = (f"SELECT {kd + ', ' if keep else ''}COUNT(DISTINCT e.visitor_id) FROM events e "
               f"WHERE {base} AND {dfsql}{group}")
        return {tuple(r[:len(keep)]): r[len(keep)] for r in conn.execute(sql, bparams + dfparams)}

    wanted = {"conversion_rate": [i for i, d in enumerate(dims) if d in TIME_DIMENSIONS],
              "group_conversion_rate": [i for i, d in enumerate(dims) if d != "event:goal"]}
    for metric, keep in wanted.items():
        if metric not in query.metrics:
            continue
        denom = totals(keep)
        for key, vals in rows.items():
            vals[metric] = _pct(vals.get("visitors", 0), denom.get(tuple(key[i] for i in keep), 0))


def _finish(rows: dict, query: Query, c: Compiler) -> dict:
    metrics, dims = set(query.metrics), query.dimensions
    if not dims and not rows:
        rows[()] = {}
    for vals in rows.values():
        if "views_per_visit" in metrics:
            v = vals.get("visits", 0)
            vals["views_per_visit"] = round(vals.get("pageviews", 0) / v, 2) if v else 0.0

    defaults = {"views_per_visit": 0.0, "conversion_rate": 0.0, "percentage": 0.0,
                "group_conversion_rate": 0.0, "time_on_page": 0, "total_revenue": None,
                "average_revenue": None,
                "bounce_rate": 0, "visit_duration": 0, "scroll_depth": 0}
    results = [{"dimensions": list(k),
                "metrics": [vals.get(m, defaults.get(m, 0)) for m in query.metrics]}
               for k, vals in rows.items()]
    if "visit:city" in dims:  # geoname ids are numbers, whatever type the database gave back
        i = dims.index("visit:city")
        for r in results:
            if isinstance(r["dimensions"][i], str) and r["dimensions"][i].isdigit():
                r["dimensions"][i] = int(r["dimensions"][i])
    _order(results, query)
    total_rows = len(results)
    page = results[query.offset: query.offset + query.limit]
    meta: dict = {}
    if query.include.get("imports"):  # nothing is ever imported here: say so, as Plausible does
        meta["imports_included"] = False
        meta["imports_skip_reason"] = "no_imported_data"
    if query.include.get("total_rows"):
        meta["total_rows"] = total_rows
    if query.include.get("time_labels"):
        tdim = next(d for d in dims if d in TIME_DIMENSIONS)
        tdim = c.time_dim if tdim == "time" else tdim
        meta["time_labels"] = time_labels(tdim, query.start.date(), query.end.date()
                                          if query.end.time() == query.end.time().min
                                          else query.end.date() + timedelta(days=1))
    return {"results": page, "meta": meta, "query": query.echo()}


def _sort_value(value: object) -> tuple:
    """Metrics in order; revenue (a money object) by its value; no value last."""
    if isinstance(value, dict):
        value = value.get("value")
    return (value is None, value or 0)


def _order(results: list[dict], query: Query) -> None:
    """Plausible's default: time dimensions ascending, else the first metric descending."""
    dims, metrics = query.dimensions, query.metrics
    order = list(query.order_by)
    if not order:
        tdim = [d for d in dims if d in TIME_DIMENSIONS]
        order = [(tdim[0], "asc"), (metrics[0], "desc")] if tdim else [(metrics[0], "desc")]
    # stable sorts, least significant key first; dimensions ascending break ties
    results.sort(key=lambda r: [str(x) for x in r["dimensions"]])
    for name, direction in reversed(order):
        if name in metrics:
            i = metrics.index(name)
            results.sort(key=lambda r, i=i: _sort_value(r["metrics"][i]),
                         reverse=direction == "desc")
        else:
            i = dims.index(name)
            results.sort(key=lambda r, i=i: str(r["dimensions"][i]),
                         reverse=direction == "desc")

"""Parse and check a Stats API v2 query (Plausible's request shape) before any SQL runs.

Why a separate step: every unsupported or malformed part must come back as a 400 naming it,
so the engine only ever sees a query it can answer."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

METRICS = {
    "visitors", "visits", "pageviews", "events", "views_per_visit", "bounce_rate",
    "visit_duration", "conversion_rate", "group_conversion_rate", "scroll_depth", "percentage",
    "time_on_page", "total_revenue", "average_revenue",
}
# metrics of visits (Plausible's session metrics): not with event dimensions but event:page
SESSION_METRICS = ("bounce_rate", "visit_duration", "views_per_visit")
EVENT_DIMENSIONS = {"event:page", "event:goal", "event:hostname", "event:name"}
VISIT_DIMENSIONS = {
    "visit:source", "visit:referrer", "visit:utm_source", "visit:utm_medium",
    "visit:utm_campaign", "visit:utm_content", "visit:utm_term", "visit:device",
    "visit:browser", "visit:os", "visit:entry_page", "visit:exit_page", "visit:browser_version",
    "visit:os_version", "visit:channel", "visit:country", "visit:region", "visit:city",
    "visit:country_name", "visit:region_name",
}
TIME_DIMENSIONS = {"time", "time:hour", "time:day", "time:week", "time:month"}
# city names need a city database's names, not stored (the geoname id is: visit:city)
UNSUPPORTED_DIMENSIONS = {"visit:exit_page_hostname", "visit:entry_page_hostname",
                          "visit:city_name"}
PRESETS = {"day", "7d", "28d", "30d", "91d", "month", "6mo", "12mo", "year", "all"}
OPERATORS = {"is", "is_not", "contains", "contains_not", "matches", "matches_not"}
LOGICAL = ("and", "or", "not")
BEHAVIOURAL = ("has_done", "has_not_done", "sequence")
TOP_ONLY = ("event:goal", "event:hostname")  # Plausible filters these at the top level only
TOP_KEYS = {
    "site_id", "metrics", "date_range", "dimensions", "filters", "order_by", "include",
    "pagination", "date",
}
INCLUDE_KEYS = {"total_rows", "time_labels", "imports"}
PROP_RE = re.compile(r"^event:props:([^\"\\]{1,300})$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
MAX_LIMIT = 10_000
FIRST_DAY = date(1970, 1, 2)  # the range SQLite's date functions and our rollups handle
LAST_DAY = date(9000, 12, 31)


class QueryError(ValueError):
    """A query the API refuses with 400; the message says what and where."""


@dataclass
class Query:
    site_id: str
    metrics: list[str]
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC
    dimensions: list[str] = field(default_factory=list)
    filters: list = field(default_factory=list)  # already checked, Plausible's list shape
    order_by: list[tuple[str, str]] = field(default_factory=list)
    limit: int = MAX_LIMIT
    offset: int = 0
    include: dict = field(default_factory=dict)
    date_range: list[str] = field(default_factory=list)  # as answered in "query"

    def has_goal(self) -> bool:
        return "event:goal" in self.dimensions or _mentions(self.filters, "event:goal")

    def echo(self) -> dict:
        return {
            "site_id": self.site_id, "metrics": self.metrics, "date_range": self.date_range,
            "dimensions": self.dimensions, "filters": self.filters,
            "order_by": [list(o) for o in self.order_by], "include": self.include,
            "pagination": {"limit": self.limit, "offset": self.offset},
        }


def _mentions(filters: list, dim: str) -> bool:
    for f in filters:
        if f[0] in ("and", "or"):
            if _mentions(f[1], dim):
                return True
        elif f[0] == "sequence":
            if _mentions(f[1], dim):
                return True
        elif f[0] in ("not", "has_done", "has_not_done"):
            if _mentions([f[1]], dim):
                return True
        elif f[1] == dim:
            return True
    return False


def is_dimension(name: object) -> bool:
    return isinstance(name, str) and (
        name in EVENT_DIMENSIONS or name in VISIT_DIMENSIONS or name in TIME_DIMENSIONS
        or bool(PROP_RE.match(name)))


def _check_dimension(name: object, where: str) -> str:
    if not isinstance(name, str):
        raise QueryError(f"{where}: Invalid dimension {_js(name)}")
    if name in UNSUPPORTED_DIMENSIONS:
        raise QueryError(f"{where}: dimension '{name}' is not supported by this server")
    if not is_dimension(name):
        raise QueryError(f"{where}: Invalid dimension {_js(name)}")
    return name


def _js(value: object) -> str:
    """A value as JSON, the way Plausible quotes it in its messages."""
    return json.dumps(value, ensure_ascii=False)


def parse_date_range(value: object, today: date) -> tuple[datetime, datetime, list[str]]:
    """Preset or [from, to] (ISO dates, inclusive; or ISO datetimes with a zone) -> UTC
    [start, end). Anything else, or dates outside what can be counted, is a 400."""
    bad = QueryError(f"#/date_range: Invalid date range {_js(value)}")
    if isinstance(value, str):
        if value not in PRESETS:
            raise bad
        return _preset(value, today)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str)
                                                                for v in value)):
        raise bad
    timed = ["T" in v for v in value]
    if timed[0] != timed[1]:
        raise bad  # a date and a datetime cannot be combined
    try:
        if timed[0]:
            first, last = (datetime.fromisoformat(v) for v in value)
    except (ValueError, OverflowError):
        raise bad from None
    if timed[0] and (first.tzinfo is None or last.tzinfo is None):
        raise QueryError(f"Invalid date_range '{_js(value)}'.")
    try:
        if timed[0]:
            start, end = _as_utc(first), _as_utc(last)
            end += timedelta(microseconds=1) if end.microsecond or end.second else timedelta()
        else:
            first_day, last_day = (date.fromisoformat(v) for v in value)
            if not (FIRST_DAY <= first_day <= LAST_DAY and FIRST_DAY <= last_day <= LAST_DAY):
                raise QueryError(f"#/date_range: {_js(value)} is outside the dates this server "
                                 f"counts ({FIRST_DAY} to {LAST_DAY})")
            start = _day_start(first_day)
            end = _day_start(last_day + timedelta(days=1))
    except (ValueError, OverflowError):
        raise bad from None
    if not (FIRST_DAY <= start.date() <= LAST_DAY and FIRST_DAY <= end.date() <= LAST_DAY):
        raise QueryError(f"#/date_range: {_js(value)} is outside the dates this server counts "
                         f"({FIRST_DAY} to {LAST_DAY})")
    if end <= start:
        raise QueryError(f"#/date_range: {_js(value)} ends before it starts")
    return start, end, [start.isoformat(), end.isoformat()]


def _day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _preset(value: str, today: date) -> tuple[datetime, datetime, list[str]]:
    """Plausible's presets: "month", "6mo", "12mo" and "year" run to the end of the current
    month (year), the others to today."""
    first, last = today, today
    if value.endswith("d") and value[:-1].isdigit():
        first = today - timedelta(days=int(value[:-1]) - 1)
    elif value == "month":
        first, last = today.replace(day=1), _month_end(today)
    elif value in ("6mo", "12mo"):
        months = 6 if value == "6mo" else 12
        y, m = today.year, today.month - (months - 1)
        while m <= 0:
            y, m = y - 1, m + 12
        first, last = date(y, m, 1), _month_end(today)
    elif value == "year":
        first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    elif value == "all":
        first = date(2000, 1, 1)
    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    return start, end, [start.isoformat(), end.isoformat()]


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def check_filter(f: object, where: str, goal_names: set[str], depth: int = 0,
                 behavioural: bool = False) -> list:
    """One filter: [op, dim, [values], {modifiers}?], ["and"|"or", [...]], ["not", f],
    ["has_done"|"has_not_done", f]; shapes and messages as Plausible's schema has them."""
    invalid = QueryError(f"{where}: Invalid filter {_js(f)}")
    if not isinstance(f, list) or not f or not isinstance(f[0], str):
        raise invalid
    op = f[0]
    if op in ("and", "or"):
        if len(f) != 2 or not isinstance(f[1], list) or not f[1]:
            raise invalid
        return [op, [check_filter(x, where, goal_names, depth + 1, behavioural)
                     for x in f[1]]]
    if op == "not":
        if len(f) != 2 or not isinstance(f[1], list) or not f[1]:
            raise invalid
        return [op, check_filter(f[1], where, goal_names, depth + 1, behavioural)]
    if op in BEHAVIOURAL:
        if len(f) != 2 or not isinstance(f[1], list) or not f[1]:
            raise invalid
        if behavioural:
            raise QueryError("Invalid filters. Behavioral filters (has_done, has_not_done, "
                             "sequence) cannot be nested.")
        if op == "sequence":
            if depth:
                raise QueryError("Invalid filters. sequence filters cannot be wrapped in not, "
                                 "and or or: use them at the top level.")
            if not all(isinstance(step, list) for step in f[1]):
                raise invalid
            inner = [check_filter(step, where, goal_names, 0, True) for step in f[1]]
        else:
            inner = check_filter(f[1], where, goal_names, 0, True)  # its own top level
        if any(not d.startswith("event:") for d in _filter_dims(
                inner if op == "sequence" else [inner])):
            raise QueryError("Invalid filters. Behavioral filters (has_done, has_not_done, "
                             "sequence) can only be used with event dimension filters.")
        return [op, inner]
    if op not in OPERATORS or len(f) not in (3, 4):
        raise invalid
    dim = f[1]
    if not isinstance(dim, str) or not is_dimension(dim) or dim in TIME_DIMENSIONS \
            or dim in UNSUPPORTED_DIMENSIONS:
        raise invalid
    values = f[2]
    numbers_ok = dim == "visit:city"  # geoname ids
    if not isinstance(values, list) or not values:
        raise invalid
    if not all(isinstance(v, str) or (numbers_ok and isinstance(v, int)
                                      and not isinstance(v, bool)) for v in values):
        raise QueryError(f"Invalid filter '{_js(f)}'.")
    values = [str(v) for v in values]
    mods: dict = {}
    if len(f) == 4:
        mods = f[3]
        if not isinstance(mods, dict) or set(mods) - {"case_sensitive"} or not isinstance(
                mods.get("case_sensitive", True), bool) or op.startswith("matches"):
            raise invalid
    if depth and dim in TOP_ONLY and not behavioural:  # inside has_done any shape is fine
        raise QueryError(f"Invalid filters. Dimension `{dim}` can only be filtered at the top "
                         "level.")
    if dim == "visit:country" and op in ("is", "is_not") and not all(
            COUNTRY_RE.match(v) for v in values):
        raise QueryError("Invalid visit:country filter, visit:country needs to be a valid "
                         "2-letter country code.")
    if op in ("matches", "matches_not"):
        for v in values:
            try:
                re.compile(v)
            except re.error as exc:
                raise QueryError(f"{where}: invalid regular expression {v!r}: {exc}") from None
    if dim == "event:goal" and op in ("is", "is_not"):
        sensitive = mods.get("case_sensitive", True)
        known = goal_names if sensitive else {n.lower() for n in goal_names}
        unknown = [v for v in values if (v if sensitive else v.lower()) not in known]
        if unknown:
            raise QueryError(
                f"The goal `{unknown[0]}` is not configured for this site. Find out how to "
                "configure goals here: https://plausible.io/docs/stats-api#filtering-by-goals "
                "(here: PUT /api/v1/sites/goals, `ownmedia goals add` or [analytics].goals)")
    out = [op, dim, values]
    if len(f) == 4:
        out.append(mods)
    return out


def _filter_dims(filters: list, depth: int = 0, min_depth: int = 0) -> list[str]:
    """Dimensions the filters test (at `min_depth` or deeper), behavioural ones included."""
    dims: list[str] = []
    for f in filters:
        if f[0] in ("and", "or"):
            dims += _filter_dims(f[1], depth + 1, min_depth)
        elif f[0] == "sequence":
            dims += _filter_dims(f[1], depth + 1, min_depth)
        elif f[0] in ("not", *BEHAVIOURAL):
            dims += _filter_dims([f[1]], depth + 1, min_depth)
        elif depth >= min_depth:
            dims.append(f[1])
    return dims


def _top_dims(filters: list) -> set[str]:
    """Dimensions filtered at the top level (directly, not under or/not/has_done)."""
    return {f[1] for f in filters if f[0] in OPERATORS}


def parse_query(body: object, goal_names: set[str], today: date | None = None) -> Query:
    """The request body -> Query, or QueryError naming the first problem (Plausible's checks
    and, where they can be, its messages)."""
    if not isinstance(body, dict):
        raise QueryError("#: Type mismatch. Expected Object but got "
                         f"{type(body).__name__}: the request body must be a JSON object")
    missing = [k for k in ("site_id", "metrics", "date_range") if k not in body]
    if missing:
        raise QueryError(f"#: Required properties {', '.join(missing)} were not present.")
    unknown = sorted(set(body) - TOP_KEYS)
    if unknown:
        raise QueryError(f"#/{unknown[0]}: Schema does not allow additional properties "
                         f"(unknown or unsupported key(s): {', '.join(unknown)})")
    site_id = body.get("site_id")
    if not isinstance(site_id, str) or not site_id:
        raise QueryError("site_id is required (the site's domain)")
    metrics = body.get("metrics")
    if not isinstance(metrics, list):
        raise QueryError("#/metrics: Type mismatch. Expected Array: metrics is a list, "
                         "e.g. [\"visitors\"]")
    if not metrics:
        raise QueryError("#/metrics: Expected a minimum of 1 items but got 0.")
    for i, m in enumerate(metrics):
        if not isinstance(m, str) or m not in METRICS:
            raise QueryError(f"#/metrics/{i}: Invalid metric {_js(m)} (known: "
                             f"{', '.join(sorted(METRICS))})")
    if len(set(metrics)) != len(metrics):
        raise QueryError("#/metrics: Expected items to be unique but they were not.")
    if "date" in body:
        try:
            today = date.fromisoformat(str(body["date"]))
        except ValueError:
            raise QueryError("#/date: expected YYYY-MM-DD") from None
    today = today or datetime.now(UTC).date()
    start, end, echo_range = parse_date_range(body.get("date_range"), today)
    dims = body.get("dimensions", [])
    if not isinstance(dims, list):
        raise QueryError("#/dimensions: Type mismatch. Expected Array but got "
                         f"{type(dims).__name__}.")
    dims = [_check_dimension(d, f"#/dimensions/{i}") for i, d in enumerate(dims)]
    if len(set(dims)) != len(dims):
        raise QueryError("#/dimensions: Expected items to be unique but they were not.")
    if sum(d in TIME_DIMENSIONS for d in dims) > 1:
        raise QueryError("Invalid dimensions: at most one time dimension")
    raw_filters = body.get("filters", [])
    if not isinstance(raw_filters, list):
        raise QueryError("#/filters: Type mismatch. Expected Array but got "
                         f"{type(raw_filters).__name__}.")
    filters = [check_filter(f, f"#/filters/{i}", goal_names)
               for i, f in enumerate(raw_filters)]
    q = Query(site_id, list(metrics), start, end, dims, filters, date_range=echo_range)
    _check_order(q, body.get("order_by"))
    _check_include(q, body.get("include", {}))
    _check_pagination(q, body.get("pagination", {}))
    _check_metrics(q)
    return q


def _check_metrics(q: Query) -> None:
    """What a metric needs, and the pairs Plausible refuses."""
    metrics, dims, filters = q.metrics, q.dimensions, q.filters
    top = _top_dims(filters)
    for m in ("conversion_rate", "group_conversion_rate"):
        if m in metrics and "event:goal" not in dims and "event:goal" not in top:
            raise QueryError(f"Metric `{m}` can only be queried with event:goal filters or "
                             "dimensions.")
    if {"conversion_rate", "group_conversion_rate"} & set(metrics) and any(
            PROP_RE.match(d) for d in _filter_dims(filters, min_depth=1)):
        raise QueryError("Invalid filters. When `conversion_rate` or `group_conversion_rate` "
                         "metrics are used, custom property filters can only be used on top "
                         "level.")
    if "scroll_depth" in metrics and "event:page" not in dims and "event:page" not in top:
        raise QueryError("Metric `scroll_depth` can only be queried with event:page filters or "
                         "dimensions.")
    if "time_on_page" in metrics and "event:page" not in dims and "event:page" not in top:
        raise QueryError("Metric `time_on_page` can only be queried with event:page filters or "
                         "dimensions.")
    if "views_per_visit" in metrics:
        if "event:page" in _filter_dims(filters):
            raise QueryError("Metric `views_per_visit` cannot be queried with a filter on "
                             "`event:page`.")
        if dims:
            raise QueryError("Metric `views_per_visit` cannot be queried with `dimensions`.")
    session = [m for m in metrics if m in SESSION_METRICS]
    if session and any(d.startswith("event:") and d != "event:page" for d in dims):
        raise QueryError(f"Session metric(s) `{', '.join(session)}` cannot be queried along "
                         "with event dimensions.")
    if "percentage" in metrics and not dims:
        raise QueryError("Metric `percentage` can only be queried with dimensions.")


def _check_order(q: Query, order: object) -> None:
    if order is None:
        return
    if not isinstance(order, list):
        raise QueryError("#/order_by: Type mismatch. Expected Array: a list of "
                         "[name, \"asc\"|\"desc\"]")
    for i, o in enumerate(order):
        if not isinstance(o, list) or len(o) != 2 or o[1] not in ("asc", "desc"):
            raise QueryError(f"#/order_by/{i}: Invalid order_by entry {_js(o)}: expected "
                             "[name, \"asc\"|\"desc\"]")
        name = o[0]
        if not isinstance(name, str) or not (name in METRICS or is_dimension(name)):
            raise QueryError(f"#/order_by/{i}/0: Invalid value in order_by {_js(name)}")
        if name not in q.metrics and name not in q.dimensions:
            shown = f":{name}" if name in METRICS else _js(name)
            raise QueryError(f"Invalid order_by entry '{{{shown}, :{o[1]}}}'. Entry is not a "
                             "queried metric or dimension.")
        q.order_by.append((name, o[1]))


def _check_include(q: Query, include: object) -> None:
    if not isinstance(include, dict):
        raise QueryError(f"#/include: Type mismatch. Expected Object but got "
                         f"{type(include).__name__}.")
    bad = sorted(set(include) - INCLUDE_KEYS)
    if bad:
        raise QueryError(f"#/include/{bad[0]}: Schema does not allow additional properties "
                         f"(unsupported: {', '.join(bad)})")
    for key, value in include.items():
        if not isinstance(value, bool):
            raise QueryError(f"#/include/{key}: Type mismatch. Expected Boolean.")
    if include.get("time_labels") and not any(d in TIME_DIMENSIONS for d in q.dimensions):
        raise QueryError("Invalid include.time_labels: requires a time dimension.")
    q.include = include


def _check_pagination(q: Query, pag: object) -> None:
    if not isinstance(pag, dict) or set(pag) - {"limit", "offset"}:
        raise QueryError("#/pagination: must be {\"limit\": n, \"offset\": n}")
    limit, offset = pag.get("limit", MAX_LIMIT), pag.get("offset", 0)
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise QueryError("#/pagination/limit: Type mismatch. Expected Integer.")
    if limit < 1:
        raise QueryError("#/pagination/limit: Expected the value to be >= 1")
    if limit > MAX_LIMIT:
        raise QueryError(f"#/pagination/limit: Expected the value to be <= {MAX_LIMIT}")
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise QueryError("#/pagination/offset: Type mismatch. Expected Integer.")
    if offset < 0:
        raise QueryError("#/pagination/offset: Expected the value to be >= 0")
    q.limit, q.offset = limit, offset

"""Parse and check a Stats API v2 query (Plausible's request shape) before any SQL runs.

Why a separate step: every unsupported or malformed part must come back as a 400 naming it,
so the engine only ever sees a query it can answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

METRICS = {
    "visitors", "visits", "pageviews", "events", "views_per_visit", "bounce_rate",
    "visit_duration", "conversion_rate", "scroll_depth", "percentage",
}
UNSUPPORTED_METRICS = {
    "time_on_page", "total_revenue", "average_revenue", "group_conversion_rate", "exit_rate",
}
EVENT_DIMENSIONS = {"event:page", "event:goal", "event:hostname", "event:name"}
VISIT_DIMENSIONS = {
    "visit:source", "visit:referrer", "visit:utm_source", "visit:utm_medium",
    "visit:utm_campaign", "visit:utm_content", "visit:utm_term", "visit:device",
    "visit:browser", "visit:os", "visit:entry_page", "visit:browser_version",
    "visit:os_version",
}
TIME_DIMENSIONS = {"time", "time:hour", "time:day", "time:week", "time:month"}
UNSUPPORTED_DIMENSIONS = {
    "visit:country", "visit:region", "visit:city", "visit:channel", "visit:exit_page",
    "visit:country_name", "visit:region_name", "visit:city_name", "visit:exit_page_hostname",
    "visit:entry_page_hostname",
}
PRESETS = {"day", "7d", "28d", "30d", "91d", "month", "6mo", "12mo", "year", "all"}
OPERATORS = {"is", "is_not", "contains", "contains_not", "matches", "matches_not"}
TOP_KEYS = {
    "site_id", "metrics", "date_range", "dimensions", "filters", "order_by", "include",
    "pagination", "date",
}
INCLUDE_KEYS = {"total_rows", "time_labels", "imports"}
PROP_RE = re.compile(r"^event:props:([^\"\\]{1,300})$")
MAX_LIMIT = 10_000


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
        raise QueryError(f"{where}: a dimension is a string, got {name!r}")
    if name in UNSUPPORTED_DIMENSIONS:
        raise QueryError(f"{where}: dimension '{name}' is not supported by this server")
    if not is_dimension(name):
        raise QueryError(f"{where}: unknown dimension '{name}'")
    return name


def parse_date_range(value: object, today: date) -> tuple[datetime, datetime, list[str]]:
    """Preset or [from, to] (ISO dates, inclusive; or ISO datetimes) -> UTC [start, end)."""

    def day_start(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    if isinstance(value, str):
        if value not in PRESETS:
            raise QueryError(
                f"date_range: unknown preset '{value}' (known: {', '.join(sorted(PRESETS))} "
                "or [\"YYYY-MM-DD\", \"YYYY-MM-DD\"])")
        first, last = today, today
        if value.endswith("d") and value[:-1].isdigit():
            first = today - timedelta(days=int(value[:-1]) - 1)
        elif value == "month":
            first = today.replace(day=1)
        elif value in ("6mo", "12mo"):
            months = 6 if value == "6mo" else 12
            y, m = today.year, today.month - (months - 1)
            while m <= 0:
                y, m = y - 1, m + 12
            first = date(y, m, 1)
        elif value == "year":
            first = date(today.year, 1, 1)
        elif value == "all":
            first = date(2000, 1, 1)
        start, end = day_start(first), day_start(last + timedelta(days=1))
    elif isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        try:
            if "T" in value[0] or "T" in value[1]:
                start = _as_utc(datetime.fromisoformat(value[0]))
                end = _as_utc(datetime.fromisoformat(value[1]))
                end += timedelta(microseconds=1) if end.microsecond or end.second else timedelta()
            else:
                start = day_start(date.fromisoformat(value[0]))
                end = day_start(date.fromisoformat(value[1]) + timedelta(days=1))
        except ValueError:
            raise QueryError(f"date_range: {value!r} are not ISO dates (YYYY-MM-DD)") from None
        if end <= start:
            raise QueryError(f"date_range: {value[0]} is after {value[1]}")
    else:
        raise QueryError("date_range is required: a preset like \"30d\" or "
                         "[\"YYYY-MM-DD\", \"YYYY-MM-DD\"]")
    return start, end, [start.isoformat(), end.isoformat()]


def _as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def check_filter(f: object, where: str, goal_names: set[str]) -> list:
    """One filter: [op, dim, [values], {modifiers}?], ["and"|"or", [...]], ["not", f],
    ["has_done"|"has_not_done", f]."""
    if not isinstance(f, list) or not f or not isinstance(f[0], str):
        raise QueryError(f"{where}: a filter is a list like [\"is\", \"event:page\", [\"/\"]]")
    op = f[0]
    if op in ("and", "or"):
        if len(f) != 2 or not isinstance(f[1], list) or not f[1]:
            raise QueryError(f"{where}: '{op}' takes a non-empty list of filters")
        return [op, [check_filter(x, f"{where}[{i}]", goal_names) for i, x in enumerate(f[1])]]
    if op in ("not", "has_done", "has_not_done"):
        if len(f) != 2:
            raise QueryError(f"{where}: '{op}' takes exactly one filter")
        inner = check_filter(f[1], f"{where}.{op}", goal_names)
        return [op, inner]
    if op not in OPERATORS:
        raise QueryError(f"{where}: unknown filter operator '{op}' (known: "
                         f"{', '.join(sorted(OPERATORS))}, and, or, not, has_done, has_not_done)")
    if len(f) not in (3, 4):
        raise QueryError(f"{where}: [\"{op}\", dimension, [values]] expected")
    dim = _check_dimension(f[1], where)
    if dim in TIME_DIMENSIONS:
        raise QueryError(f"{where}: '{dim}' cannot be filtered; use date_range")
    values = f[2]
    if not isinstance(values, list) or not values or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
        raise QueryError(f"{where}: values must be a non-empty list of strings")
    values = [str(v) for v in values]
    if op in ("matches", "matches_not"):
        for v in values:
            try:
                re.compile(v)
            except re.error as exc:
                raise QueryError(f"{where}: invalid regular expression {v!r}: {exc}") from None
    if dim == "event:goal" and op in ("is", "is_not"):
        unknown = [v for v in values if v not in goal_names]
        if unknown:
            raise QueryError(f"{where}: goal(s) {', '.join(map(repr, unknown))} not configured "
                             "for this site (PUT /api/v1/sites/goals or [analytics].goals)")
    out = [op, dim, values]
    if len(f) == 4:
        mods = f[3]
        if not isinstance(mods, dict) or set(mods) - {"case_sensitive"} or not isinstance(
                mods.get("case_sensitive", True), bool):
            raise QueryError(f"{where}: modifiers may only be {{\"case_sensitive\": bool}}")
        out.append(mods)
    return out


def parse_query(body: object, goal_names: set[str], today: date | None = None) -> Query:
    """The request body -> Query, or QueryError naming the first problem."""
    if not isinstance(body, dict):
        raise QueryError("the request body must be a JSON object")
    unknown = sorted(set(body) - TOP_KEYS)
    if unknown:
        raise QueryError(f"unknown or unsupported key(s): {', '.join(unknown)}")
    site_id = body.get("site_id")
    if not isinstance(site_id, str) or not site_id:
        raise QueryError("site_id is required (the site's domain)")
    metrics = body.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        raise QueryError("metrics is required: a non-empty list, e.g. [\"visitors\"]")
    for m in metrics:
        if m in UNSUPPORTED_METRICS:
            raise QueryError(f"metrics: '{m}' is not supported by this server")
        if m not in METRICS:
            raise QueryError(f"metrics: unknown metric {m!r} (known: {', '.join(sorted(METRICS))})")
    if len(set(metrics)) != len(metrics):
        raise QueryError("metrics: a metric is listed twice")
    if "date" in body:
        try:
            today = date.fromisoformat(str(body["date"]))
        except ValueError:
            raise QueryError("date: expected YYYY-MM-DD") from None
    today = today or datetime.now(UTC).date()
    start, end, echo_range = parse_date_range(body.get("date_range"), today)
    dims = body.get("dimensions", [])
    if not isinstance(dims, list):
        raise QueryError("dimensions must be a list")
    dims = [_check_dimension(d, "dimensions") for d in dims]
    if len(set(dims)) != len(dims):
        raise QueryError("dimensions: a dimension is listed twice")
    if sum(d in TIME_DIMENSIONS for d in dims) > 1:
        raise QueryError("dimensions: at most one time dimension")
    raw_filters = body.get("filters", [])
    if not isinstance(raw_filters, list):
        raise QueryError("filters must be a list")
    filters = [check_filter(f, f"filters[{i}]", goal_names) for i, f in enumerate(raw_filters)]
    q = Query(site_id, list(metrics), start, end, dims, filters, date_range=echo_range)
    if "conversion_rate" in metrics and not q.has_goal():
        raise QueryError("metrics: conversion_rate needs an event:goal filter or dimension")
    if "percentage" in metrics and not dims:
        raise QueryError("metrics: percentage needs a dimension")
    if "scroll_depth" in metrics:
        if "event:page" not in dims and not _mentions(filters, "event:page"):
            raise QueryError("metrics: scroll_depth needs an event:page dimension or filter")
        if q.has_goal():
            raise QueryError("metrics: scroll_depth cannot be combined with event:goal")
    order = body.get("order_by")
    if order is not None:
        if not isinstance(order, list):
            raise QueryError("order_by must be a list of [name, \"asc\"|\"desc\"]")
        for o in order:
            if (not isinstance(o, list) or len(o) != 2 or o[1] not in ("asc", "desc")):
                raise QueryError(f"order_by: {o!r} is not [name, \"asc\"|\"desc\"]")
            if o[0] not in metrics and o[0] not in dims:
                raise QueryError(f"order_by: '{o[0]}' is not one of the query's metrics or "
                                 "dimensions")
            q.order_by.append((o[0], o[1]))
    include = body.get("include", {})
    if not isinstance(include, dict):
        raise QueryError("include must be an object")
    bad = sorted(set(include) - INCLUDE_KEYS)
    if bad:
        raise QueryError(f"include: unsupported key(s) {', '.join(bad)}")
    if include.get("time_labels") and not any(d in TIME_DIMENSIONS for d in dims):
        raise QueryError("include: time_labels needs a time dimension")
    q.include = include
    pag = body.get("pagination", {})
    if not isinstance(pag, dict) or set(pag) - {"limit", "offset"}:
        raise QueryError("pagination must be {\"limit\": n, \"offset\": n}")
    limit, offset = pag.get("limit", MAX_LIMIT), pag.get("offset", 0)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"pagination: limit must be an integer from 1 to {MAX_LIMIT}")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise QueryError("pagination: offset must be an integer >= 0")
    q.limit, q.offset = limit, offset
    return q

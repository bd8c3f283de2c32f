"""What a campaign is, and how its command-line and TOML forms are checked.

A campaign counts one metric (visitors, pageviews, video plays or the completions of a goal)
between two UTC days, optionally narrowed by filters written `key=value` (is), `key!=value`
(is not) or `key~value` (contains), the Stats API v2 filters of the review."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

NAME_RE = re.compile(r"^[\w][\w .:/-]{0,79}$")
VIDEO_PLAY_GOAL = "Video Play"
# metric as written -> the canonical metric name stored
METRIC_ALIASES = {"visitors": "visitors", "pageviews": "pageviews", "views": "pageviews",
                  "video plays": "video plays", "video_plays": "video plays",
                  "video-plays": "video plays"}
# filter key -> Stats API v2 dimension
FILTER_DIMENSIONS = {
    "page": "event:page", "entry_page": "visit:entry_page", "exit_page": "visit:exit_page",
    "hostname": "event:hostname", "source": "visit:source", "referrer": "visit:referrer",
    "channel": "visit:channel", "utm_source": "visit:utm_source",
    "utm_medium": "visit:utm_medium", "utm_campaign": "visit:utm_campaign",
    "utm_content": "visit:utm_content", "utm_term": "visit:utm_term",
    "country": "visit:country", "device": "visit:device", "browser": "visit:browser",
    "os": "visit:os",
}
PROP_PREFIX = "prop:"  # prop:video=abc -> event:props:video
OPERATORS = (("!=", "is_not"), ("~", "contains"), ("=", "is"))
MAX_TARGET = 10**12


class CampaignError(ValueError):
    """A campaign definition that cannot be kept; the message says which part and why."""


@dataclass(frozen=True)
class Campaign:
    name: str
    metric: str  # "visitors", "pageviews", "video plays" or a goal's display name
    target: int
    start: date
    end: date  # inclusive
    filters: tuple[str, ...] = field(default=())  # as written: "utm_medium=print"
    origin: str = "store"  # "store" (the CLI's) or the configuration file it was declared in

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def read_only(self) -> bool:
        return self.origin != "store"

    def as_dict(self) -> dict:
        return {"name": self.name, "metric": self.metric, "target": self.target,
                "from": self.start.isoformat(), "until": self.end.isoformat(),
                "filters": list(self.filters), "origin": self.origin}


def canonical_metric(text: str) -> str:
    """visitors, pageviews (or views), video plays; anything else names a goal."""
    value = " ".join(str(text).split())
    if not value:
        raise CampaignError("metric: empty (visitors, pageviews, video plays or a goal name)")
    if len(value) > 120:
        raise CampaignError("metric: a goal name is at most 120 characters")
    return METRIC_ALIASES.get(value.lower(), value)


def parse_filter(text: str) -> list:
    """`key=value`, `key!=value` or `key~value` -> a Stats API v2 filter."""
    split = next(((op, *text.partition(token)[::2]) for token, op in OPERATORS
                  if _splits(text, token)), None)
    if split is None:
        raise CampaignError(f"filter {text!r}: expected key=value, key!=value or key~value")
    op, key, value = split
    key = key.strip()
    value = value.strip()
    if key.startswith(PROP_PREFIX) and len(key) > len(PROP_PREFIX):
        dim = f"event:props:{key[len(PROP_PREFIX):]}"
    elif key in FILTER_DIMENSIONS:
        dim = FILTER_DIMENSIONS[key]
    else:
        raise CampaignError(f"filter {text!r}: unknown key {key!r} (known: "
                            f"{', '.join(sorted(FILTER_DIMENSIONS))}, prop:NAME)")
    if not value:
        raise CampaignError(f"filter {text!r}: the value is empty")
    return [op, dim, [value]]


def _splits(text: str, token: str) -> bool:
    """`token` separates a key (no operator characters in it) from a value."""
    key, sep, _ = text.partition(token)
    return bool(sep and key) and not any(ch in key for ch in "=~!")


def query_filters(campaign: Campaign) -> list:
    """The campaign's Stats API filters, with the goal filter its metric needs."""
    filters = [parse_filter(f) for f in campaign.filters]
    goal = goal_of(campaign.metric)
    if goal:
        filters.append(["is", "event:goal", [goal]])
    return filters


def goal_of(metric: str) -> str | None:
    """The goal a metric counts the completions of (None for visitors and pageviews)."""
    if metric in ("visitors", "pageviews"):
        return None
    return VIDEO_PLAY_GOAL if metric == "video plays" else metric


def api_metric(metric: str) -> str:
    """Visitors count unique visitors; pageviews count pages viewed; a goal counts its
    completions (Plausible's `events` under a goal filter: every play, every signup)."""
    return metric if metric in ("visitors", "pageviews") else "events"


def make_campaign(name: str, metric: str, target: object, start: object, end: object,
                  filters: list[str] | tuple[str, ...] = (), origin: str = "store") -> Campaign:
    """A checked Campaign; CampaignError names the field that is wrong."""
    name = str(name).strip()
    if not NAME_RE.match(name):
        raise CampaignError(f"name {name!r}: 1-80 letters, digits, spaces or . : / _ -, "
                            "starting with a letter or digit")
    if isinstance(target, bool) or not isinstance(target, int | str):
        raise CampaignError(f"target {target!r}: a whole number of at least 1")
    try:
        number = int(str(target).replace("_", "").replace(",", ""))
    except ValueError:
        raise CampaignError(f"target {target!r}: a whole number of at least 1") from None
    if not 1 <= number <= MAX_TARGET:
        raise CampaignError(f"target {target!r}: between 1 and {MAX_TARGET:,}")
    first, last = _day(start, "from"), _day(end, "until")
    if last < first:
        raise CampaignError(f"until {last} is before from {first}")
    filters = tuple(str(f).strip() for f in filters)
    for f in filters:
        parse_filter(f)
    return Campaign(name, canonical_metric(metric), number, first, last, filters, origin)


def _day(value: object, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CampaignError(f"{what} {value!r}: expected a day YYYY-MM-DD") from None


CONFIG_KEYS = {"name", "metric", "target", "from", "until", "filters"}


def campaigns_from_config(raw: object, source: str) -> list[Campaign]:
    """The `[[campaigns]]` tables of a configuration file, checked (read-only campaigns)."""
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise CampaignError(f"{source}: campaigns must be [[campaigns]] tables")
    out: list[Campaign] = []
    seen: set[str] = set()
    for i, table in enumerate(raw):
        where = f"{source}: [[campaigns]] #{i + 1}"
        unknown = sorted(set(table) - CONFIG_KEYS)
        missing = sorted({"name", "metric", "target", "from", "until"} - set(table))
        if unknown or missing:
            raise CampaignError(f"{where}: " + "; ".join(
                ([f"unknown key(s) {', '.join(unknown)}"] if unknown else [])
                + ([f"missing {', '.join(missing)}"] if missing else []))
                + f" (keys: {', '.join(sorted(CONFIG_KEYS))})")
        filters = table.get("filters", [])
        if isinstance(filters, str):
            filters = [filters]
        if not isinstance(filters, list) or not all(isinstance(f, str) for f in filters):
            raise CampaignError(f"{where}: filters must be a list of \"key=value\" strings")
        try:
            c = make_campaign(table["name"], table["metric"], table["target"], table["from"],
                              table["until"], filters, origin=source)
        except CampaignError as exc:
            raise CampaignError(f"{where}: {exc}") from None
        if c.name in seen:
            raise CampaignError(f"{where}: the name {c.name!r} is declared twice")
        seen.add(c.name)
        out.append(c)
    return out

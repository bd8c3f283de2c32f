"""A site fed through the collector's own ingestion path, asked through the Stats API engine.

Plausible's tests build events with `build(:pageview, user_id: 1, timestamp: ...)`; here each
event is a real Events API body handed to `EventCollector.ingest_sync` at an explicit time
(the collector's clock is injected), so validation, user-agent parsing, referrer sources,
sessions and the visitor hash all run as in production. A Plausible `user_id` becomes a
visitor (a fixed IP and User-Agent pair); events without one each come from a new visitor.

Every query is answered twice, from the events and through the rollups, and the two answers
must be equal before the case compares them with Plausible's expected value. With a
PostgreSQL URL the same site lives in that database, with its own rollups."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ownmedia.config import load_config
from ownmedia.events import EventCollector
from ownmedia.stats.goals import make_goal
from ownmedia.stats.query import QueryError
from ownmedia.stats.store import StatsStore
from ownmedia.storage.event_backend import open_event_sink

SITE = "conformance.test"
OTHER = "other.test"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
FIREFOX_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 "
               "Firefox/121.0")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
SAFARI_IPAD = ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
               "like Gecko) Version/16.6 Mobile/15E148 Safari/604.1")
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36")


def at(stamp: str) -> float:
    """'2021-01-01 00:25:00' (UTC, Plausible's ~N[...] timestamps) -> UTC seconds."""
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()


@dataclass
class Event:
    """One of Plausible's `build(:pageview | :event, ...)`, as an Events API request."""

    name: str = "pageview"
    path: str = "/"
    time: str = "2021-01-01 00:00:00"
    user: int | None = None
    ua: str = CHROME
    referrer: str | None = None
    props: dict | None = None
    query: str = ""           # the URL's query string (utm_* tags)
    host: str = SITE
    extra: dict = field(default_factory=dict)  # other body fields (sd, e, revenue, ...)

    def body(self) -> dict:
        url = f"https://{self.host}{self.path}" + (f"?{self.query}" if self.query else "")
        body: dict = {"name": self.name, "url": url, "domain": SITE, **self.extra}
        if self.referrer is not None:
            body["referrer"] = self.referrer
        if self.props is not None:
            body["props"] = self.props
        return body


def pageview(path: str = "/", **kw) -> Event:
    return Event("pageview", path, **kw)


def event(name: str, path: str = "/", **kw) -> Event:
    return Event(name, path, **kw)


class Site:
    """An events database, its collector with an injected clock, and two Stats API stores
    (events only; rollups) over it."""

    def __init__(self, data_dir: Path, geo=None, storage_url: str = "", shared=None):
        """`shared`: (sink, stats store from the events, one through the rollups) kept open
        for a whole module (PostgreSQL: a pool, migrations checked once), emptied by the
        caller between cases."""
        self.data_dir = data_dir
        self.config = load_config(None, server={"data": str(data_dir),
                                                "site": str(data_dir / "site")},
                                  analytics={"domains": [SITE, OTHER]},
                                  comments={"pelican_settings": str(data_dir / "none.py")},
                                  storage={"url": storage_url})
        self.now = at("2021-01-01 00:00:00")
        self.shared = shared is not None
        if shared is not None:
            self.store, self.plain, self.rolled = shared
            self.store.clock = lambda: self.now
            self.store.salts.reset()
            self.plain._cache.clear()
            self.rolled._cache.clear()
        else:
            # durable=False: no fsync per event on PostgreSQL (the answers are what is tested)
            self.store = open_event_sink(self.config, clock=lambda: self.now, durable=False)
            self.plain = StatsStore(data_dir, self.config, rollups=False)
        self.collector = EventCollector(self.store, self.config.analytics.domains,
                                        clock=lambda: self.now, geo=geo)
        if not self.shared:
            self.rolled = StatsStore(data_dir, self.config, rollups=True)
        self._anonymous = itertools.count(1)

    def close(self) -> None:
        if self.shared:
            return
        self.store.close()
        self.plain.close()
        self.rolled.close()

    def ip(self, user: int | None) -> str:
        n = user if user is not None else 100_000 + next(self._anonymous)
        return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"

    def send(self, body: dict, ts: float, user_agent: str | None = CHROME,
             ip: str = "192.0.2.1") -> dict | None:
        """One request to the collector at time `ts` (the stored row, None if dropped)."""
        self.now = ts
        return self.collector.ingest_sync(body, user_agent, ip)

    def seed(self, *events: Event) -> None:
        """Plausible's populate_stats: events in time order (a stable sort, as the collector
        receives them)."""
        for ev in sorted(events, key=lambda e: at(e.time)):
            self.send(ev.body(), at(ev.time), ev.ua, self.ip(ev.user))

    def goal(self, event_name: str | None = None, page_path: str | None = None,
             display_name: str | None = None) -> None:
        raw = {"event_name": event_name, "page_path": page_path, "display_name": display_name}
        self.plain.put_goal(SITE, make_goal({k: v for k, v in raw.items() if v}))

    def answer(self, **body) -> dict:
        """The Stats API answer; from the events and from the rollups, which must agree."""
        body = {"site_id": SITE, "date_range": "all", **body}
        plain = self.plain.query(body)
        rolled = self.rolled.query(body)
        assert plain["results"] == rolled["results"], (plain["results"], rolled["results"])
        assert plain["meta"] == rolled["meta"]
        return plain

    def results(self, **body) -> list[tuple[list, list]]:
        """[(dimensions, metrics)] in the answer's order."""
        return [(r["dimensions"], r["metrics"]) for r in self.answer(**body)["results"]]

    def metrics(self, **body) -> list:
        """The metrics of an aggregate (no dimensions) query."""
        [(dims, values)] = self.results(**body)
        assert dims == []
        return values

    def error(self, **body) -> str:
        """The 400 message of a query Plausible refuses."""
        body = {"site_id": SITE, "date_range": "all", **body}
        try:
            self.plain.query(body)
        except QueryError as exc:
            return str(exc)
        raise AssertionError(f"accepted: {body}")

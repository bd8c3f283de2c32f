"""The review's content: which Stats API queries answer which question, and the report they make.

Every number comes from Stats API v2 queries (so the same review runs against a Plausible
instance); what the API cannot know (post publication dates, costs) comes from the built site
and the command line. Choices, written down:

- A post is a page whose path is /<year>/<slug>/ or /<lang>/<year>/<slug>/; its translations
  are one post (keyed by slug); its visitors are the sum of each URL's visitors.
- Read-through: unique visitors who reached 100% ("Read Through" depth 100) ÷ post visitors.
- Conversions: unique visitors completing a conversion goal (page goals of the site, or
  --conversion NAME); per post they are attributed to the visit's entry page.
- CTA conversion rate: visits with a click on that CTA that also converted ÷ visits with a click.
- Engaged reader: a unique visitor who read a post to the end (Read Through depth 100).
- Longevity: of all post visits (a visit counted once per post it viewed, per day), the share
  made in weeks that start when the post is more than 90 days old (weekly resolution keeps
  the query small: one row per post and week). Publication dates come from the built
  site's Atom feed (Pelican's feeds/all.atom.xml), matched by slug; undated posts are left out
  and counted.
- Channels: print (utm_medium=print) first, then email, CTA, other campaigns, search, social,
  referral, direct; channels, sources and campaigns are counted in visits (a visit has one
  source, so visits add up; a visitor may come twice from two sources). A channel's
  conversion rate: its visits that converted ÷ its visits.
- Posts are named by their title from the built site (ownmedia.review.site_info).
- Money: the currency of the events' revenue, else `[review] currency`; two decimals.
- Freshness: when the period's last STALE_DAYS days or more have no event at all, the data
  stopped (a broken tracker, an export made earlier): the report says "no events since DAY"
  and leaves the comparison with the previous period out instead of showing a fall.
- Sections of other modules (EXTRA_SECTIONS) add their data to `Report.sections[name]`.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from ownmedia.review.client import EMBEDDED_URL, StatsClient, StatsError
from ownmedia.review.site_info import PostInfo, feed_posts, post_slug, titles_for

PRINT_VIEW_RE = re.compile(r"^/(?:[a-z]{2}(?:-[a-z]{2})?/)?\d{4}/([^/]+)/print/$")
POST_GOALS = ("CTA Click", "Print", "Share", "Comment")
LONGEVITY_DAYS = 90
MAX_CTA_QUERIES = 20
SEARCH = {"Google", "Bing", "DuckDuckGo", "Ecosia", "Qwant", "Yahoo!", "Yandex", "Baidu",
          "Brave", "Startpage", "Kagi", "Perplexity", "ChatGPT"}
SOCIAL = {"Facebook", "Instagram", "LinkedIn", "Twitter", "Bluesky", "Mastodon", "Pinterest",
          "Reddit", "Hacker News", "Youtube", "Threads", "TikTok", "WhatsApp", "Telegram"}
UNSET = {"", "(not set)", "(none)", "Direct / None"}
STALE_DAYS = 2  # this many days or more without any event at the end of the period: stale
LOCAL_SOURCE = "local event store / données locales"
# Sections of their own modules, "module:function": async (builder, report) -> None, run after
# the built-in ones; each runs its queries with builder.q/builder.body and fills
# report.sections[<its name>]. Add one line here per section.
EXTRA_SECTIONS: list[str] = []


@dataclass
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def as_range(self) -> list[str]:
        return [self.start.isoformat(), self.end.isoformat()]

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def parse_period(text: str, today: date | None = None) -> Period:
    """'30d', '6mo' (182 days), '12mo' (365 days), 'Nd' or 'YYYY-MM-DD..YYYY-MM-DD'."""
    today = today or datetime.now(UTC).date()
    text = text.strip()
    if ".." in text:
        a, _, b = text.partition("..")
        try:
            p = Period(date.fromisoformat(a), date.fromisoformat(b))
        except ValueError:
            raise ValueError(f"--period {text}: expected YYYY-MM-DD..YYYY-MM-DD") from None
        if p.end < p.start:
            raise ValueError(f"--period {text}: the start is after the end")
        return p
    days = {"6mo": 182, "12mo": 365}.get(text)
    if days is None and text.endswith("d") and text[:-1].isdigit() and int(text[:-1]) > 0:
        days = int(text[:-1])
    if days is None:
        raise ValueError(f"--period {text}: expected 30d, 6mo, 12mo, <N>d or FROM..TO")
    return Period(today - timedelta(days=days - 1), today)


@dataclass
class Costs:
    cost: float | None = None
    baseline_cost: float | None = None
    baseline_copies: int | None = None


@dataclass
class Report:
    site_id: str
    source: str
    period: list[str]
    previous_period: list[str]
    generated: str
    overview: dict = field(default_factory=dict)  # metric -> {"value", "previous", "change"}
    goals: list[dict] = field(default_factory=list)
    conversion_goals: list[str] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    ctas: list[dict] = field(default_factory=list)
    cta_posts: list[dict] = field(default_factory=list)
    channels: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)
    print_returns: list[dict] = field(default_factory=list)
    weekly: list[dict] = field(default_factory=list)
    longevity: dict = field(default_factory=dict)
    cost: dict = field(default_factory=dict)
    video: dict = field(default_factory=dict)  # ownmedia.review.video
    funnels: dict = field(default_factory=dict)  # ownmedia.review.funnels
    notes: list[str] = field(default_factory=list)
    currency: str = "EUR"
    freshness: dict = field(default_factory=dict)  # {"last_event_day", "days_without_events"}
    advice: list[dict] = field(default_factory=list)  # see ownmedia.review.advice
    sections: dict = field(default_factory=dict)  # EXTRA_SECTIONS' data, by section name
    campaign_targets: dict = field(default_factory=dict)  # ownmedia.review.campaigns

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def empty(self) -> bool:
        return not self.overview.get("visitors", {}).get("value")


def slug_of(value: str) -> str:
    """A `post` prop may be a slug or a path; both give the slug."""
    value = value.strip()
    if value.startswith("/") or value.startswith("http"):
        parts = [p for p in urlsplit(value).path.split("/") if p]
        if parts and parts[-1] == "print":
            parts = parts[:-1]
        return parts[-1] if parts else value
    return value


def publication_dates(site_dir: Path | None) -> dict[str, date]:
    """slug -> publication date from the built site's Atom feeds (all.atom.xml first)."""
    return {slug: i.published for slug, i in feed_posts(site_dir).items() if i.published}


def first_old_monday(published: date) -> date:
    """The first Monday on which a post is more than LONGEVITY_DAYS days old: from that week
    on, its visits count as visits to an old post."""
    day = published + timedelta(days=LONGEVITY_DAYS + 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def channel_of(source: str, medium: str) -> str:
    medium = medium.lower() if medium not in UNSET else ""
    if medium == "print":
        return "Print"
    if medium in ("email", "newsletter"):
        return "Email"
    if medium == "cta":
        return "CTA"
    if medium:
        return "Campaigns"
    if source in SEARCH:
        return "Search"
    if source in SOCIAL:
        return "Social"
    if source in UNSET:
        return "Direct"
    return "Referral"


def _change(value: float | None, previous: float | None) -> float | None:
    if value is None or not previous:
        return None
    return round(100 * (value - previous) / previous, 1)


def _per(cost: float | None, n: float | None) -> float | None:
    return round(cost / n, 4) if cost is not None and n else None  # shown with 2 decimals


class ReviewBuilder:
    """Runs the queries (a few at a time) and assembles the Report."""

    def __init__(self, client: StatsClient, site_id: str, period: Period, *,
                 site_dir: Path | None = None, conversions: list[str] | None = None,
                 costs: Costs | None = None, progress: Callable[[str], None] | None = None,
                 concurrency: int = 4, currency: str = "EUR",
                 campaigns: list | None = None,
                 funnels: list[dict] | None = None):
        self.client, self.site_id, self.period = client, site_id, period
        self.site_dir, self.conversions, self.currency = site_dir, conversions, currency
        self.site_posts: dict[str, PostInfo] = feed_posts(site_dir)
        self.campaigns = campaigns or []
        self.costs = costs or Costs()
        self.progress = progress or (lambda label: None)
        self.sem = asyncio.Semaphore(concurrency)
        self.funnels = funnels or []  # [[review.funnels]] of the config

    def body(self, metrics: list[str], *, dims: list[str] | None = None, filters=None,
             period: Period | None = None, **extra) -> dict:
        b = {"site_id": self.site_id, "metrics": metrics,
             "date_range": (period or self.period).as_range()}
        if dims:
            b["dimensions"] = dims
        if filters:
            b["filters"] = filters
        b.update(extra)
        return b

    async def q(self, label: str, body: dict) -> list[dict]:
        async with self.sem:
            rows = await self.client.query_all(body)
        self.progress(label)
        return rows

    def planned(self) -> int:
        """How many queries run before the CTA and longevity follow-ups (for progress)."""
        return 17

    async def build(self) -> Report:
        prev = self.period.previous()
        source = LOCAL_SOURCE if self.client.url == EMBEDDED_URL else self.client.url
        report = Report(self.site_id, source, self.period.as_range(), prev.as_range(),
                        datetime.now(UTC).isoformat(timespec="seconds"), currency=self.currency)
        conv = await self._conversion_goals(report)
        report.conversion_goals = conv
        conv_filter = [["is", "event:goal", conv]] if conv else None
        goal_filter = [["is", "event:goal", list(POST_GOALS)]]
        ov_metrics = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate",
                      "visit_duration"]
        rt100 = [["is", "event:goal", ["Read Through"]], ["is", "event:props:depth", ["100"]]]
        q = self.q
        jobs = {
            "overview": q("overview", self.body(ov_metrics)),
            "overview_prev": q("overview (previous)", self.body(ov_metrics, period=prev)),
            "goals": q("goals", self.body(["visitors", "events"], dims=["event:goal"],
                                          filters=goal_filter)),
            "goals_prev": q("goals (previous)",
                            self.body(["visitors", "events"], dims=["event:goal"],
                                      filters=goal_filter, period=prev)),
            "pages": q("pages", self.body(["visitors", "pageviews", "visits"],
                                          dims=["event:page"])),
            "post_goals": q("post actions", self.body(
                ["events"], dims=["event:goal", "event:props:post"],
                filters=[["is", "event:goal", list(POST_GOALS)]])),
            "read_through": q("read-through", self.body(
                ["visitors"], dims=["event:props:post"], filters=rt100)),
            "engaged": q("engaged readers", self.body(["visitors"], filters=rt100)),
            "engaged_prev": q("engaged readers (previous)",
                              self.body(["visitors"], filters=rt100, period=prev)),
            "ctas": q("CTAs", self.body(["visitors", "visits", "events"],
                                        dims=["event:props:cta"],
                                        filters=[["is", "event:goal", ["CTA Click"]]])),
            "cta_posts": q("CTA × post", self.body(
                ["events"], dims=["event:props:cta", "event:props:post"],
                filters=[["is", "event:goal", ["CTA Click"]]])),
            "sources": q("sources", self.body(["visits"], dims=["visit:source"])),
            "channels": q("channels", self.body(["visits"],
                                                dims=["visit:source", "visit:utm_medium"])),
            "campaigns": q("campaigns", self.body(
                ["visits"],
                dims=["visit:utm_medium", "visit:utm_source", "visit:utm_campaign"])),
            "weekly": q("weekly trend", self.body(["visitors", "visits", "pageviews"],
                                                  dims=["time:week"])),
            "weekly_goals": q("weekly actions", self.body(
                ["events"], dims=["time:week", "event:goal"], filters=goal_filter)),
            "daily": q("daily events", self.body(["events"], dims=["time:day"])),
        }
        if conv_filter:
            jobs["conv_goals"] = q("conversions", self.body(
                ["visitors", "events"], dims=["event:goal"], filters=conv_filter))
            jobs["conv_goals_prev"] = q("conversions (previous)", self.body(
                ["visitors", "events"], dims=["event:goal"], filters=conv_filter, period=prev))
            jobs["weekly_conv"] = q("weekly conversions", self.body(
                ["visitors"], dims=["time:week"], filters=conv_filter))
            jobs["entry_conv"] = q("conversions by entry page", self.body(
                ["visitors"], dims=["visit:entry_page"], filters=conv_filter))
            jobs["channel_conv"] = q("conversions by channel", self.body(
                ["visits"], dims=["visit:source", "visit:utm_medium"], filters=conv_filter))
        names = list(jobs)
        done = await asyncio.gather(*jobs.values())
        r = dict(zip(names, done, strict=True))
        self._overview(report, r, conv)
        self._posts(report, r)
        await self._ctas(report, r, conv)
        self._sources(report, r)
        self._weekly(report, r, conv)
        await self._longevity(report, r)
        self._cost(report)
        self._freshness(report, r)
        from ownmedia.review.campaigns import build_section

        report.campaign_targets = await build_section(
            self.client, self.site_id, self.period.start, self.period.end, self.campaigns,
            self.site_dir, self.progress)
        await self._video_and_funnels(report, conv)
        for target in EXTRA_SECTIONS:
            module, _, name = target.partition(":")
            await getattr(importlib.import_module(module), name)(self, report)
        from ownmedia.review.advice import advise

        report.advice = advise(report)
        return report

    async def _video_and_funnels(self, report: Report, conv: list[str]) -> None:
        from ownmedia.review.funnels import custom_funnels, funnel_section
        from ownmedia.review.video import video_section

        report.video, report.funnels = await asyncio.gather(
            video_section(self, report),
            funnel_section(self, report, conv, custom_funnels(self.funnels)))

    async def _conversion_goals(self, report: Report) -> list[str]:
        if self.conversions is not None:
            return list(self.conversions)
        goals = await self.client.goals(self.site_id)
        if goals is None:
            report.notes.append("goals could not be listed with this key: pass --conversion "
                                "NAME to count conversions / objectifs non listables")
            return []
        return [g["display_name"] for g in goals if g.get("goal_type") == "page"
                or (g.get("page_path") and not g.get("event_name"))]

    def _overview(self, report: Report, r: dict, conv: list[str]) -> None:
        names = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate",
                 "visit_duration"]
        cur = r["overview"][0]["metrics"] if r["overview"] else [0] * len(names)
        old = r["overview_prev"][0]["metrics"] if r["overview_prev"] else [0] * len(names)
        ov = {n: {"value": cur[i], "previous": old[i], "change": _change(cur[i], old[i])}
              for i, n in enumerate(names)}
        goals = {row["dimensions"][0]: row["metrics"]
                 for row in r["goals"] + r.get("conv_goals", [])}
        goals_prev = {row["dimensions"][0]: row["metrics"]
                      for row in r["goals_prev"] + r.get("conv_goals_prev", [])}

        def add(name: str, value, previous) -> None:
            ov[name] = {"value": value, "previous": previous, "change": _change(value, previous)}

        for label, goal in (("cta_clicks", "CTA Click"), ("prints", "Print"),
                            ("shares", "Share"), ("comments", "Comment")):
            add(label, goals.get(goal, [0, 0])[1], goals_prev.get(goal, [0, 0])[1])
        add("conversions", sum(goals.get(g, [0, 0])[0] for g in conv) if conv else None,
            sum(goals_prev.get(g, [0, 0])[0] for g in conv) if conv else None)
        eng = r["engaged"][0]["metrics"][0] if r["engaged"] else 0
        eng_prev = r["engaged_prev"][0]["metrics"][0] if r["engaged_prev"] else 0
        add("engaged_readers", eng, eng_prev)
        report.overview = ov
        report.goals = [{"goal": g, "visitors": m[0], "events": m[1],
                         "previous_events": goals_prev.get(g, [0, 0])[1]}
                        for g, m in goals.items()]

    def _posts(self, report: Report, r: dict) -> None:
        posts: dict[str, dict] = {}

        def row(slug: str) -> dict:
            return posts.setdefault(slug, {
                "post": slug, "urls": [], "visitors": 0, "pageviews": 0, "visits": 0,
                "read_through_visitors": 0, "read_through": None, "cta_clicks": 0,
                "ctr": None, "conversions": 0, "comments": 0, "prints": 0, "shares": 0,
                "revenue": None})

        for rec in r["pages"]:
            path = rec["dimensions"][0]
            slug = post_slug(path)
            if slug:
                p = row(slug)
                p["urls"].append(path)
                p["visitors"] += rec["metrics"][0]
                p["pageviews"] += rec["metrics"][1]
                p["visits"] += rec["metrics"][2]
        col = {"CTA Click": "cta_clicks", "Print": "prints", "Share": "shares",
               "Comment": "comments"}
        for rec in r["post_goals"]:
            goal, post = rec["dimensions"]
            if post in UNSET:
                continue
            row(slug_of(post))[col[goal]] += rec["metrics"][0]
        for rec in r["read_through"]:
            post = rec["dimensions"][0]
            if post not in UNSET:
                row(slug_of(post))["read_through_visitors"] += rec["metrics"][0]
        for rec in r.get("entry_conv", []):
            slug = post_slug(rec["dimensions"][0])
            if slug:
                row(slug)["conversions"] += rec["metrics"][0]
        for p in posts.values():
            if p["visitors"]:
                p["read_through"] = round(100 * p["read_through_visitors"] / p["visitors"], 1)
                p["ctr"] = round(100 * p["cta_clicks"] / p["visitors"], 2)
            p["urls"].sort()
        titles = titles_for(self.site_dir, {s: p["urls"] for s, p in posts.items()},
                            self.site_posts)
        self.titles = titles
        for slug, p in posts.items():
            info = self.site_posts.get(slug)
            p["title"] = titles.get(slug, slug)
            p["published"] = info.published.isoformat() if info and info.published else None
        report.posts = sorted(posts.values(), key=lambda p: (-p["visitors"], p["post"]))
        self._post_visitors = {s: p["visitors"] for s, p in posts.items()}

    async def _ctas(self, report: Report, r: dict, conv: list[str]) -> None:
        ctas = [rec for rec in r["ctas"] if rec["dimensions"][0] not in UNSET]
        conv_visits: dict[str, int | None] = {}
        if conv:
            top = ctas[:MAX_CTA_QUERIES]

            async def converted(cta: str) -> tuple[str, int]:
                rows = await self.q(f"CTA {cta} conversions", self.body(["visits"], filters=[
                    ["is", "event:goal", conv],
                    ["has_done", ["and", [["is", "event:goal", ["CTA Click"]],
                                          ["is", "event:props:cta", [cta]]]]]]))
                return cta, rows[0]["metrics"][0] if rows else 0

            try:
                conv_visits = dict(await asyncio.gather(
                    *(converted(rec["dimensions"][0]) for rec in top)))
            except StatsError as exc:  # a server without has_done: say so, keep the rest
                report.notes.append(f"CTA conversion rates unavailable: {exc}")
        revenue = await self._revenue(report)
        visitors = self._post_visitors
        for rec in ctas:
            cta = rec["dimensions"][0]
            v, visits, clicks = rec["metrics"]
            cv = conv_visits.get(cta)
            money = revenue.get(cta)
            report.ctas.append({
                "cta": cta, "clicks": clicks, "visitors": v, "visits": visits,
                "converted_visits": cv,
                "conversion_rate": round(100 * cv / visits, 2) if cv is not None and visits
                else None,
                "revenue": money["value"] if money else None,
                "currency": money["currency"] if money else None,
            })
        for rec in r["cta_posts"]:
            cta, post = rec["dimensions"]
            if cta in UNSET or post in UNSET:
                continue
            slug = slug_of(post)
            pv = visitors.get(slug, 0)
            report.cta_posts.append({
                "cta": cta, "post": slug, "title": self.titles.get(slug, slug),
                "clicks": rec["metrics"][0], "post_visitors": pv,
                "ctr": round(100 * rec["metrics"][0] / pv, 2) if pv else None})
        report.cta_posts.sort(key=lambda x: (x["cta"], -x["clicks"], x["post"]))

    async def _revenue(self, report: Report) -> dict[str, dict]:
        """Revenue the CTAs' clicks carry (CTAS' `revenue`), per CTA and in total, in the
        currency they declare; a server without revenue metrics leaves it out, with a note."""
        cta_goal = [["is", "event:goal", ["CTA Click"]]]
        try:
            per_cta, per_post, total, total_prev = await asyncio.gather(
                self.q("CTA revenue", self.body(
                    ["total_revenue"], dims=["event:props:cta"], filters=cta_goal)),
                self.q("revenue per post", self.body(
                    ["total_revenue"], dims=["event:props:post"], filters=cta_goal)),
                self.q("revenue", self.body(["total_revenue"], filters=cta_goal)),
                self.q("revenue (previous)", self.body(
                    ["total_revenue"], filters=cta_goal, period=self.period.previous())))
        except StatsError as exc:
            report.notes.append(f"revenue unavailable / revenu indisponible: {exc}")
            return {}
        money = total[0]["metrics"][0] if total else None
        money_prev = total_prev[0]["metrics"][0] if total_prev else None
        if money and money.get("currency"):
            report.currency = money["currency"]
        value = money["value"] if money else None
        previous = money_prev["value"] if money_prev else None
        report.overview["revenue"] = {
            "value": value, "previous": previous, "change": _change(value, previous),
            "currency": money["currency"] if money else report.currency}
        by_slug = {p["post"]: p for p in report.posts}
        for rec in per_post:
            post, amount = rec["dimensions"][0], rec["metrics"][0]
            p = by_slug.get(slug_of(post)) if post not in UNSET else None
            if p is not None and amount:
                p["revenue"] = round((p["revenue"] or 0) + amount["value"], 2)
        return {rec["dimensions"][0]: rec["metrics"][0] for rec in per_cta
                if rec["metrics"][0] and rec["dimensions"][0] not in UNSET}

    def _sources(self, report: Report, r: dict) -> None:
        total = sum(rec["metrics"][0] for rec in r["sources"])
        report.sources = [{"source": rec["dimensions"][0], "visits": rec["metrics"][0],
                           "share": round(100 * rec["metrics"][0] / total, 1) if total else 0.0}
                          for rec in r["sources"]]
        channels: dict[str, int] = {}
        for rec in r["channels"]:
            ch = channel_of(*rec["dimensions"])
            channels[ch] = channels.get(ch, 0) + rec["metrics"][0]
        converted: dict[str, int] | None = {} if "channel_conv" in r else None
        for rec in r.get("channel_conv", []):
            ch = channel_of(*rec["dimensions"])
            converted[ch] = converted.get(ch, 0) + rec["metrics"][0]
        total = sum(channels.values())
        report.channels = [{"channel": c, "visits": n,
                            "share": round(100 * n / total, 1) if total else 0.0,
                            "converted_visits": None if converted is None else converted.get(c, 0),
                            "conversion_rate": None if converted is None or not n
                            else round(100 * converted.get(c, 0) / n, 2)}
                           for c, n in sorted(channels.items(), key=lambda x: (-x[1], x[0]))]
        for rec in r["campaigns"]:
            medium, source, campaign = rec["dimensions"]
            if medium in UNSET and source in UNSET and campaign in UNSET:
                continue
            item = {"medium": medium, "source": source, "campaign": campaign,
                    "visits": rec["metrics"][0]}
            report.campaigns.append(item)
            if medium.lower() == "print":
                slug = slug_of(campaign)
                report.print_returns.append({"post": campaign,
                                             "title": self.titles.get(slug, campaign),
                                             "visits": item["visits"]})

    def _weekly(self, report: Report, r: dict, conv: list[str]) -> None:
        weeks: dict[str, dict] = {}
        d = self.period.start - timedelta(days=self.period.start.weekday())
        while d <= self.period.end:
            weeks[d.isoformat()] = {"week": d.isoformat(), "visitors": 0, "visits": 0,
                                    "pageviews": 0, "cta_clicks": 0, "conversions": 0,
                                    "prints": 0, "shares": 0, "comments": 0}
            d += timedelta(days=7)
        for rec in r["weekly"]:
            w = weeks.get(rec["dimensions"][0])
            if w is not None:
                w["visitors"], w["visits"], w["pageviews"] = rec["metrics"]
        col = {"CTA Click": "cta_clicks", "Print": "prints", "Share": "shares",
               "Comment": "comments"}
        for rec in r["weekly_goals"]:
            week, goal = rec["dimensions"]
            w = weeks.get(week)
            if w is None:
                continue
            if goal in col:
                w[col[goal]] += rec["metrics"][0]
        for rec in r.get("weekly_conv", []):
            w = weeks.get(rec["dimensions"][0])
            if w is not None:
                w["conversions"] = rec["metrics"][0]
        report.weekly = list(weeks.values())

    async def _longevity(self, report: Report, r: dict) -> None:
        dates = {s: i.published for s, i in self.site_posts.items() if i.published}
        start, end = self.period.start, self.period.end
        total = old = 0
        undated: set[str] = set()
        crossing: dict[str, date] = {}
        for rec in r["pages"]:
            path = rec["dimensions"][0]
            slug = post_slug(path)
            if not slug:
                continue
            visits = rec["metrics"][2]
            pub = dates.get(slug)
            if pub is None:
                undated.add(slug)
                continue
            total += visits
            turns_old = first_old_monday(pub)
            if turns_old <= start - timedelta(days=start.weekday()):
                old += visits
            elif turns_old <= end:
                crossing[path] = turns_old
        if crossing:
            body = self.body(["visits"], dims=["time:week", "event:page"],
                             filters=[["is", "event:page", sorted(crossing)]],
                             period=Period(min(crossing.values()), end))
            for rec in await self.q("longevity", body):
                week, path = rec["dimensions"]
                if date.fromisoformat(week[:10]) >= crossing[path]:
                    old += rec["metrics"][0]
        report.longevity = {
            "post_visits": total, "old_post_visits": old,
            "share_old": round(100 * old / total, 1) if total else None,
            "days": LONGEVITY_DAYS, "dated_posts": len(dates), "undated_posts": len(undated),
            "source": "site feeds" if dates else "none",
        }
        if not dates:
            report.notes.append("no publication dates (no built site feed; pass --site DIR): "
                                "content longevity unknown / longévité inconnue")

    def _cost(self, report: Report) -> None:
        c = self.costs
        ov = report.overview
        visitors = ov["visitors"]["value"]
        conversions = ov["conversions"]["value"]
        out: dict = {"cost": c.cost, "currency": report.currency}
        if c.cost is not None:
            out.update({
                "per_visitor": _per(c.cost, visitors),
                "per_engaged_reader": _per(c.cost, ov["engaged_readers"]["value"]),
                "per_cta_click": _per(c.cost, ov["cta_clicks"]["value"]),
                "per_conversion": _per(c.cost, conversions),
            })
        if c.baseline_cost is not None:
            out["baseline"] = {
                "cost": c.baseline_cost, "copies": c.baseline_copies,
                "per_copy": _per(c.baseline_cost, c.baseline_copies),
                "readers": None, "actions": None,  # nobody can count them
            }
        report.cost = out

    def _freshness(self, report: Report, r: dict) -> None:
        """A period whose last days have no event says so, and is not compared."""
        visitors = report.overview["visitors"]
        if visitors["value"] and not visitors["previous"]:
            report.notes.append("the previous period has no events: nothing to compare with "
                                "/ période précédente vide, pas de comparaison")
        days = [rec["dimensions"][0][:10] for rec in r["daily"] if rec["metrics"][0]]
        if not days:
            return
        last = date.fromisoformat(max(days))
        quiet = (self.period.end - last).days
        report.freshness = {"last_event_day": last.isoformat(), "days_without_events": quiet}
        if quiet >= STALE_DAYS:
            report.notes.insert(0, f"no events since {last.isoformat()} ({quiet} days without "
                                   f"any event): comparisons with the previous period left out "
                                   f"/ aucun événement depuis le {last.isoformat()}")
            for metric in report.overview.values():
                metric["change"] = None
                metric["comparable"] = False


async def build_report(client: StatsClient, site_id: str, period: Period, **kw) -> Report:
    """Query the Stats API and build the review of `period`."""
    return await ReviewBuilder(client, site_id, period, **kw).build()

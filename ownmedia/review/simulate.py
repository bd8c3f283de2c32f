"""A deterministic generator of realistic channel traffic, written straight into an event store
(the schema of ownmedia.storage.sqlite.events_schema), together with its ground truth.

Why: the review must report exactly what happened. A seeded generator knows what happened (it
counts every visitor, click, print and comment as it writes them, independently of any SQL), so
tests can compare the review with that truth, and the benchmark can make millions of events.

It also writes a minimal built-site feed (`site/feeds/all.atom.xml`) with each post's
publication date: the review reads publication dates from the built site's Atom feed, so the
generator provides one the same way Pelican does.

Model (one seed → one dataset): posts published over the year before the period and during it,
popularity following a power law with a recency boost; visitors per day growing over the period
with a weekly rhythm; sessions from direct, search, social, referral, newsletter and print
returns (utm_medium=print, utm_campaign=<slug>, landing on that post); per post view an
engagement event, read-through milestones, CTA clicks (some leading to the CTA's page and to the
/merci/ conversion page), shares, prints, comments, outbound clicks, downloads; 404s; bots
(dropped at ingest, so only counted in the `dropped` table).

Visitor ids are per day (like the collector's daily salt) and sessions never cross midnight.

Campaigns (SimSpec.campaigns, as [[campaigns]] tables) are written to the campaign store of the
data directory, and the truth holds each one's daily counts, tallied as the traffic is made:
so a test knows a campaign's progress, pace and verdict without asking the Stats API.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ownmedia.review.model import LONGEVITY_DAYS
from ownmedia.storage.event_ports import EventSink

EVENT_COLUMNS = (
    "ts", "domain", "name", "hostname", "pathname", "referrer", "referrer_source",
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "visitor_id", "session_id",
    "v_source", "v_referrer", "v_utm_source", "v_utm_medium", "v_utm_campaign",
    "v_utm_content", "v_utm_term", "v_entry_page",
    "browser", "browser_version", "os", "os_version", "device",
    "props", "revenue_amount", "revenue_currency", "interactive", "scroll_depth", "engagement_ms",
)
SESSION_COLUMNS = (
    "session_id", "domain", "visitor_id", "start", "end", "entry_page", "exit_page",
    "pageviews", "events", "interactive_events", "v_source", "v_referrer", "v_utm_source",
    "v_utm_medium", "v_utm_campaign",
)
EVENTS_PER_VISITOR = 7.8  # measured average, used to size a run from a target event count
CONVERSION_PAGE = "/merci/"
CONVERSION_GOAL = "Visit /merci/"
CTAS = {"newsletter": "/newsletter/", "don": "/don/", "adhesion": "/adhesion/"}
CTA_REVENUE = {"don": ("20.00", "EUR"), "adhesion": ("35.00", "EUR")}  # as CTAS' `revenue`

# (share, v_source, referrer, utm_source, utm_medium)
SOURCES = [
    (0.27, "", "", "", ""),
    (0.22, "Google", "https://www.google.com/", "", ""),
    (0.03, "DuckDuckGo", "https://duckduckgo.com/", "", ""),
    (0.05, "Facebook", "https://www.facebook.com/", "", ""),
    (0.04, "Twitter", "https://t.co/", "", ""),
    (0.04, "LinkedIn", "https://www.linkedin.com/", "", ""),
    (0.03, "Mastodon", "https://mastodon.social/", "", ""),
    (0.12, "example.org", "https://example.org/blog/", "", ""),
    (0.08, "asso-voisine.fr", "https://asso-voisine.fr/liens/", "", ""),
    (0.07, "newsletter", "", "newsletter", "email"),
    (0.05, "print", "", "print", "print"),
]
DEVICES = [(0.55, "Desktop"), (0.40, "Mobile"), (0.05, "Tablet")]
CLIENTS = {
    "Desktop": [("Firefox", "Linux"), ("Chrome", "Windows"), ("Safari", "Mac"),
                ("Edge", "Windows")],
    "Mobile": [("Chrome", "Android"), ("Safari", "iOS"), ("Firefox", "Android")],
    "Tablet": [("Safari", "iPadOS"), ("Chrome", "Android")],
}


@dataclass
class Post:
    slug: str
    published: date
    url: str
    en_url: str = ""
    weight: float = 1.0


@dataclass
class SimSpec:
    """What to generate. `events` is a target: the run sizes visitors per day to approach it."""

    seed: int = 1
    start: date = date(2026, 1, 5)  # a Monday
    days: int = 182
    posts: int = 40
    events: int = 20_000
    growth: float = 2.0  # visitors per day at the end / at the start
    domain: str = "127.0.0.1"
    hostname: str = "127.0.0.1"
    campaigns: tuple = ()  # dicts as [[campaigns]] tables (name, metric, target, from, ...)

    @property
    def end(self) -> date:
        """Last day (inclusive)."""
        return self.start + timedelta(days=self.days - 1)


@dataclass
class Truth:
    """What the generator wrote, counted as it wrote it (see `finish` for the derived parts)."""

    spec: dict = field(default_factory=dict)
    events: int = 0
    visitors: int = 0
    visits: int = 0
    pageviews: int = 0
    bots_dropped: int = 0
    goals: dict = field(default_factory=dict)  # goal -> {"events", "visitors"}
    conversions: int = 0  # unique visitors reaching the conversion page
    posts: dict = field(default_factory=dict)  # slug -> per post counts
    ctas: dict = field(default_factory=dict)  # cta -> {"clicks", "visitors", "per_post", ...}
    sources: dict = field(default_factory=dict)  # source -> visitors
    source_visits: dict = field(default_factory=dict)  # source -> visits
    campaigns: dict = field(default_factory=dict)  # "medium|source|campaign" -> visits
    print_returns: int = 0  # visits with utm_medium=print
    weekly: dict = field(default_factory=dict)  # monday -> {"visitors", "pageviews"}
    longevity: dict = field(default_factory=dict)  # {"old": post visits, "all": post visits}
    published: dict = field(default_factory=dict)  # slug -> ISO date
    daily: dict = field(default_factory=dict)  # day -> {"visitors", "pageviews", ...}
    monthly_post_pageviews: dict = field(default_factory=dict)  # month -> {"old", "new"}
    campaign_targets: dict = field(default_factory=dict)  # name -> {"daily": {day: n}, ...}
    videos: dict = field(default_factory=dict)  # video -> {"provider", "post", "plays", ...}
    video_posts: dict = field(default_factory=dict)  # slug -> Video Play events
    funnels: dict = field(default_factory=dict)  # "site" / entry post -> visits at each step


def _pick(rng: random.Random, table: list) -> tuple:
    r = rng.random()
    for row in table:
        r -= row[0]
        if r <= 0:
            return row
    return table[-1]


def make_posts(rng: random.Random, spec: SimSpec) -> list[Post]:
    """Half published in the year before the period, half during it; a quarter translated."""
    posts = []
    for i in range(spec.posts):
        if i < spec.posts // 2:
            day = spec.start - timedelta(days=rng.randrange(1, 366))
        else:
            day = spec.start + timedelta(days=rng.randrange(0, spec.days))
        slug = f"billet-{i:04d}"
        url = f"/{day.year}/{slug}/"
        en = f"/en/{day.year}/{slug}/" if rng.random() < 0.25 else ""
        posts.append(Post(slug, day, url, en, weight=1.0 / (1 + rng.random() * 40) ** 0.9))
    posts.sort(key=lambda p: (p.published, p.slug))
    return posts


class _Writer:
    """Batches rows into the store; keeps ids unique."""

    def __init__(self, sink: EventSink, truth: Truth):
        self.sink, self.truth = sink, truth
        self.events: list[tuple] = []
        self.sessions: list[tuple] = []

    def flush(self, force: bool = False) -> None:
        if len(self.events) < 50_000 and not force:
            return
        self.sink.bulk_insert(self.events, self.sessions, event_columns=EVENT_COLUMNS,
                              session_columns=SESSION_COLUMNS)
        self.truth.events += len(self.events)
        self.events.clear()
        self.sessions.clear()


def simulate(data_dir: str | Path, spec: SimSpec | None = None, *,
             site_dir: str | Path | None = None, progress=None,
             sink: EventSink | None = None) -> Truth:
    """Write `data_dir/events.sqlite3` (must not hold events yet), `data_dir/truth.json` and
    `site_dir/feeds/all.atom.xml` (default `data_dir/site`); return the ground truth.

    `progress(done_days, total_days)` is called once per simulated day. The rows go through
    `sink`'s bulk insert (default: the SQLite sink of `data_dir`, without fsyncs: a generated
    file favours speed over durability)."""
    spec = spec or SimSpec()
    data_dir = Path(data_dir)
    site_dir = Path(site_dir) if site_dir else data_dir / "site"
    rng = random.Random(spec.seed)
    posts = make_posts(rng, spec)
    own_sink = sink is None
    data_dir.mkdir(parents=True, exist_ok=True)
    if sink is None:
        from ownmedia.storage.sqlite.events import SqliteEventSink

        sink = SqliteEventSink.in_dir(data_dir, durable=False)
    if sink.has_events():
        if own_sink:
            sink.close()
        raise ValueError(f"{data_dir / 'events.sqlite3'} already holds events")
    sink.seed_goals([{"domain": spec.domain, "page_path": CONVERSION_PAGE,
                      "display_name": CONVERSION_GOAL}], [spec.domain])
    truth = Truth(spec={k: str(v) for k, v in asdict(spec).items()})
    truth.published = {p.slug: p.published.isoformat() for p in posts}
    w = _Writer(sink, truth)
    sim = _Day(rng, spec, posts, w)
    base = spec.events / (spec.days * EVENTS_PER_VISITOR * (1 + spec.growth) / 2 * 0.986)
    for d in range(spec.days):
        day = spec.start + timedelta(days=d)
        trend = 1 + (spec.growth - 1) * d / max(1, spec.days - 1)
        weekly = 0.75 if day.weekday() >= 5 else 1.08
        sim.run(day, max(1, round(base * trend * weekly * rng.uniform(0.85, 1.15))))
        w.flush()
        if progress:
            progress(d + 1, spec.days)
    w.flush(force=True)
    sim.finish(truth)
    _campaign_truth(data_dir, spec, truth)
    sink.set_dropped([(spec.end.isoformat(), spec.domain, "bot", truth.bots_dropped)])
    if own_sink:
        sink.close()
    (data_dir / "truth.json").write_text(json.dumps(asdict(truth), indent=1, sort_keys=True))
    write_feed(site_dir, posts)
    write_videos(site_dir, posts)
    return truth


# (metric, filters) whose daily counts the generator tallies -> the key in Truth.daily
CAMPAIGN_TRUTH = {("visitors", ()): "visitors", ("pageviews", ()): "pageviews",
                  ("visitors", ("utm_medium=print",)): "print_visitors",
                  ("pageviews", ("utm_medium=print",)): "print_pageviews"}


def _campaign_truth(data_dir: Path, spec: SimSpec, truth: Truth) -> None:
    """Store the spec's campaigns; give each its daily counts from the tallies."""
    if not spec.campaigns:
        return
    from ownmedia.campaigns.model import campaigns_from_config, goal_of
    from ownmedia.storage.sqlite.campaigns import SqliteCampaignStore

    store = SqliteCampaignStore(data_dir)
    try:
        for c in campaigns_from_config(list(spec.campaigns), "SimSpec.campaigns"):
            store.add(c)
            goal = goal_of(c.metric)
            key = f"goal:{goal}" if goal and not c.filters else \
                CAMPAIGN_TRUTH.get((c.metric, c.filters))
            if key is None:
                raise ValueError(f"campaign {c.name}: the generator has no truth for "
                                 f"{c.metric} with {c.filters}")
            daily = {d: row.get(key, 0) for d, row in truth.daily.items()
                     if c.start.isoformat() <= d <= c.end.isoformat()}
            truth.campaign_targets[c.name] = {"key": key, "daily": daily,
                                       "progress": sum(daily.values())}
    finally:
        store.close()


def write_feed(site_dir: Path, posts: list[Post]) -> Path:
    """An Atom feed like Pelican's all.atom.xml: one entry per post with its published date."""
    feeds = site_dir / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    entries = "".join(
        f"<entry><title>{p.slug}</title><link href=\"http://127.0.0.1:8000{p.url}\" "
        f"rel=\"alternate\"/><published>{p.published.isoformat()}T09:00:00+01:00</published>"
        f"<id>tag:127.0.0.1,{p.published.isoformat()}:{p.url}</id></entry>"
        for p in posts
    )
    path = feeds / "all.atom.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>ownmedia</title>{entries}</feed>\n", encoding="utf-8")
    return path


def video_of(post: Post) -> tuple[str, str] | None:
    """(video, provider) of the posts that hold one: every fourth, YouTube and local files
    in turn, as the video plugin names them."""
    n = int(post.slug.rsplit("-", 1)[-1])
    if n % 4:
        return None
    return (f"yt{n:09d}", "youtube") if n % 8 else (f"media/{post.slug}.mp4", "file")


def write_videos(site_dir: Path, posts: list[Post]) -> Path | None:
    """The built site's videos.json as plugins/video writes it (titles for the review)."""
    videos = [{"video": v[0], "provider": v[1], "title": f"Video of {p.slug}", "post": p.slug,
               "page": p.url} for p in posts if (v := video_of(p))]
    if not videos:
        return None
    path = site_dir / "videos.json"
    path.write_text(json.dumps({"pages": {}, "videos": videos}, indent=1), encoding="utf-8")
    return path


# Of the readers of a post with a video: who play it; of the plays of a local file: who reach
# each quartile (drawn once, from the generator's own stream of video choices)
PLAY_RATE = 0.18
QUARTILE_REACHED = {25: 0.8, 50: 0.6, 75: 0.45, 100: 0.3}


def funnel_steps(events: list[tuple[str, str, dict]]) -> int:
    """How many steps of the owned-media funnel (visit, read through, CTA click, conversion) a
    visit reached, from its events (name, path, props) in time order, each step matched after
    the one before as the `sequence` filter defines it."""
    reached = 1
    for name, path, props in events:
        if reached == 1 and name == "Read Through" and props.get("depth") == "100" or \
                reached == 2 and name == "CTA Click" or \
                reached == 3 and name == "pageview" and path == CONVERSION_PAGE:
            reached += 1
    return reached


class _Day:
    """Generates one day of traffic and tallies the truth."""

    def __init__(self, rng: random.Random, spec: SimSpec, posts: list[Post], w: _Writer):
        self.rng, self.spec, self.posts, self.w = rng, spec, posts, w
        self.video_rng = random.Random(spec.seed * 7919 + 1)  # video choices: a stream apart
        self.videos = {p.slug: v for p in posts if (v := video_of(p))}
        self.video_plays: Counter = Counter()  # video
        self.video_players: dict[str, set] = defaultdict(set)
        self.video_post_plays: Counter = Counter()  # slug
        self.video_progress: dict[str, Counter] = defaultdict(Counter)  # video -> quartile
        self.funnel: dict[str, Counter] = defaultdict(Counter)  # "site"/entry slug -> step -> n
        self.next_session = 1
        self.by_url = {p.url: p for p in posts}
        self.by_url.update({p.en_url: p for p in posts if p.en_url})
        self.goal_events: Counter = Counter()
        self.goal_visitors: dict[str, set] = defaultdict(set)
        self.post_visitors: dict[str, set] = defaultdict(set)  # url -> visitor ids
        self.post_pageviews: Counter = Counter()  # slug
        self.post_counts: dict[str, Counter] = defaultdict(Counter)
        self.read_through: dict[str, set] = defaultdict(set)  # slug -> visitors with depth 100
        self.entry_conv: dict[str, set] = defaultdict(set)  # entry page -> converting visitors
        self.cta_clicks: Counter = Counter()
        self.cta_visitors: dict[str, set] = defaultdict(set)
        self.cta_post: Counter = Counter()  # (cta, slug)
        self.cta_sessions: dict[str, set] = defaultdict(set)  # cta -> sessions with a click
        self.conv_sessions: set = set()
        self.conversions: set = set()
        self.sources: dict[str, set] = defaultdict(set)
        self.source_visits: Counter = Counter()
        self.campaigns: dict[str, set] = defaultdict(set)
        self.weekly_visitors: dict[str, set] = defaultdict(set)
        self.weekly_pageviews: Counter = Counter()
        self.post_day_visits: dict[tuple, set] = defaultdict(set)  # (url, day) -> sessions
        self.visitors = 0
        self.visits = 0
        self.pageviews = 0
        self.print_returns = 0
        self.bots = 0
        self.daily: dict[str, Counter] = defaultdict(Counter)  # day -> tallies
        self.print_visitors: dict[str, set] = defaultdict(set)  # day -> visitors
        self.month_views: dict[str, Counter] = defaultdict(Counter)  # month -> old/new

    def _weights(self, day: date) -> tuple[list[Post], list[float]]:
        live = [p for p in self.posts if p.published <= day]
        cum, total = [], 0.0
        for p in live:
            age = (day - p.published).days
            total += p.weight * (1 + 6 * math.exp(-age / 10))
            cum.append(total)
        return live, cum

    def run(self, day: date, n_visitors: int) -> None:
        rng = self.rng
        live, cum = self._weights(day)
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
        monday = (day - timedelta(days=day.weekday())).isoformat()
        self.bots += rng.randrange(0, 1 + n_visitors // 10)
        for _ in range(n_visitors):
            vid = rng.getrandbits(62)
            self.visitors += 1
            self.daily[day.isoformat()]["visitors"] += 1
            device = _pick(rng, DEVICES)[1]
            browser, os_ = rng.choice(CLIENTS[device])
            n_sessions = 1 if rng.random() < 0.9 else 2
            t = midnight + rng.uniform(0, 40_000)
            for _s in range(n_sessions):
                t = self._session(day, monday, vid, device, browser, os_, t, live, cum)
                t += rng.uniform(1900, 9000)  # > 30 min: a new visit

    def _post_by_popularity(self, live: list[Post], cum: list[float]) -> Post | None:
        if not live:
            return None
        return self.rng.choices(live, cum_weights=cum)[0]

    def _session(self, day, monday, vid, device, browser, os_, t, live, cum) -> float:
        rng, spec = self.rng, self.spec
        sid = self.next_session
        self.next_session += 1
        self.visits += 1
        _, source, referrer, utm_source, utm_medium = _pick(rng, SOURCES)
        campaign = ""
        post = self._post_by_popularity(live, cum)
        if utm_medium == "print" and post is not None:
            campaign = post.slug
            pages = [post.url]
            self.print_returns += 1
        elif utm_medium == "email":
            campaign = f"lettre-{day:%Y-%m}"
            pages = [post.url if post else "/"]
        else:
            pages = ["/"] if post is None or rng.random() < 0.12 else [
                post.en_url if post.en_url and rng.random() < 0.4 else post.url]
        while rng.random() < 0.45 and len(pages) < 6:
            nxt = self._post_by_popularity(live, cum)
            r = rng.random()
            if r < 0.03:
                pages.append(f"/ancienne-page-{rng.randrange(50)}/")
            elif r < 0.15 or nxt is None:
                pages.append("/")
            else:
                pages.append(nxt.url)
        entry = pages[0]
        visit = {
            "v_source": source, "v_referrer": referrer, "v_utm_source": utm_source,
            "v_utm_medium": utm_medium, "v_utm_campaign": campaign,
        }
        self.sources[source or "Direct / None"].add(vid)
        self.source_visits[source or "Direct / None"] += 1
        if utm_medium:
            self.campaigns[f"{utm_medium}|{utm_source}|{campaign}"].add(sid)
        self.weekly_visitors[monday].add(vid)
        by_url = self.by_url
        rows: list[tuple] = []
        counts = {"pageviews": 0, "events": 0, "interactive": 0}
        start = t
        state = {"t": t, "exit": entry}

        def emit(name, path, props=None, *, first=False, sd=None, ms=None, interactive=1,
                 revenue=(None, None)):
            ev_ref = referrer if first else ""
            rows.append((
                state["t"], spec.domain, name, spec.hostname, path, ev_ref,
                source if first else "",
                utm_source if first else "", utm_medium if first else "",
                campaign if first else "", "", "", vid, sid,
                visit["v_source"], visit["v_referrer"], visit["v_utm_source"],
                visit["v_utm_medium"], visit["v_utm_campaign"], "", "", entry,
                browser, "120.0", os_, "", device,
                json.dumps(props or {}, separators=(",", ":")), *revenue, interactive, sd, ms,
            ))
            if name != "engagement":
                counts["events"] += 1
                counts["interactive"] += interactive
                if name == "pageview":
                    counts["pageviews"] += 1
                    state["exit"] = path
            state["t"] += rng.uniform(5, 90)

        def goal(name, path, props, interactive=1, revenue=(None, None)):
            emit(name, path, props, interactive=interactive, revenue=revenue)
            self.goal_events[name] += 1
            self.goal_visitors[name].add(vid)
            self.daily[day.isoformat()][f"goal:{name}"] += 1

        for i, path in enumerate(pages):
            emit("pageview", path, first=(i == 0))
            self.pageviews += 1
            self.weekly_pageviews[monday] += 1
            if path.startswith("/ancienne-page-"):
                goal("404", path, {"path": path})
                continue
            p = by_url.get(path)
            if p is None:
                continue
            self.post_visitors[path].add(vid)
            self.post_pageviews[p.slug] += 1
            self.month_views[day.strftime("%Y-%m")][
                "old" if (day - p.published).days > LONGEVITY_DAYS else "new"] += 1
            self.post_day_visits[(path, day)].add(sid)
            sd = rng.choice((10, 30, 55, 80, 100, 100))
            if rng.random() < 0.85:
                emit("engagement", path, sd=sd, ms=rng.randrange(3000, 400_000), interactive=0)
            for depth in (25, 50, 75, 100):
                if sd >= depth:
                    goal("Read Through", path, {"post": p.slug, "depth": str(depth)}, 0)
            if sd >= 100:
                self.read_through[p.slug].add(vid)
            video = self.videos.get(p.slug)
            if video and self.video_rng.random() < PLAY_RATE:
                props = {"video": video[0], "post": p.slug, "provider": video[1]}
                goal("Video Play", path, props)
                self.video_plays[video[0]] += 1
                self.video_players[video[0]].add(vid)
                self.video_post_plays[p.slug] += 1
                if video[1] == "file":
                    for q, share in QUARTILE_REACHED.items():
                        if self.video_rng.random() >= share / (QUARTILE_REACHED.get(q - 25)
                                                               or 1.0):
                            break
                        emit("Video Progress", path, {**props, "progress": str(q)},
                             interactive=0)
                        self.video_progress[video[0]][q] += 1
            if rng.random() < 0.05:
                cta = rng.choice(sorted(CTAS))
                goal("CTA Click", path, {"cta": cta, "post": p.slug,
                                         "url": f"{CTAS[cta]}?utm_medium=cta"},
                     revenue=CTA_REVENUE.get(cta, (None, None)))
                self.cta_clicks[cta] += 1
                self.cta_visitors[cta].add(vid)
                self.cta_post[(cta, p.slug)] += 1
                self.cta_sessions[cta].add(sid)
                self.post_counts[p.slug]["cta_clicks"] += 1
                if rng.random() < 0.6:
                    emit("pageview", CTAS[cta])
                    self.pageviews += 1
                    self.weekly_pageviews[monday] += 1
                    if rng.random() < 0.4:
                        emit("pageview", CONVERSION_PAGE)
                        self.pageviews += 1
                        self.weekly_pageviews[monday] += 1
                        self.goal_events[CONVERSION_GOAL] += 1
                        self.daily[day.isoformat()][f"goal:{CONVERSION_GOAL}"] += 1
                        self.goal_visitors[CONVERSION_GOAL].add(vid)
                        self.conversions.add(vid)
                        self.conv_sessions.add(sid)
                        self.entry_conv[entry].add(vid)
                    break  # the visitor left the post for the CTA's page
            if rng.random() < 0.02:
                goal("Share", path, {"network": rng.choice(["mastodon", "linkedin", "email"]),
                                     "post": p.slug})
                self.post_counts[p.slug]["shares"] += 1
            if rng.random() < 0.012:
                via = rng.choice(["button", "ctrl-p"])
                print_path = f"{path}print/"
                if via == "button":
                    emit("pageview", print_path)
                    self.pageviews += 1
                    self.weekly_pageviews[monday] += 1
                goal("Print", print_path, {"post": p.slug, "via": via})
                self.post_counts[p.slug]["prints"] += 1
            if rng.random() < 0.008:
                goal("Form: Submission", path, {"form": "comment"})
                goal("Comment", path, {"post": p.slug})
                self.post_counts[p.slug]["comments"] += 1
            if rng.random() < 0.03:
                goal("Outbound Link: Click", path, {"url": "https://example.org/ressource"})
            if rng.random() < 0.004:
                goal("File Download", path, {"url": "/images/guide.pdf"})
        self.w.events.extend(rows)
        today = self.daily[day.isoformat()]
        today["pageviews"] += counts["pageviews"]
        if utm_medium == "print":
            today["print_pageviews"] += counts["pageviews"]
            self.print_visitors[day.isoformat()].add(vid)
        reached = funnel_steps([(r[2], r[4], json.loads(r[27]) if r[2] == "Read Through" else {})
                                for r in rows if r[2] != "engagement"])
        entry_post = by_url.get(entry)
        for key in ("site", entry_post.slug) if entry_post else ("site",):
            for step in range(1, reached + 1):
                self.funnel[key][step] += 1
        self.w.sessions.append((sid, spec.domain, vid, start, rows[-1][0] if rows else start,
                                entry, state["exit"], counts["pageviews"], counts["events"],
                                counts["interactive"], source, referrer, utm_source, utm_medium,
                                campaign))
        return state["t"]

    def finish(self, truth: Truth) -> None:
        truth.visitors = self.visitors
        truth.visits = self.visits
        truth.pageviews = self.pageviews
        truth.bots_dropped = self.bots
        truth.print_returns = self.print_returns
        truth.goals = {g: {"events": n, "visitors": len(self.goal_visitors[g])}
                       for g, n in sorted(self.goal_events.items())}
        truth.conversions = len(self.conversions)
        posts: dict[str, dict] = {}
        for p in self.posts:
            urls = [u for u in (p.url, p.en_url) if u]
            visitors = sum(len(self.post_visitors[u]) for u in urls)
            if not visitors:
                continue
            c = self.post_counts[p.slug]
            posts[p.slug] = {
                "visitors": visitors, "pageviews": self.post_pageviews[p.slug],
                "read_through_visitors": len(self.read_through[p.slug]),
                "cta_clicks": c["cta_clicks"], "shares": c["shares"], "prints": c["prints"],
                "comments": c["comments"],
                "conversions": sum(len(self.entry_conv[u]) for u in urls),
            }
        truth.posts = posts
        truth.ctas = {
            cta: {"clicks": self.cta_clicks[cta], "visitors": len(self.cta_visitors[cta]),
                  "revenue": round(self.cta_clicks[cta] * float(CTA_REVENUE[cta][0]), 2)
                  if cta in CTA_REVENUE else None,
                  "visits": len(self.cta_sessions[cta]),
                  "converted_visits": len(self.cta_sessions[cta] & self.conv_sessions),
                  "per_post": {s: n for (c, s), n in sorted(self.cta_post.items()) if c == cta}}
            for cta in sorted(self.cta_clicks)
        }
        truth.sources = {s: len(v) for s, v in sorted(self.sources.items())}
        truth.source_visits = dict(sorted(self.source_visits.items()))
        truth.campaigns = {k: len(v) for k, v in sorted(self.campaigns.items())}
        truth.weekly = {m: {"visitors": len(self.weekly_visitors[m]),
                            "pageviews": self.weekly_pageviews[m]}
                        for m in sorted(self.weekly_visitors)}
        by_url = self.by_url
        old = total = 0
        for (url, day), sessions in self.post_day_visits.items():
            total += len(sessions)
            monday = day - timedelta(days=day.weekday())
            if (monday - by_url[url].published).days > 90:  # old on the week's Monday
                old += len(sessions)
        truth.longevity = {"old": old, "all": total}
        for d, visitors in self.print_visitors.items():
            self.daily[d]["print_visitors"] = len(visitors)
        truth.daily = {d: dict(c) for d, c in sorted(self.daily.items())}
        truth.monthly_post_pageviews = {m: {"old": c["old"], "new": c["new"]}
                                        for m, c in sorted(self.month_views.items())}
        by_video = {v[0]: (slug, v[1]) for slug, v in self.videos.items()}
        truth.videos = {
            v: {"provider": by_video[v][1], "post": by_video[v][0], "plays": n,
                "players": len(self.video_players[v]),
                "progress": {str(q): self.video_progress[v][q] for q in QUARTILE_REACHED}
                if by_video[v][1] == "file" else {}}
            for v, n in sorted(self.video_plays.items())}
        truth.video_posts = dict(sorted(self.video_post_plays.items()))
        truth.funnels = {k: [c[s] for s in range(1, 5)] for k, c in sorted(self.funnel.items())}


def main(argv: list[str] | None = None) -> int:
    """`python -m ownmedia.review.simulate DATA_DIR`: a store to try `ownmedia review` on."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ownmedia.review.simulate",
                                     description=main.__doc__)
    parser.add_argument("data_dir", help="new data directory (events.sqlite3, truth.json, site/)")
    parser.add_argument("--events", type=int, default=100_000, help="about how many events")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--start", default="2026-01-05", help="first day (YYYY-MM-DD)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        spec = SimSpec(seed=args.seed, start=date.fromisoformat(args.start), days=args.days,
                       posts=args.posts, events=args.events)
        truth = simulate(args.data_dir, spec)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"{truth.events:,} events, {truth.visitors:,} visitors, {spec.start}..{spec.end}: "
          f"ownmedia review --data {args.data_dir} --site {args.data_dir}/site "
          f"--period {spec.start}..{spec.end}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

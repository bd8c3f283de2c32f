"""The 6-month view the owned-media argument rests on: month by month, how much of the
audience reads posts more than 90 days old (a print insert is read the week it comes out; a
post keeps bringing readers).

Counted in pageviews, because they add up across days and posts: a unique visitor of two
posts, or of one post on two days, does not. A post is old on the days it is more than
LONGEVITY_DAYS days past its publication (dates from the built site's feed, as the review's
longevity section); a month in which a post turns old is split by day with one more query."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from ownmedia.review.client import StatsClient
from ownmedia.review.model import LONGEVITY_DAYS, post_slug, publication_dates

MONTHS = 6


def month_start(d: date, back: int = 0) -> date:
    index = d.year * 12 + d.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return month_start(first, -1) - timedelta(days=1)


async def old_post_share(client: StatsClient, site_id: str, as_of: date,
                         site_dir: Path | None, months: int = MONTHS) -> dict:
    """Per calendar month (the last `months` ones up to `as_of`): pageviews of the site, of
    dated posts, and of those posts while older than LONGEVITY_DAYS."""
    first = month_start(as_of, months - 1)
    dates = publication_dates(site_dir)

    def body(dims: list[str], start: date, end: date, filters=None) -> dict:
        b = {"site_id": site_id, "metrics": ["pageviews"], "dimensions": dims,
             "date_range": [start.isoformat(), end.isoformat()]}
        if filters:
            b["filters"] = filters
        return b

    rows = {m: {"month": m.isoformat()[:7], "site_pageviews": 0, "post_pageviews": 0,
                "old_post_pageviews": 0, "share_old": None}
            for m in (month_start(as_of, back) for back in range(months - 1, -1, -1))}
    for rec in await client.query_all(body(["time:month"], first, as_of)):
        m = month_start(date.fromisoformat(str(rec["dimensions"][0])[:7] + "-01"))
        if m in rows:
            rows[m]["site_pageviews"] = rec["metrics"][0]
    undated: set[str] = set()
    crossing: dict[date, dict[str, date]] = {}  # month -> path -> first old day
    for rec in await client.query_all(body(["time:month", "event:page"], first, as_of)):
        label, path = rec["dimensions"]
        m = month_start(date.fromisoformat(str(label)[:7] + "-01"))
        slug = post_slug(path)
        if m not in rows or not slug:
            continue
        pub = dates.get(slug)
        if pub is None:
            undated.add(slug)
            continue
        views = rec["metrics"][0]
        rows[m]["post_pageviews"] += views
        old_from = pub + timedelta(days=LONGEVITY_DAYS + 1)
        if old_from <= m:
            rows[m]["old_post_pageviews"] += views
        elif old_from <= min(month_end(m), as_of):
            crossing.setdefault(m, {})[path] = old_from
    for m, paths in crossing.items():
        last = min(month_end(m), as_of)
        for rec in await client.query_all(body(["time:day", "event:page"], m, last,
                                               [["is", "event:page", sorted(paths)]])):
            day, path = date.fromisoformat(str(rec["dimensions"][0])[:10]), rec["dimensions"][1]
            if path in paths and day >= paths[path]:
                rows[m]["old_post_pageviews"] += rec["metrics"][0]
    for r in rows.values():
        if r["post_pageviews"]:
            r["share_old"] = round(100 * r["old_post_pageviews"] / r["post_pageviews"], 1)
    return {"months": list(rows.values()), "days": LONGEVITY_DAYS, "from": first.isoformat(),
            "until": as_of.isoformat(), "dated_posts": len(dates),
            "undated_posts": len(undated)}

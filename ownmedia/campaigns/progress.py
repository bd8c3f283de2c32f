"""A campaign's progress as the Stats API v2 answers it (ownmedia serve or Plausible alike):
one total for the campaign's days, and the metric's daily counts over the year before, from
which projection.py draws the pace, the trend and the site's best week."""

from __future__ import annotations

from datetime import date, timedelta

from ownmedia.campaigns.model import Campaign, api_metric, query_filters
from ownmedia.campaigns.projection import outlook, project, trend_for
from ownmedia.review.client import StatsClient

HISTORY_DAYS = 364  # 52 weeks before the campaign (or the day measured): "ever", for a site


async def measure(client: StatsClient, site_id: str, campaign: Campaign, as_of: date) -> dict:
    """The campaign measured on `as_of` (its last counted day): definition, outlook and the
    cumulative paths the chart draws."""
    filters = query_filters(campaign)
    metric = api_metric(campaign.metric)
    counted_to = min(as_of, campaign.end)
    history_first = min(campaign.start, as_of) - timedelta(days=HISTORY_DAYS)

    def body(first: date, last: date, **extra) -> dict:
        b = {"site_id": site_id, "metrics": [metric],
             "date_range": [first.isoformat(), last.isoformat()], **extra}
        if filters:
            b["filters"] = filters
        return b

    progress = 0
    if as_of >= campaign.start:
        rows = await client.query_all(body(campaign.start, counted_to))
        progress = rows[0]["metrics"][0] if rows else 0
    daily: dict[date, float] = {}
    for row in await client.query_all(body(history_first, max(as_of, history_first),
                                           dimensions=["time:day"])):
        daily[date.fromisoformat(str(row["dimensions"][0])[:10])] = row["metrics"][0]
    out = outlook(campaign.target, campaign.start, campaign.end, as_of, progress, daily,
                  history_first)
    return {**campaign.as_dict(), "as_of": as_of.isoformat(), "metric_api": metric,
            **out.as_dict(), "path": paths(campaign, as_of, daily, out.progress,
                                           history_first)}


def paths(campaign: Campaign, as_of: date, daily: dict[date, float], progress: float,
          history_first: date) -> dict:
    """Cumulative actual counts per day, the target's straight line, and the projection band
    to the deadline. The days' sum of unique visitors counts a visitor of two days twice, so
    the cumulative curve keeps the days' shape but is scaled to end on the campaign's own
    count, where the projection band starts (a factor of 1 for pageviews and goals)."""
    days = []
    day = campaign.start
    while day <= min(as_of, campaign.end):
        days.append(day)
        day += timedelta(days=1)
    summed = sum(daily.get(d, 0) for d in days)
    scale = progress / summed if summed else 1.0
    actual, total = [], 0.0
    for d in days:
        total += daily.get(d, 0)
        actual.append([d.isoformat(), round(total * scale, 2)])
    target = [[campaign.start.isoformat(), 0], [campaign.end.isoformat(), campaign.target]]
    band = []
    if as_of < campaign.end:
        start = max(as_of, campaign.start - timedelta(days=1))
        trend, _ = trend_for(daily, campaign.start, campaign.end, as_of, history_first)
        left = (campaign.end - start).days
        skip = (start - as_of).days
        band.append([start.isoformat(), progress, progress, progress])
        step = max(1, left // 60)
        for k in list(range(step, left, step)) + [left]:
            c, lo, hi = project(trend, k, skip)
            band.append([(start + timedelta(days=k)).isoformat(), progress + c,
                         progress + lo, progress + hi])
    return {"actual": actual, "target": target, "projection": band}

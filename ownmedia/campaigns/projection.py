"""Where a campaign's current trend leads by its deadline, and the plain verdict.

The model, and why:
- Daily counts are summed into 7-day blocks that end on the day of measurement (the "as of"
  day), so weekends and weekdays weigh the same in every block and the latest block is
  always a full week.
- The trend is an ordinary least-squares line through the last (up to) 8 full blocks: two
  months is long enough to see a channel growing or fading, short enough to be today's
  channel. Blocks inside the campaign are used once there are 3 of them; before that, the
  blocks before the campaign (the same metric and filters): the site's pace as it was.
  With fewer than 3 blocks in all, the trend is flat: the mean of the days measured.
- The projection adds to the progress so far the line's prediction for each remaining
  day (never below zero), with an 80% prediction interval for that sum (the t quantile of
  the residuals, widened by the uncertainty of the line itself), so a channel with erratic
  weeks gets a wide range rather than a falsely precise number.
- The current pace is the mean of the last (up to) 4 full blocks; "behind: needs 3.2x the
  current pace" compares the weekly pace still needed with it.
- Unreachable at any plausible pace: the pace still needed is more than UNREACHABLE_FACTOR
  (5) times the best 7-day block of the year before, i.e. five times the site's best week
  ever (which already holds its spikes: the newsletter, the post that went round), held
  every week until the deadline. A push (a newsletter, partners, paid promotion) can lift a
  channel to two or three times its best week for a while, so "needs 3.2x the current pace"
  is a plan that may work, only behind; five times the best week ever is not a pace the
  site has, but another site, and a target beyond it needs another kind of plan.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta

TREND_BLOCKS = 8
PACE_BLOCKS = 4
MIN_TREND_BLOCKS = 3
UNREACHABLE_FACTOR = 5.0
INTERVAL = 0.80
# one-sided 90% quantiles of Student's t (an 80% two-sided interval), by degrees of freedom
T90 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397,
       9: 1.383, 10: 1.372, 12: 1.356, 15: 1.341, 20: 1.325, 30: 1.310}
Z90 = 1.2816


def t90(df: int) -> float:
    if df <= 0:
        return T90[1]
    best = [k for k in T90 if k <= df]
    return T90[max(best)] if df <= 30 else Z90


def blocks_ending(daily: dict[date, float], first: date, last: date) -> list[float]:
    """Totals of the full 7-day blocks inside [first, last] that end on `last`, oldest first."""
    out = []
    end = last
    while end - timedelta(days=6) >= first:
        out.append(sum(daily.get(end - timedelta(days=i), 0) for i in range(7)))
        end -= timedelta(days=7)
    return out[::-1]


@dataclass
class Trend:
    """A weekly line y = intercept + slope * x, x = 0 for the latest block."""

    model: str  # "linear" or "mean"
    basis: str  # "campaign" (its own weeks), "before" (the weeks before it) or "days"
    points: int
    intercept: float
    slope: float
    residual_sd: float
    sxx: float  # sum of squared x deviations (0 for the mean model)
    x_mean: float


def fit_trend(weekly: list[float], daily_so_far: list[float], basis: str) -> Trend:
    """The line through the last TREND_BLOCKS weekly totals, or a flat weekly mean."""
    ys = weekly[-TREND_BLOCKS:]
    n = len(ys)
    if n >= MIN_TREND_BLOCKS:
        xs = [i - (n - 1) for i in range(n)]
        xm, ym = sum(xs) / n, sum(ys) / n
        sxx = sum((x - xm) ** 2 for x in xs)
        slope = sum((x - xm) * (y - ym) for x, y in zip(xs, ys, strict=True)) / sxx
        intercept = ym - slope * xm
        resid = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
        sd = math.sqrt(sum(r * r for r in resid) / (n - 2)) if n > 2 else 0.0
        return Trend("linear", basis, n, intercept, slope, sd, sxx, xm)
    days = daily_so_far or [0.0]
    m = len(days)
    mean = sum(days) / m
    # one day has no spread of its own: take one as large as the day itself
    sd_day = math.sqrt(sum((d - mean) ** 2 for d in days) / (m - 1)) if m > 1 else mean
    # a weekly sd from the days' spread (days taken as independent)
    return Trend("mean", "days", m, 7 * mean, 0.0, sd_day * math.sqrt(7), 0.0, 0.0)


def project(trend: Trend, remaining_days: int, skip: int = 0) -> tuple[float, float, float]:
    """(central, low, high) of the sum over `remaining_days` days that start `skip` days
    after the day measured (a campaign that has not started yet)."""
    if remaining_days <= 0:
        return 0.0, 0.0, 0.0
    # future week k (k = 1.. weeks) is centred at x = k; days take 1/7 of their week
    total = 0.0
    lin_sum = 0.0  # sum over days of (x - x_mean) / 7, for the line's own uncertainty
    for day in range(skip + 1, skip + remaining_days + 1):
        x = day / 7
        total += max(0.0, trend.intercept + trend.slope * x) / 7
        lin_sum += (x - trend.x_mean) / 7
    h = remaining_days / 7  # future weeks
    # blocks the line was fitted on (days / 7 for the flat model)
    n = trend.points if trend.model == "linear" else max(trend.points, 1) / 7
    var = trend.residual_sd ** 2 * (h + h * h / n
                                    + (lin_sum ** 2 / trend.sxx if trend.sxx else 0.0))
    df = trend.points - 2 if trend.model == "linear" else trend.points - 1
    half = t90(df) * math.sqrt(var)
    return total, max(0.0, total - half), total + half


@dataclass
class Outlook:
    """Everything the review says about one campaign, as numbers and a sentence."""

    status: str  # reached, on_course, behind, unreachable, missed, no_data
    verdict: str
    progress: float
    percent: float
    days_elapsed: int
    days_left: int
    needed_per_week: float | None
    current_pace: float
    pace_weeks: int  # full weeks the current pace is the mean of (0: from the days)
    pace_to_date: float | None
    pace_ratio: float | None  # needed / current
    best_week: float
    projected: float
    projected_low: float
    projected_high: float
    projected_percent: float
    model: str

    def as_dict(self) -> dict:
        return asdict(self)


def trend_for(daily: dict[date, float], start: date, end: date, as_of: date,
              history_first: date) -> tuple[Trend, list[float]]:
    """The trend (and the weekly totals it was fitted on) the module docstring describes."""
    in_campaign = blocks_ending(daily, start, as_of) if as_of >= start else []
    before = blocks_ending(daily, history_first, min(as_of, start - timedelta(days=1)))
    if len(in_campaign) >= MIN_TREND_BLOCKS:
        weekly, basis = in_campaign, "campaign"
    elif len(before) + len(in_campaign) >= MIN_TREND_BLOCKS and any(before):
        weekly, basis = blocks_ending(daily, history_first, as_of), "before"
    else:
        weekly, basis = in_campaign, "days"
    elapsed = max(0, (min(as_of, end) - start).days + 1)
    so_far = [daily.get(start + timedelta(days=i), 0.0) for i in range(elapsed)]
    return fit_trend(weekly, so_far, basis), weekly


def outlook(target: int, start: date, end: date, as_of: date, progress: float,
            daily: dict[date, float], history_first: date) -> Outlook:
    """The verdict for a campaign measured on `as_of` (the last day counted).

    `daily` holds the metric's daily counts (same filters) from `history_first` to `as_of`;
    `progress` is the campaign's own total (unique visitors are not a sum of days)."""
    counted_to = min(as_of, end)
    elapsed = max(0, (counted_to - start).days + 1)
    left = max(0, (end - as_of).days) if as_of >= start else (end - start).days + 1
    trend, weekly = trend_for(daily, start, end, as_of, history_first)
    recent = weekly[-PACE_BLOCKS:]
    current = sum(recent) / len(recent) if recent else trend.intercept
    best = max(blocks_ending(daily, history_first, as_of) or [0.0])
    best = max(best, current)
    skip = max(0, (start - as_of).days - 1)
    central, low, high = project(trend, left, skip)
    projected, p_low, p_high = progress + central, progress + low, progress + high
    remaining = max(0.0, target - progress)
    needed = remaining / (left / 7) if left else None
    ratio = needed / current if needed is not None and current > 0 else None
    status, verdict = _verdict(target, progress, projected, needed, current, best, ratio,
                               left, as_of < start, (start - as_of).days)
    return Outlook(
        status=status, verdict=verdict, progress=progress,
        percent=round(100 * progress / target, 1), days_elapsed=elapsed, days_left=left,
        needed_per_week=round(needed, 1) if needed is not None else None,
        current_pace=round(current, 1), pace_weeks=len(recent),
        pace_to_date=round(7 * progress / elapsed, 1) if elapsed else None,
        pace_ratio=round(ratio, 2) if ratio is not None else None, best_week=round(best, 1),
        projected=round(projected), projected_low=round(p_low), projected_high=round(p_high),
        projected_percent=round(100 * projected / target, 1),
        model=describe(trend))


def describe(trend: Trend) -> str:
    if trend.model == "linear":
        where = ("the campaign's weeks" if trend.basis == "campaign"
                 else "the weeks up to now, before the campaign included")
        return (f"linear trend of the last {trend.points} weekly totals ({where}), "
                f"{round(INTERVAL * 100)}% prediction interval")
    return (f"flat: mean of the {trend.points} day(s) measured (too few full weeks for a "
            f"trend), {round(INTERVAL * 100)}% prediction interval")


def _verdict(target, progress, projected, needed, current, best, ratio, left, not_started,
             starts_in) -> tuple[str, str]:
    prefix = f"starts in {starts_in} day(s); " if not_started else ""
    if progress >= target:
        return "reached", "reached: the target is met"
    if not left:
        return "missed", f"missed: {100 * progress / target:.1f}% of the target at the deadline"
    if best <= 0:
        return "no_data", prefix + ("nothing measured yet for this metric: no pace to judge "
                                    "the target by")
    if needed is not None and needed > UNREACHABLE_FACTOR * best:
        return "unreachable", prefix + (
            f"unreachable at any plausible pace: needs {needed:,.0f} per week, "
            f"{needed / best:,.0f}x the best week the site has had ({best:,.0f})")
    if projected >= target:
        return "on_course", prefix + "on course"
    if ratio is None:
        return "behind", prefix + "behind: nothing measured in the last weeks"
    return "behind", prefix + f"behind: needs {ratio:.1f}x the current pace"

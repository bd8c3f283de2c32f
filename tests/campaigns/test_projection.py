"""The projection's arithmetic on series whose answer is known by hand."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from ownmedia.campaigns.projection import (
    UNREACHABLE_FACTOR,
    blocks_ending,
    fit_trend,
    outlook,
    project,
)

START = date(2026, 3, 2)
END = date(2026, 4, 26)  # 8 weeks


def series(first: date, last: date, per_day) -> dict[date, float]:
    out, d = {}, first
    while d <= last:
        out[d] = per_day(d)
        d += timedelta(days=1)
    return out


def test_blocks_end_on_the_day_measured_and_skip_a_partial_first_week():
    daily = series(date(2026, 3, 1), date(2026, 3, 20), lambda d: d.day)
    assert blocks_ending(daily, date(2026, 3, 1), date(2026, 3, 20)) == [
        sum(range(7, 14)), sum(range(14, 21))]


def test_the_trend_is_least_squares_on_weekly_totals():
    weekly = [100.0, 130.0, 150.0, 190.0, 200.0, 260.0]
    trend = fit_trend(weekly, [], "campaign")
    xs = np.arange(len(weekly)) - (len(weekly) - 1)
    slope, intercept = np.polyfit(xs, weekly, 1)
    assert trend.model == "linear" and trend.points == 6
    assert trend.slope == pytest.approx(slope) and trend.intercept == pytest.approx(intercept)
    resid = np.array(weekly) - (intercept + slope * xs)
    assert trend.residual_sd == pytest.approx(np.sqrt((resid ** 2).sum() / 4))


def test_a_steady_channel_projects_exactly_and_the_range_brackets_it():
    trend = fit_trend([700.0] * 6, [], "campaign")
    central, low, high = project(trend, 14)
    assert central == pytest.approx(1400) and low == pytest.approx(1400)
    noisy = fit_trend([600.0, 800.0, 650.0, 750.0, 700.0, 700.0], [], "campaign")
    c, lo, hi = project(noisy, 14)
    assert lo < c < hi and hi - lo > 0
    assert project(noisy, 0) == (0.0, 0.0, 0.0)


def test_a_falling_trend_never_projects_below_zero():
    trend = fit_trend([400.0, 300.0, 200.0, 100.0], [], "campaign")
    central, low, _ = project(trend, 70)
    assert central >= 0 and low >= 0
    assert central == pytest.approx(sum(max(0, trend.intercept + trend.slope * d / 7) / 7
                                        for d in range(1, 71)))


def test_few_days_give_a_flat_trend_from_their_mean():
    trend = fit_trend([], [10.0, 20.0, 30.0], "days")
    assert (trend.model, trend.intercept, trend.slope) == ("mean", 140.0, 0.0)


def steady(per_day: float, as_of: date, history: int = 120) -> tuple[dict, date]:
    first = START - timedelta(days=history)
    return series(first, as_of, lambda d: per_day), first


def test_on_course_behind_and_the_ratio_of_paces():
    as_of = START + timedelta(days=27)  # 4 weeks in, 4 to go, 100 a day = 700 a week
    daily, first = steady(100, as_of)
    ok = outlook(5000, START, END, as_of, 2800, daily, first)
    assert (ok.status, ok.verdict) == ("on_course", "on course")
    assert (ok.current_pace, ok.needed_per_week, ok.projected) == (700, 550, 5600)
    behind = outlook(2800 + 4 * 2240, START, END, as_of, 2800, daily, first)
    assert behind.status == "behind"
    assert behind.verdict == "behind: needs 3.2x the current pace"
    assert behind.pace_ratio == pytest.approx(3.2)


def test_unreachable_beyond_three_times_the_best_week_ever():
    as_of = START + timedelta(days=27)
    daily, first = steady(100, as_of)
    daily[START - timedelta(days=50)] = 1400  # one great week: 2000
    best = 2000
    just = 2800 + 4 * UNREACHABLE_FACTOR * best  # needs exactly 3x the best: plausible
    assert outlook(just, START, END, as_of, 2800, daily, first).status == "behind"
    o = outlook(2_000_000, START, END, as_of, 2800, daily, first)
    assert o.status == "unreachable" and o.best_week == best
    assert o.verdict == ("unreachable at any plausible pace: needs 499,300 per week, "
                         "250x the best week the site has had (2,000)")


def test_reached_missed_no_data_and_not_started():
    as_of = START + timedelta(days=27)
    daily, first = steady(100, as_of)
    assert outlook(2000, START, END, as_of, 2800, daily, first).status == "reached"
    late = END + timedelta(days=3)
    daily, first = steady(100, late)
    missed = outlook(9000, START, END, late, 5600, daily, first)
    assert (missed.status, missed.days_left) == ("missed", 0)
    assert missed.verdict == "missed: 62.2% of the target at the deadline"
    empty, first = steady(0, as_of)
    assert outlook(10, START, END, as_of, 0, empty, first).status == "no_data"
    early = START - timedelta(days=7)
    daily, first = steady(100, early)
    soon = outlook(5000, START, END, early, 0, daily, first)
    assert soon.status == "on_course" and soon.verdict.startswith("starts in 7 day(s)")
    assert soon.model.startswith("linear trend of the last 8 weekly totals (the weeks up")


def test_the_chart_ends_on_the_campaigns_own_count():
    from ownmedia.campaigns.model import make_campaign
    from ownmedia.campaigns.progress import paths

    c = make_campaign("v", "visitors", 1000, START, END)
    as_of = START + timedelta(days=27)
    daily, first = steady(100, as_of)
    # 2,800 visitor-days, but 2,100 unique visitors: some came on several days
    drawn = paths(c, as_of, daily, 2100, first)
    assert drawn["actual"][0] == [START.isoformat(), 75.0]
    assert drawn["actual"][-1] == [as_of.isoformat(), 2100.0]
    assert drawn["projection"][0] == [as_of.isoformat(), 2100, 2100, 2100]
    assert drawn["projection"][-1][0] == END.isoformat()
    assert drawn["projection"][-1][1] == pytest.approx(2100 + 4 * 700)

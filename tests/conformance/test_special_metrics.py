"""Plausible's special metrics (query_special_metrics_test.exs, browsers_test.exs):
conversion_rate over the period's visitors, group_conversion_rate over the group's, and
percentage, rounded to one decimal."""

from __future__ import annotations

from tests.conformance.harness import CHROME, SAFARI_IPHONE, event, pageview

GOAL_BLOG = [["is", "event:goal", ["Visit /blog**"]]]


def seed_authors(site):
    site.seed(pageview("/blog/1", props={"author": "Uku"}),
              pageview("/blog/2", props={"author": "Uku"}),
              pageview("/blog/3", props={"author": "Uku"}),
              pageview("/blog/1", props={"author": "Marko"}),
              pageview("/blog/2", props={"author": "Marko"}, user=1),
              pageview("/blog/3", props={"author": "Marko"}, user=1),
              pageview("/blog"),
              pageview(props={"author": "Marko"}),
              pageview())
    site.goal(page_path="/blog**")


def test_conversion_rate_in_a_goal_filtered_custom_prop_breakdown(site):
    seed_authors(site)
    assert site.results(filters=GOAL_BLOG, metrics=["visitors", "events", "conversion_rate"],
                        dimensions=["event:props:author"]) == [
        (["Uku"], [3, 3, 37.5]), (["Marko"], [2, 3, 25.0]), (["(none)"], [1, 1, 12.5])]


def test_conversion_rate_alone_in_a_goal_filtered_custom_prop_breakdown(site):
    site.seed(pageview("/blog/1", props={"author": "Uku"}), pageview())
    site.goal(page_path="/blog**")
    assert site.results(metrics=["conversion_rate"], dimensions=["event:props:author"],
                        filters=GOAL_BLOG) == [(["Uku"], [50.0])]


def test_group_conversion_rate_in_a_goal_filtered_page_breakdown(site):
    site.seed(pageview("/en/register"), event("Signup", "/en/register"),
              event("Signup", "/en/register"), event("Signup", "/it/register", user=1),
              event("Signup", "/it/register", user=1), pageview("/it/register"))
    site.goal(event_name="Signup")
    assert site.results(dimensions=["event:page"], filters=[["is", "event:goal", ["Signup"]]],
                        metrics=["visitors", "events", "group_conversion_rate"]) == [
        (["/en/register"], [2, 2, 66.7]), (["/it/register"], [1, 2, 50.0])]


def test_group_conversion_rate_alone_in_a_goal_filtered_page_breakdown(site):
    site.seed(pageview("/en/register"), event("Signup", "/en/register"))
    site.goal(event_name="Signup")
    assert site.results(filters=[["is", "event:goal", ["Signup"]]],
                        metrics=["group_conversion_rate"], dimensions=["event:page"]) == [
        (["/en/register"], [50.0])]


def test_group_conversion_rate_in_a_multi_goal_filtered_device_breakdown(site):
    site.seed(pageview(ua=SAFARI_IPHONE), event("AddToCart", ua=SAFARI_IPHONE),
              event("AddToCart", ua=SAFARI_IPHONE), event("AddToCart", user=1, ua=CHROME),
              event("Purchase", user=1, ua=CHROME), pageview(ua=CHROME))
    site.goal(event_name="Purchase")
    site.goal(event_name="AddToCart")
    assert site.results(metrics=["visitors", "events", "group_conversion_rate"],
                        dimensions=["visit:device"],
                        filters=[["is", "event:goal", ["AddToCart", "Purchase"]]]) == [
        (["Mobile"], [2, 2, 66.7]), (["Desktop"], [1, 2, 50.0])]


def test_conversion_rate_alone_in_a_goal_filtered_device_breakdown(site):
    site.seed(pageview(ua=SAFARI_IPHONE), event("AddToCart", ua=SAFARI_IPHONE))
    site.goal(event_name="AddToCart")
    assert site.results(metrics=["conversion_rate"], dimensions=["visit:device"],
                        filters=[["is", "event:goal", ["AddToCart"]]]) == [(["Mobile"], [50.0])]


def test_group_conversion_rate_when_filtering_for_goal_by_browser(site):
    """browsers_test "calculates conversion_rate when filtering for goal"."""
    site.seed(pageview(user=1), pageview(user=2), event("Signup", user=1))
    site.goal(event_name="Signup")
    assert site.results(metrics=["visitors", "group_conversion_rate"],
                        dimensions=["visit:browser"],
                        filters=[["is", "event:goal", ["Signup"]]]) == [(["Chrome"], [1, 50.0])]


def test_percentage_rounds_to_one_decimal(site):
    """query_test "simple breakdown": 1 of 6 visitors is 16.7 %, 2 of 6 is 33.3 %."""
    site.seed(*(pageview(referrer="https://www.google.com/") for _ in range(3)),
              *(pageview(referrer="https://t.co/x") for _ in range(2)), pageview())
    assert [m for _, m in site.results(metrics=["visitors", "percentage"],
                                       dimensions=["visit:source"])] == [
        [3, 50.0], [2, 33.3], [1, 16.7]]


def test_time_on_page_from_engagement_data(site):
    """query_time_on_page_test "aggregated time_on_page metric based on engagement data":
    (120 s + 20 s + 60 s) over 2 visitors."""
    site.seed(pageview("/blog", user=12, time="2021-01-01 00:00:00"),
              event("engagement", "/blog", user=12, time="2021-01-01 00:10:00",
                    extra={"e": 120_000, "sd": 10}),
              event("engagement", "/blog", user=12, time="2021-01-01 00:11:00",
                    extra={"e": 20_000, "sd": 10}),
              pageview("/blog", user=13, time="2021-01-01 00:10:00"),
              event("engagement", "/blog", user=13, time="2021-01-01 00:10:00",
                    extra={"e": 60_000, "sd": 10}))
    assert site.results(metrics=["time_on_page"], dimensions=["event:page"]) == [
        (["/blog"], [100])]


def test_revenue_of_a_goal(site):
    """total_revenue and average_revenue in Plausible's money shape (value, currency, long,
    short) for the revenue events the filters keep."""
    site.seed(event("Purchase", extra={"revenue": {"currency": "EUR", "amount": "10.50"}}),
              event("Purchase", extra={"revenue": {"currency": "EUR", "amount": "1000"}}),
              event("Signup"))
    site.goal(event_name="Purchase")
    [total, average] = site.metrics(metrics=["total_revenue", "average_revenue"],
                                    filters=[["is", "event:goal", ["Purchase"]]])
    assert total == {"value": 1010.5, "currency": "EUR", "long": "€1,010.50", "short": "€1K"}
    assert average["value"] == 505.25 and average["currency"] == "EUR"

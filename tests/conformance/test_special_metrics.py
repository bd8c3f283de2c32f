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


def test_bounce_rate_is_0_when_the_filtered_page_was_never_a_landing_page(site):
    """query_special_metrics / pages: bounce rate with a page filter is the bounce rate of the
    visits that entered on that page."""
    site.seed(pageview("/A", user=7, time="2021-01-01 00:00:00"),
              pageview("/", user=7, time="2021-01-01 00:10:00"))
    assert site.metrics(filters=[["is", "event:page", ["/"]]], metrics=["bounce_rate"]) == [0]


def test_page_scoped_bounce_rate_and_visit_duration(site):
    """Derived from Plausible's rule (sessions are read by visit:entry_page when event:page is
    filtered or broken down), not one of its test cases: entered on / and bounced, entered
    on / then went to /about (600 s), entered on /about."""
    site.seed(pageview("/", user=1, time="2021-01-01 00:00:00"),
              pageview("/", user=2, time="2021-01-01 00:00:00"),
              pageview("/about", user=2, time="2021-01-01 00:10:00"),
              pageview("/about", user=3, time="2021-01-01 00:00:00"))
    assert site.results(metrics=["visitors", "bounce_rate", "visit_duration"],
                        dimensions=["event:page"]) == [
        (["/"], [2, 50, 300]), (["/about"], [2, 100, 0])]
    assert site.metrics(metrics=["bounce_rate", "visit_duration"],
                        filters=[["is", "event:page", ["/about"]]]) == [100, 0]


def test_time_on_page_is_0_when_it_cannot_be_calculated(site):
    site.seed(pageview("/"))
    assert site.metrics(filters=[["is", "event:page", ["/"]]], metrics=["time_on_page"]) == [0]


def test_scroll_depth_with_a_page_filter(site):
    """query_test "can query scroll_depth metric with a page filter" (engagement events in
    place of the old pageleave ones): the best depth per visitor, averaged."""
    site.seed(pageview(user=123, time="2021-01-01 00:00:00"),
              event("engagement", user=123, time="2021-01-01 00:00:10",
                    extra={"sd": 40, "e": 1000}),
              pageview(user=123, time="2021-01-01 00:00:10"),
              event("engagement", user=123, time="2021-01-01 00:00:20",
                    extra={"sd": 60, "e": 1000}),
              pageview(user=456, time="2021-01-01 00:00:00"),
              event("engagement", user=456, time="2021-01-01 00:00:10",
                    extra={"sd": 80, "e": 1000}))
    assert site.metrics(filters=[["is", "event:page", ["/"]]], metrics=["scroll_depth"]) == [70]


def test_scroll_depth_is_0_without_engagement_data(site):
    site.seed(pageview(time="2021-01-01 00:00:00"))
    assert site.metrics(filters=[["is", "event:page", ["/"]]],
                        metrics=["visitors", "scroll_depth"]) == [1, 0]


# derived from cache_store.ex (the visit continues while Timex.diff(now, last, :minutes) <= 30)
# and its bounce rule (a second interactive event ends a bounce), not from its test cases
def test_a_visit_continues_30_minutes_59_seconds_later(site):
    site.seed(pageview(user=9, time="2021-01-01 00:00:00"),
              pageview(user=9, time="2021-01-01 00:30:59"))
    assert site.metrics(metrics=["visits", "visit_duration", "bounce_rate"]) == [1, 1859, 0]


def test_a_visit_ends_31_minutes_later(site):
    site.seed(pageview(user=9, time="2021-01-01 00:00:00"),
              pageview(user=9, time="2021-01-01 00:31:00"))
    assert site.metrics(metrics=["visits", "visit_duration", "bounce_rate"]) == [2, 0, 100]


def test_an_engagement_event_keeps_the_visit_alive(site):
    site.seed(pageview(user=9, time="2021-01-01 00:00:00"),
              event("engagement", user=9, time="2021-01-01 00:25:00", extra={"sd": 50, "e": 9}),
              pageview(user=9, time="2021-01-01 00:50:00"))
    assert site.metrics(metrics=["visits", "pageviews"]) == [1, 2]


def test_a_non_interactive_event_does_not_end_a_bounce(site):
    site.seed(pageview(user=9, time="2021-01-01 00:00:00"),
              event("Scroll", user=9, time="2021-01-01 00:01:00", extra={"i": False}),
              pageview(user=8, time="2021-01-01 00:00:00"),
              event("Signup", user=8, time="2021-01-01 00:01:00"))
    assert site.metrics(metrics=["visits", "bounce_rate"]) == [2, 50]

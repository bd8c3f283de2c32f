"""Plausible's Stats API v2 query cases (query_test.exs): aggregates, filters, breakdowns and
time series, each with Plausible's expected answer.

Where Plausible's factory sets a session attribute directly (`browser: "Chrome"`), the event
here carries what produces it at ingestion (a Chrome User-Agent, a Google referrer, a
`utm_medium` tag); values that only a real User-Agent can give are noted at the case."""

from __future__ import annotations

import pytest

from tests.conformance.harness import (
    CHROME,
    FIREFOX_MAC,
    SAFARI_IPHONE,
    event,
    pageview,
)

U = 4242  # Plausible's @user_id


def test_aggregates_a_single_metric(site):
    site.seed(pageview(user=U, time="2021-01-01 00:00:00"),
              pageview(user=U, time="2021-01-01 00:25:00"),
              pageview(time="2021-01-01 00:00:00"))
    assert site.metrics(metrics=["pageviews"]) == [3]


def test_views_per_visit_rounds_to_two_decimals(site):
    site.seed(pageview(user=U, time="2021-01-01 00:00:00"),
              pageview(user=U, time="2021-01-01 00:25:00"),
              pageview(user=456, time="2021-01-01 00:00:00"),
              pageview(user=456, time="2021-01-01 00:25:00"),
              pageview(time="2021-01-01 00:00:00"))
    assert site.metrics(metrics=["views_per_visit"]) == [1.67]


def test_aggregates_all_metrics_in_a_single_query(site):
    site.seed(pageview(user=U, time="2021-01-01 00:00:00"),
              pageview(user=U, time="2021-01-01 00:25:00"),
              pageview(time="2021-01-01 00:00:00"))
    assert site.metrics(metrics=["pageviews", "visits", "views_per_visit", "visitors",
                                 "bounce_rate", "visit_duration"]) == [3, 2, 1.5, 2, 50, 750]


# "can filter by <visit attribute>": the visitor's first pageview has the attribute, the
# second (25 min later) continues the visit, another visitor has not: [2, 1, 0, 1500]
VISIT_FILTERS = [
    # (case, first pageview of the visitor, the other visitor's pageview, filter)
    ("source", {"referrer": "https://www.google.com/search?q=x"}, {},
     ["is", "visit:source", ["Google"]]),
    ("no source/referrer", {}, {"referrer": "https://www.google.com/"},
     ["is", "visit:source", ["Direct / None"]]),
    ("utm_medium", {"query": "utm_medium=social"}, {}, ["is", "visit:utm_medium", ["social"]]),
    ("utm_source", {"query": "utm_source=Twitter"}, {}, ["is", "visit:utm_source", ["Twitter"]]),
    ("utm_campaign", {"query": "utm_campaign=profile"}, {},
     ["is", "visit:utm_campaign", ["profile"]]),
    ("device type", {"ua": CHROME}, {"ua": SAFARI_IPHONE}, ["is", "visit:device", ["Desktop"]]),
    ("browser", {"ua": CHROME}, {"ua": FIREFOX_MAC}, ["is", "visit:browser", ["Chrome"]]),
    # Plausible's case sets browser_version "56"; a real Chrome/120 User-Agent gives "120.0"
    ("browser version", {"ua": CHROME}, {"ua": FIREFOX_MAC},
     ["is", "visit:browser_version", ["120.0"]]),
    ("operating system", {"ua": FIREFOX_MAC}, {"ua": CHROME}, ["is", "visit:os", ["Mac"]]),
    # Plausible's case sets "10.5"; the macOS 10.15 User-Agent gives "10.15"
    ("operating system version", {"ua": FIREFOX_MAC}, {"ua": CHROME},
     ["is", "visit:os_version", ["10.15"]]),
    ("utm_medium case insensitively", {"query": "utm_medium=Social"}, {},
     ["is", "visit:utm_medium", ["sociaL"], {"case_sensitive": False}]),
]


@pytest.mark.parametrize(("first", "other", "flt"), [c[1:] for c in VISIT_FILTERS],
                         ids=[c[0] for c in VISIT_FILTERS])
def test_can_filter_by_a_visit_attribute(site, first, other, flt):
    ua = first.get("ua", CHROME)
    site.seed(pageview(user=U, time="2021-01-01 00:00:00", **first),
              pageview(user=U, time="2021-01-01 00:25:00", ua=ua),
              pageview(time="2021-01-01 00:00:00", **other))
    assert site.metrics(metrics=["pageviews", "visitors", "bounce_rate", "visit_duration"],
                        filters=[flt]) == [2, 1, 0, 1500]


def test_can_filter_by_is_not_utm_medium_case_insensitively(site):
    site.seed(pageview(user=U, time="2021-01-01 00:00:00", query="utm_medium=Social"),
              pageview(user=U, time="2021-01-01 00:25:00", query="utm_medium=SOCIAL"),
              pageview(time="2021-01-01 00:00:00"))
    assert site.metrics(metrics=["pageviews"], filters=[
        ["is_not", "visit:utm_medium", ["sociaL"], {"case_sensitive": False}]]) == [1]


def test_engagement_events_do_not_count_as_events(site):
    site.seed(pageview(user=234, time="2021-01-01 00:00:00"),
              event("engagement", user=234, time="2021-01-01 00:00:01",
                    extra={"sd": 30, "e": 1000}))
    assert site.metrics(metrics=["events"]) == [1]


def test_engagement_events_do_not_affect_bounce_rate_and_visit_duration(site):
    site.seed(pageview(user=123, time="2021-01-01 00:00:00"),
              event("engagement", user=123, time="2021-01-01 00:00:03",
                    extra={"sd": 30, "e": 3000}))
    assert site.metrics(metrics=["bounce_rate", "visit_duration"]) == [100, 0]


def test_contains_referrer_filter(site):
    site.seed(pageview(referrer="https://a.com"), pageview(referrer="https://a.com"),
              pageview(referrer="https://ab.com"))
    assert site.metrics(metrics=["visitors"],
                        filters=[["contains", "visit:referrer", ["a.com"]]]) == [2]


PAGES = ["/en/page1", "/EN/page2", "/pl/page1"]
PAGE_FILTERS = [
    ("contains page filter case insensitive", PAGES,
     [["contains", "event:page", ["/En/"], {"case_sensitive": False}]], 2),
    ("contains_not page filter case insensitive", PAGES,
     [["contains_not", "event:page", ["/En/"], {"case_sensitive": False}]], 1),
    ("contains_not page filter", ["/en/page1", "/en/page2", "/pl/page1"],
     [["contains_not", "event:page", ["/en/"]]], 1),
    ("contains with and/or/not filters",
     ["/en/page1", "/en/page2", "/eng/page1", "/pl/page1", "/gb/page1"],
     [["or", [["and", [["contains", "event:page", ["/en"]],
                       ["not", ["contains", "event:page", ["/eng"]]]]],
              ["contains", "event:page", ["/gb"]]]]], 3),
    ("contains and member filter combined", ["/en/page1", "/en/page2", "/pl/page1", "/ee/page1"],
     [["contains", "event:page", ["/en/", "/pl/"]]], 3),
    ("can escape pipe character in member + contains filter",
     ["/blog/post|1", "/otherpost|1", "/blog/post|2", "/something-else"],
     [["contains", "event:page", ["post|1", "/something-else"]]], 3),
    ("matches operator",
     ["/user/1234", "/user/789/contributions", "/blog/user/1234", "/user/ef/contributions",
      "/other/path"], [["matches", "event:page", ["^/user/[0-9]+"]]], 2),
    ("matches_not operator",
     ["/user/1234", "/user/789/contributions", "/blog/user/1234", "/user/ef/contributions",
      "/other/path"], [["matches_not", "event:page", ["^/user/[0-9]+"]]], 3),
]


@pytest.mark.parametrize(("pages", "filters", "visitors"), [c[1:] for c in PAGE_FILTERS],
                         ids=[c[0] for c in PAGE_FILTERS])
def test_page_filters(site, pages, filters, visitors):
    site.seed(*(pageview(p) for p in pages))
    assert site.metrics(metrics=["visitors"], filters=filters) == [visitors]


TIER_VALUE = [("large-1", "ax"), ("small-1", "bx"), ("small-1", "ax"), ("small-2", "bx"),
              ("small-2", "cx"), ("small-3", None), (None, "ax"), (None, None)]
NAMES = ["large-1", "Small-1", "mall-1", "SMALL-2", "small-2", None]
PROPS_FILTERS = [
    ("contains and contains_not with custom properties", TIER_VALUE,
     [["contains", "event:props:tier", ["small"]],
      ["contains_not", "event:props:value", ["b", "c"]]], 1),
    ("matches and matches_not with custom properties",
     [(t, v.rstrip("x") if v else v) for t, v in TIER_VALUE],
     [["matches", "event:props:tier", ["small.+"]],
      ["matches_not", "event:props:value", ["b|c"]]], 1),
    ("contains with custom properties case insensitive", [(n, None) for n in NAMES],
     [["contains", "event:props:tier", ["maLL"], {"case_sensitive": False}]], 4),
    ("contains_not with custom properties case insensitive", [(n, None) for n in NAMES],
     [["contains_not", "event:props:tier", ["maLL"], {"case_sensitive": False}]], 1),
]


@pytest.mark.parametrize(("pairs", "filters", "visitors"), [c[1:] for c in PROPS_FILTERS],
                         ids=[c[0] for c in PROPS_FILTERS])
def test_custom_property_filters(site, pairs, filters, visitors):
    """contains/matches and their negations only match events carrying the key."""
    for tier, value in pairs:
        props = {k: v for k, v in (("tier", tier), ("value", value)) if v is not None}
        site.seed(pageview(props=props or None))
    assert site.metrics(metrics=["visitors"], filters=filters) == [visitors]


AUTHOR_EVENTS = [(123, CHROME, "John Doe"), (123, CHROME, "John Doe"), (None, FIREFOX_MAC,
                 "other"), (None, SAFARI_IPHONE, None)]


@pytest.mark.parametrize(("dimension", "expected"), [
    # browsers_test / operating_systems_test / screen_sizes_test, "with :is_not filter on
    # custom pageview props": the visitor without the prop is kept
    ("visit:browser", [(["Firefox"], [1, 50.0]), (["Safari"], [1, 50.0])]),
    ("visit:os", [(["Mac"], [1, 50.0]), (["iOS"], [1, 50.0])]),  # byte order, as ClickHouse
    ("visit:device", [(["Desktop"], [1, 50.0]), (["Mobile"], [1, 50.0])]),
])
def test_is_not_custom_prop_keeps_events_without_the_prop(site, dimension, expected):
    for user, ua, author in AUTHOR_EVENTS:
        site.seed(pageview(user=user, ua=ua, props={"author": author} if author else None))
    assert site.results(metrics=["visitors", "percentage"], dimensions=[dimension],
                        filters=[["is_not", "event:props:author", ["John Doe"]]],
                        order_by=[[dimension, "asc"]]) == expected


def test_is_none_custom_prop_matches_events_without_the_prop(site):
    """countries_test "with :is (none) filter on custom pageview props" (as sources)."""
    site.seed(pageview(referrer="https://duckduckgo.com", props={"author": "John Doe"}),
              pageview(referrer="https://www.bing.com", props={"logged_in": "true"}),
              pageview(referrer="https://www.bing.com"))
    assert site.results(metrics=["visitors", "percentage"], dimensions=["visit:source"],
                        filters=[["is", "event:props:author", ["(none)"]]]) == [
        (["Bing"], [2, 100.0])]


# --- breakdowns ----------------------------------------------------------------------------

SIMPLE_BREAKDOWNS = [
    # dimension, how value1 / value2 / blank are produced, and the values shown
    ("visit:source", [{"referrer": "https://www.google.com/"}, {"referrer": "https://t.co/x"},
                      {}], ["Google", "Twitter", "Direct / None"]),
    ("visit:referrer", [{"referrer": "https://example.com"}, {"referrer": "https://google.com"},
                        {}], ["example.com", "google.com", "Direct / None"]),
    ("visit:utm_medium", [{"query": "utm_medium=Search"}, {"query": "utm_medium=social"}, {}],
     ["Search", "social", "(not set)"]),
    ("visit:utm_source", [{"query": "utm_source=Google"}, {"query": "utm_source=Bing"}, {}],
     ["Google", "Bing", "(not set)"]),
    ("visit:utm_campaign", [{"query": "utm_campaign=ads"}, {"query": "utm_campaign=profile"},
                            {}], ["ads", "profile", "(not set)"]),
    ("visit:utm_content", [{"query": "utm_content=Content1"}, {"query": "utm_content=blog2"},
                           {}], ["Content1", "blog2", "(not set)"]),
    ("visit:utm_term", [{"query": "utm_term=Term1"}, {"query": "utm_term=favicon"}, {}],
     ["Term1", "favicon", "(not set)"]),
    ("visit:os", [{"ua": FIREFOX_MAC}, {"ua": CHROME}, {"ua": ""}],
     ["Mac", "Windows", "(not set)"]),
    ("visit:browser", [{"ua": CHROME}, {"ua": SAFARI_IPHONE}, {"ua": ""}],
     ["Chrome", "Safari", "(not set)"]),
    ("visit:device", [{"ua": SAFARI_IPHONE}, {"ua": CHROME}, {"ua": ""}],
     ["Mobile", "Desktop", "(not set)"]),
]


@pytest.mark.parametrize(("dimension", "makers", "shown"), SIMPLE_BREAKDOWNS,
                         ids=[c[0] for c in SIMPLE_BREAKDOWNS])
def test_simple_breakdown(site, dimension, makers, shown):
    one, two, blank = makers
    site.seed(pageview(time="2021-01-01 00:00:00", **one),
              pageview(time="2021-01-01 00:25:00", **one),
              pageview(time="2021-01-01 00:55:00", **one),
              pageview(time="2021-01-01 01:00:00", **two),
              pageview(time="2021-01-01 01:25:00", **two),
              pageview(time="2021-01-01 00:00:00", **blank))
    assert site.results(metrics=["visitors", "percentage"], dimensions=[dimension],
                        date_range=["2021-01-01", "2021-01-01"]) == [
        ([shown[0]], [3, 50.0]), ([shown[1]], [2, 33.3]), ([shown[2]], [1, 16.7])]


def test_breakdown_by_visit_source(site):
    site.seed(pageview(time="2021-01-01 00:00:00", referrer="https://www.google.com/"),
              pageview(time="2021-01-01 00:25:00", referrer="https://www.google.com/"),
              pageview(time="2021-01-01 00:00:00"))
    assert site.results(metrics=["visitors"], dimensions=["visit:source"]) == [
        (["Google"], [2]), (["Direct / None"], [1])]


def test_explicit_order_by(site):
    windows_firefox = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 "
                       "Firefox/121.0")
    linux_firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
    mac_chrome = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
                  "like Gecko) Chrome/120.0.0.0 Safari/537.36")
    site.seed(pageview(ua=CHROME), pageview(ua=windows_firefox), pageview(ua=linux_firefox),
              pageview(ua=linux_firefox), pageview(ua=mac_chrome))
    # Plausible's UA database names Linux "GNU/Linux"
    assert site.results(metrics=["visitors"], dimensions=["visit:os", "visit:browser"],
                        order_by=[["visitors", "asc"], ["visit:browser", "desc"],
                                  ["visit:os", "asc"]]) == [
        (["Windows", "Firefox"], [1]), (["Mac", "Chrome"], [1]), (["Windows", "Chrome"], [1]),
        (["GNU/Linux", "Firefox"], [2])]


def test_breakdown_by_event_page(site):
    site.seed(pageview("/", time="2021-01-01 00:00:00"), pageview("/", time="2021-01-01 00:25:00"),
              pageview("/plausible.io", time="2021-01-01 00:00:00"))
    assert site.results(metrics=["visitors"], dimensions=["event:page"]) == [
        (["/"], [2]), (["/plausible.io"], [1])]


def test_breakdown_by_event_hostname(site):
    site.seed(pageview(host="a.example.com"), pageview(host="a.example.com"),
              pageview(host="a.example.com"), pageview(host="b.example.com"))
    assert site.results(metrics=["pageviews"], dimensions=["event:hostname"]) == [
        (["a.example.com"], [3]), (["b.example.com"], [1])]


def test_breakdown_by_event_name(site):
    site.seed(event("Signup"), event("Signup"), pageview(time="2021-01-01 00:25:00"))
    assert site.results(metrics=["visitors"], dimensions=["event:name"]) == [
        (["Signup"], [2]), (["pageview"], [1])]


def test_breakdown_by_event_name_with_visitors_and_events(site):
    site.seed(pageview("/non-existing", user=U, time="2021-01-01 00:00:00"),
              event("404", "/non-existing", user=U, time="2021-01-01 00:00:00"),
              pageview("/non-existing", time="2021-01-01 00:00:01"),
              pageview("/non-existing", user=U, time="2021-01-01 00:00:02"),
              event("404", "/non-existing", user=U, time="2021-01-01 00:00:02"),
              pageview("/non-existing", user=U, time="2021-01-01 00:00:03"))
    assert site.results(metrics=["visitors", "events"], dimensions=["event:name"]) == [
        (["pageview"], [2, 4]), (["404"], [1, 2])]


def test_breakdown_by_event_name_while_filtering(site):
    safari = SAFARI_IPHONE
    site.seed(event("Signup", "/pageA"), event("Signup", "/pageA"),
              event("Signup", "/pageA", ua=safari), event("Signup", "/pageB"),
              pageview("/pageA", time="2021-01-01 00:25:00"))
    assert site.results(metrics=["visitors"], dimensions=["event:name"],
                        filters=[["is", "event:page", ["/pageA"]],
                                 ["is", "visit:browser", ["Chrome"]]]) == [
        (["Signup"], [2]), (["pageview"], [1])]


def test_breakdown_by_visit_property_when_filtering_by_event_name(site):
    site.seed(pageview(user=U, referrer="https://www.google.com/"), event("Signup", user=U),
              pageview(referrer="https://t.co/x", time="2021-01-01 00:25:00"))
    assert site.results(metrics=["visitors"], dimensions=["visit:source"],
                        filters=[["is", "event:name", ["Signup"]]]) == [(["Google"], [1])]


def test_breakdown_by_event_name_when_filtering_by_event_page(site):
    site.seed(pageview("/pageA"), pageview("/pageA"), event("Signup", "/pageA"),
              pageview("/pageB", referrer="https://t.co/x", time="2021-01-01 00:25:00"))
    assert site.results(metrics=["visitors"], dimensions=["event:name"],
                        filters=[["contains", "event:page", ["/pageA"]]]) == [
        (["pageview"], [2]), (["Signup"], [1])]


def test_breakdown_by_event_page_when_filtering_by_event_name(site):
    site.seed(event("Signup", "/pageA"), event("Signup", "/pageA"), event("Signup", "/pageB"),
              pageview("/pageB", time="2021-01-01 00:25:00"))
    assert site.results(metrics=["visitors"], dimensions=["event:page"],
                        filters=[["is", "event:name", ["Signup"]]]) == [
        (["/pageA"], [2]), (["/pageB"], [1])]


def test_filter_event_page_with_contains(site):
    site.seed(pageview("/en/page1"), pageview("/en/page2"), pageview("/en/page2"),
              pageview("/pl/page1"))
    assert site.results(metrics=["visitors"], dimensions=["event:page"],
                        filters=[["contains", "event:page", ["/en/"]]]) == [
        (["/en/page2"], [2]), (["/en/page1"], [1])]


def test_filter_event_hostname_with_contains(site):
    site.seed(pageview("/a", host="alice-m.example.com"), pageview("/a", host="anna-m.example.com"),
              pageview("/a", host="adam-m.example.com"), pageview("/b", host="bob.example.com"))
    assert site.results(metrics=["visitors"], dimensions=["event:page"],
                        filters=[["contains", "event:hostname", ["-m.example.com"]]]) == [
        (["/a"], [3])]


def test_breakdown_by_custom_event_property(site):
    site.seed(event("Purchase", props={"package": "business"}),
              event("Purchase", props={"package": "personal"}),
              event("Purchase", props={"package": "business"}, time="2021-01-01 00:25:00"),
              event("Some other event", props={"package": "business"},
                    time="2021-01-01 00:25:00"))
    assert site.results(metrics=["visitors"], dimensions=["event:props:package"],
                        filters=[["is", "event:name", ["Purchase"]]]) == [
        (["business"], [2]), (["personal"], [1])]


def test_breakdown_by_custom_property_with_pageviews(site):
    site.seed(pageview(props={"package": "business"}), pageview(props={"package": "personal"}),
              pageview(props={"package": "business"}, time="2021-01-01 00:25:00"))
    assert site.results(metrics=["pageviews"], dimensions=["event:props:package"]) == [
        (["business"], [2]), (["personal"], [1])]


def test_breakdown_by_custom_property_with_none(site):
    site.seed(*(event("Purchase", props={"cost": "16"}) for _ in range(3)),
              event("Purchase", time="2021-01-01 00:25:00"),
              event("Purchase", props={"cost": "14"}, time="2021-01-01 00:25:00"),
              event("Purchase", props={"cost": "14"}, time="2021-01-01 00:26:00"))
    assert site.results(metrics=["visitors"], dimensions=["event:props:cost"],
                        filters=[["is", "event:name", ["Purchase"]]]) == [
        (["16"], [3]), (["14"], [2]), (["(none)"], [1])]


# --- time series ---------------------------------------------------------------------------

def test_hourly_data_with_time_labels(site):
    site.seed(pageview(user=U, time="2021-01-01 00:00:00"),
              pageview(user=U, time="2021-01-01 00:10:00"),
              pageview(time="2021-01-01 23:59:00"))
    answer = site.answer(metrics=["visitors", "pageviews", "visits", "visit_duration",
                                  "bounce_rate"], date_range=["2021-01-01", "2021-01-01"],
                         dimensions=["time:hour"], include={"time_labels": True})
    assert [(r["dimensions"], r["metrics"]) for r in answer["results"]] == [
        (["2021-01-01 00:00:00"], [1, 2, 1, 600, 0]), (["2021-01-01 23:00:00"], [1, 1, 1, 0, 100])]
    assert answer["meta"]["time_labels"] == [f"2021-01-01 {h:02d}:00:00" for h in range(24)]


def test_last_7_days_with_time_labels(site):
    site.seed(pageview(time="2021-01-01 00:00:00"), pageview(time="2021-01-07 23:59:00"))
    answer = site.answer(metrics=["visitors"], date_range=["2021-01-01", "2021-01-07"],
                         dimensions=["time"], include={"time_labels": True})
    assert [(r["dimensions"], r["metrics"]) for r in answer["results"]] == [
        (["2021-01-01"], [1]), (["2021-01-07"], [1])]
    assert answer["meta"]["time_labels"] == [f"2021-01-0{d}" for d in range(1, 8)]


def test_weekly_data_with_a_partial_first_week(site):
    site.seed(pageview(time="2021-01-01 00:00:00"), pageview(time="2021-01-03 23:59:00"),
              pageview(time="2021-01-07 23:59:00"))
    answer = site.answer(metrics=["visitors"], date_range=["2020-12-20", "2021-01-07"],
                         dimensions=["time:week"], include={"time_labels": True})
    assert [(r["dimensions"], r["metrics"]) for r in answer["results"]] == [
        (["2020-12-28"], [2]), (["2021-01-04"], [1])]
    assert answer["meta"]["time_labels"] == ["2020-12-20", "2020-12-21", "2020-12-28",
                                             "2021-01-04"]


@pytest.mark.parametrize("date_range", [["2020-07-01", "2021-01-31"],
                                        ["2020-01-01", "2021-01-01"]],
                         ids=["last 6 months", "last 12 months"])
def test_monthly_visitors(site, date_range):
    first = "2020-08-13 00:00:00" if date_range[0] == "2020-07-01" else "2020-02-01 00:00:00"
    site.seed(pageview(time=first), pageview(time="2020-12-31 00:00:00"),
              pageview(time="2021-01-01 00:00:00"), pageview(time="2021-01-01 00:00:00"))
    assert site.results(metrics=["visitors"], date_range=date_range,
                        dimensions=["time:month"]) == [
        ([first[:8] + "01"], [1]), (["2020-12-01"], [1]), (["2021-01-01"], [2])]


def test_last_12_months_with_daily_interval(site):
    site.seed(pageview(time="2020-02-01 00:00:00"), pageview(time="2020-12-31 00:00:00"),
              pageview(time="2021-01-01 00:00:00"), pageview(time="2021-01-01 00:00:00"))
    answer = site.answer(metrics=["visitors"], date_range=["2020-01-01", "2021-01-07"],
                         dimensions=["time:day"], include={"time_labels": True})
    assert [(r["dimensions"], r["metrics"]) for r in answer["results"]] == [
        (["2020-02-01"], [1]), (["2020-12-31"], [1]), (["2021-01-01"], [2])]
    assert len(answer["meta"]["time_labels"]) == 373


def test_custom_range_with_daily_interval(site):
    site.seed(pageview(time="2021-01-01 00:00:00"), pageview(time="2021-01-01 00:00:00"),
              pageview(time="2021-01-02 00:00:00"))
    assert site.results(metrics=["visitors"], date_range=["2021-01-01", "2021-01-02"],
                        dimensions=["time:day"]) == [(["2021-01-01"], [2]), (["2021-01-02"], [1])]


def test_custom_range_with_monthly_interval(site):
    site.seed(pageview(user=U, time="2020-12-01 00:00:00"),
              pageview(user=U, time="2020-12-01 00:05:00"),
              pageview(time="2021-01-01 00:00:00"), pageview(time="2021-01-02 00:00:00"))
    assert site.results(metrics=["pageviews", "visitors", "bounce_rate", "visit_duration"],
                        date_range=["2020-12-01", "2021-01-02"], dimensions=["time:month"]) == [
        (["2020-12-01"], [2, 1, 0, 300]), (["2021-01-01"], [2, 2, 100, 0])]


def test_timeseries_with_explicit_order_by(site):
    days = ["01", "02", "02", "02", "03", "03", "04", "04"]
    site.seed(*(pageview(time=f"2021-01-{d} 00:00:00") for d in days))
    assert site.results(metrics=["pageviews"], date_range=["2020-12-01", "2021-01-04"],
                        dimensions=["time"], order_by=[["pageviews", "desc"], ["time", "asc"]]) \
        == [(["2021-01-02"], [3]), (["2021-01-03"], [2]), (["2021-01-04"], [2]),
            (["2021-01-01"], [1])]

"""Queries Plausible answers with a 400 (query_parser_test.exs, query_validations_test.exs):
a 400 here too, with Plausible's message (or, where ours says more, one that starts with or
contains Plausible's). Goals Signup and "Visit /thank-you" exist on the site."""

from __future__ import annotations

import pytest

VALID = ["is", "event:props:foobar", ["value"]]

CASES = [
    # (case, body patch, Plausible's message)
    ("invalid metric", {"metrics": ["visitors", "event:name"]},
     '#/metrics/1: Invalid metric "event:name"'),
    ("unknown metric baa", {"metrics": ["visitors", "baa"]}, '#/metrics/1: Invalid metric "baa"'),
    ("same metric queried multiple times", {"metrics": ["events", "visitors", "visitors"]},
     "#/metrics: Expected items to be unique but they were not."),
    ("no metrics passed", {"metrics": []}, "#/metrics: Expected a minimum of 1 items but got 0."),
    ("is filter with invalid clause", {"filters": [["is", "event:name", "foo"]]},
     '#/filters/0: Invalid filter ["is", "event:name", "foo"]'),
    ("is_not filter with invalid clause", {"filters": [["is_not", "event:name", "foo"]]},
     '#/filters/0: Invalid filter ["is_not", "event:name", "foo"]'),
    ("matches filter with invalid clause", {"filters": [["matches", "event:name", "foo"]]},
     '#/filters/0: Invalid filter ["matches", "event:name", "foo"]'),
    ("contains_not filter with invalid clause",
     {"filters": [["contains_not", "event:name", "foo"]]},
     '#/filters/0: Invalid filter ["contains_not", "event:name", "foo"]'),
    ("matches_wildcard is not public", {"filters": [["matches_wildcard", "event:name", ["foo"]]]},
     '#/filters/0: Invalid filter ["matches_wildcard", "event:name", ["foo"]]'),
    ("too short filter []", {"filters": [[]]}, "#/filters/0: Invalid filter []"),
    ("too short filter and", {"filters": [["and"]]}, '#/filters/0: Invalid filter ["and"]'),
    ("too short filter or", {"filters": [["or"]]}, '#/filters/0: Invalid filter ["or"]'),
    ("too short filter and []", {"filters": [["and", []]]},
     '#/filters/0: Invalid filter ["and", []]'),
    ("too short filter or []", {"filters": [["or", []]]}, '#/filters/0: Invalid filter ["or", []]'),
    ("too short filter not", {"filters": [["not"]]}, '#/filters/0: Invalid filter ["not"]'),
    ("too short filter is_not", {"filters": [["is_not"]]},
     '#/filters/0: Invalid filter ["is_not"]'),
    ("too short filter is_not dimension", {"filters": [["is_not", "event:name"]]},
     '#/filters/0: Invalid filter ["is_not", "event:name"]'),
    ("too long filter and", {"filters": [["and", [VALID], "extra"]]},
     '#/filters/0: Invalid filter ["and", [["is", "event:props:foobar", ["value"]]], "extra"]'),
    ("too long filter or", {"filters": [["or", [VALID], []]]},
     '#/filters/0: Invalid filter ["or", [["is", "event:props:foobar", ["value"]]], []]'),
    ("too long filter not", {"filters": [["not", VALID, 1]]},
     '#/filters/0: Invalid filter ["not", ["is", "event:props:foobar", ["value"]], 1]'),
    ("too long filter with true", {"filters": [[*VALID, True]]},
     '#/filters/0: Invalid filter ["is", "event:props:foobar", ["value"], true]'),
    ("filtering by invalid operation", {"filters": [["exists?", "event:name", ["foo"]]]},
     '#/filters/0: Invalid filter ["exists?", "event:name", ["foo"]]'),
    ("invalid event filter", {"filters": [["is", "event:device", ["foo"]]]},
     '#/filters/0: Invalid filter ["is", "event:device", ["foo"]]'),
    ("invalid visit filter", {"filters": [["is", "visit:name", ["foo"]]]},
     '#/filters/0: Invalid filter ["is", "visit:name", ["foo"]]'),
    ("filters not a list", {"filters": "foobar"},
     "#/filters: Type mismatch. Expected Array but got"),
    ("numeric filter is invalid", {"filters": [["is", "visit:os_version", [123]]]},
     "Invalid filter '[\"is\", \"visit:os_version\", [123]]'."),
    ("invalid visit:country filter", {"filters": [["is", "visit:country", ["USA"]]]},
     "Invalid visit:country filter, visit:country needs to be a valid 2-letter country code."),
    ("invalid not clause", {"filters": [["not", []]]}, '#/filters/0: Invalid filter ["not", []]'),
    ("event:hostname filter not at top level",
     {"filters": [["not", ["is", "event:hostname", ["a.plausible.io"]]]]},
     "Invalid filters. Dimension `event:hostname` can only be filtered at the top level."),
    ("case_sensitive modifier is not valid for matches",
     {"filters": [["matches", "event:hostname", ["a.plausible.io"], {"case_sensitive": False}]]},
     '#/filters/0: Invalid filter ["matches", "event:hostname", ["a.plausible.io"], '
     '{"case_sensitive": false}]'),
    ("case_sensitive modifier is not valid for matches_not",
     {"filters": [["matches_not", "event:hostname", ["a.plausible.io"],
                   {"case_sensitive": False}]]},
     '#/filters/0: Invalid filter ["matches_not", "event:hostname", ["a.plausible.io"], '
     '{"case_sensitive": false}]'),
    ("include not an object", {"include": "foobar"},
     "#/include: Type mismatch. Expected Object but got"),
    ("include.time_labels without a time dimension", {"include": {"time_labels": True}},
     "Invalid include.time_labels: requires a time dimension."),
    ("include.comparisons is not public", {"include": {"comparisons": {"mode": "previous_period"}}},
     "#/include/comparisons: Schema does not allow additional properties"),
    ("out of range limit value", {"pagination": {"limit": 100_000}},
     "#/pagination/limit: Expected the value to be <= 10000"),
    ("out of range offset value", {"pagination": {"offset": -5}},
     "#/pagination/offset: Expected the value to be >= 0"),
    ("goal not configured", {"filters": [["is", "event:goal", ["Purchase"]]]},
     "The goal `Purchase` is not configured for this site. Find out how to configure goals "
     "here: https://plausible.io/docs/stats-api#filtering-by-goals"),
    ("page goal not configured", {"filters": [["is", "event:goal", ["Visit /other"]]]},
     "The goal `Visit /other` is not configured for this site."),
    ("goal filter not at top level",
     {"filters": [["or", [["is", "event:goal", ["Signup"]], ["is", "event:name", ["pageview"]]]]]},
     "Invalid filters. Dimension `event:goal` can only be filtered at the top level."),
    ("realtime is not public", {"date_range": "realtime"},
     '#/date_range: Invalid date range "realtime"'),
    ("30m is not public", {"date_range": "30m"}, '#/date_range: Invalid date range "30m"'),
    ("invalid date range foo", {"date_range": "foo"}, '#/date_range: Invalid date range "foo"'),
    ("invalid custom dates", {"date_range": ["21415-00", "eee"]},
     '#/date_range: Invalid date range ["21415-00", "eee"]'),
    ("timestamps without timezone", {"date_range": ["2021-02-03T00:00:00", "2021-02-03T23:59:59"]},
     "Invalid date_range '[\"2021-02-03T00:00:00\", \"2021-02-03T23:59:59\"]'."),
    ("invalid timestamp timezone",
     {"date_range": ["2021-02-03T00:00:00-25:00", "2021-02-03T23:59:59-25:00"]},
     '#/date_range: Invalid date range ["2021-02-03T00:00:00-25:00", "2021-02-03T23:59:59-25:00"]'),
    ("date and timestamp combined", {"date_range": ["2021-02-03T00:00:00Z", "2021-02-04"]},
     '#/date_range: Invalid date range ["2021-02-03T00:00:00Z", "2021-02-04"]'),
    ("invalid custom property dimension", {"dimensions": ["event:props:"]},
     '#/dimensions/0: Invalid dimension "event:props:"'),
    ("invalid dimension name", {"dimensions": ["visitors"]},
     '#/dimensions/0: Invalid dimension "visitors"'),
    ("bad property dimension", {"dimensions": ["badproperty"]},
     '#/dimensions/0: Invalid dimension "badproperty"'),
    ("dimensions not a list", {"dimensions": "foobar"},
     "#/dimensions: Type mismatch. Expected Array but got"),
    ("dimensions are not unique", {"dimensions": ["event:name", "event:name"]},
     "#/dimensions: Expected items to be unique but they were not."),
    ("ordering by invalid value", {"order_by": [["visssss", "desc"]]},
     '#/order_by/0/0: Invalid value in order_by "visssss"'),
    ("ordering by not queried metric", {"order_by": [["events", "desc"]]},
     "Invalid order_by entry '{:events, :desc}'. Entry is not a queried metric or dimension."),
    ("ordering by not queried dimension", {"order_by": [["event:name", "desc"]]},
     "Invalid order_by entry '{\"event:name\", :desc}'. Entry is not a queried metric or "
     "dimension."),
    ("conversion_rate on its own", {"metrics": ["conversion_rate"]},
     "Metric `conversion_rate` can only be queried with event:goal filters or dimensions."),
    ("conversion_rate with a props filter only",
     {"metrics": ["conversion_rate"], "dimensions": ["event:page"],
      "filters": [["is", "event:props:author", ["Uku"]]]},
     "Metric `conversion_rate` can only be queried with event:goal filters or dimensions."),
    ("group_conversion_rate on its own", {"metrics": ["group_conversion_rate"]},
     "Metric `group_conversion_rate` can only be queried with event:goal filters or "
     "dimensions."),
    ("not top level custom properties filter with special metric",
     {"metrics": ["conversion_rate", "group_conversion_rate"], "dimensions": ["event:goal"],
      "filters": [["not", ["is", "event:props:foo", ["bar"]]]]},
     "Invalid filters. When `conversion_rate` or `group_conversion_rate` metrics are used, "
     "custom property filters can only be used on top level."),
    ("scroll_depth on its own", {"metrics": ["scroll_depth"]},
     "Metric `scroll_depth` can only be queried with event:page filters or dimensions."),
    ("scroll_depth with only a non-top-level page filter",
     {"metrics": ["scroll_depth"], "filters": [["not", ["is", "event:page", ["/"]]]]},
     "Metric `scroll_depth` can only be queried with event:page filters or dimensions."),
    ("views_per_visit with an event:page filter",
     {"metrics": ["views_per_visit"], "filters": [["is", "event:page", ["/"]]]},
     "Metric `views_per_visit` cannot be queried with a filter on `event:page`."),
    ("views_per_visit with dimensions", {"metrics": ["views_per_visit"],
                                         "dimensions": ["event:name"]},
     "Metric `views_per_visit` cannot be queried with `dimensions`."),
    ("session metric with event:props dimension",
     {"metrics": ["bounce_rate"], "dimensions": ["event:props:foo"]},
     "Session metric(s) `bounce_rate` cannot be queried along with event dimensions."),
    ("session metric with event:name dimension",
     {"metrics": ["visitors", "bounce_rate"], "dimensions": ["event:name"]},
     "Session metric(s) `bounce_rate` cannot be queried along with event dimensions."),
    ("session metric with event:props:url dimension",
     {"metrics": ["visitors", "bounce_rate"], "dimensions": ["event:props:url"]},
     "Session metric(s) `bounce_rate` cannot be queried along with event dimensions."),
    ("time_on_page with only a behavioural filter",
     {"metrics": ["time_on_page"], "filters": [["has_done", ["is", "event:page", ["/"]]]]},
     "Metric `time_on_page` can only be queried with event:page filters or dimensions."),
    ("empty body", None, "#: Required properties site_id, metrics, date_range were not present."),
    ("behavioural filter on a visit dimension",
     {"filters": [["has_done", ["is", "visit:source", ["Google"]]]]},
     "Invalid filters. Behavioral filters (has_done, has_not_done, sequence) can only be used "
     "with event dimension filters."),
    ("nested behavioural filters",
     {"filters": [["has_done", ["has_not_done", ["is", "event:name", ["Signup"]]]]]},
     "Invalid filters. Behavioral filters (has_done, has_not_done, sequence) cannot be nested."),
    ("sequence with a visit dimension in its steps",
     {"filters": [["sequence", [["is", "visit:source", ["Google"]],
                                ["is", "event:name", ["Signup"]]]]]},
     "Invalid filters. Behavioral filters (has_done, has_not_done, sequence) can only be used "
     "with event dimension filters"),
    ("sequence nested inside has_done",
     {"filters": [["has_done", ["sequence", [["is", "event:page", ["/pricing"]],
                                             ["is", "event:name", ["Signup"]]]]]]},
     "Invalid filters. Behavioral filters (has_done, has_not_done, sequence) cannot be nested"),
    ("sequence wrapped in not",
     {"filters": [["not", ["sequence", [["is", "event:page", ["/pricing"]],
                                        ["is", "event:name", ["Signup"]]]]]]},
     "sequence filters cannot be wrapped in not"),
    ("date range beyond what can be counted", {"date_range": ["0001-01-01", "9999-12-31"]},
     "#/date_range:"),
]


@pytest.mark.parametrize(("patch", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_plausible_refuses_it(site, patch, message):
    site.goal(event_name="Signup")
    site.goal(page_path="/thank-you")
    if patch is None:
        body = {}
        try:
            site.plain.query(body)
        except ValueError as exc:
            got = str(exc)
        else:
            raise AssertionError("accepted an empty body")
    else:
        got = site.error(**{"metrics": ["visitors"], **patch})
    assert got.startswith(message) or message in got, got


ACCEPTED = [
    # queries Plausible accepts that a stricter reading might refuse
    ("session metric with event:page dimension", {"metrics": ["bounce_rate"],
                                                   "dimensions": ["event:page"]}),
    ("session metric with an event filter", {"metrics": ["bounce_rate"],
                                              "filters": [["is", "event:props:foo", ["(none)"]]]}),
    ("numbers are valid for visit:city", {"filters": [["is", "visit:city", [123, 456]]]}),
    ("case insensitive goal names", {"filters": [["is", "event:goal", ["signup"],
                                                  {"case_sensitive": False}]]}),
    ("contains goal filter", {"filters": [["contains", "event:goal", ["Sign"]]]}),
    ("nested not, and, or", {"filters": [["or", [["and", [["is", "visit:region_name",
                                                           ["Harjumaa"]],
                                                          ["is", "visit:country_name",
                                                           ["Estonia"]]]],
                                                 ["not", ["is", "visit:country_name",
                                                          ["Estonia"]]]]]]}),
    ("conversion_rate with a top-level props filter and goal dimension",
     {"metrics": ["conversion_rate", "group_conversion_rate"], "dimensions": ["event:goal"],
      "filters": [["is", "event:props:foo", ["bar"]]]}),
    ("views_per_visit with a goal filter", {"metrics": ["views_per_visit"],
                                            "filters": [["is", "event:goal", ["Signup"]]]}),
    ("include values", {"dimensions": ["time"],
                        "include": {"imports": True, "time_labels": True, "total_rows": True}}),
    ("iso8601 timestamps with zones", {"date_range": ["2024-08-29T07:12:34-07:00",
                                                      "2024-08-29T10:12:34-07:00"]}),
]


@pytest.mark.parametrize("patch", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_plausible_accepts_it(site, patch):
    site.goal(event_name="Signup")
    answer = site.answer(**{"metrics": ["visitors"], **patch})
    assert isinstance(answer["results"], list)

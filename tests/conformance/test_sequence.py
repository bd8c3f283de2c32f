"""Plausible's `sequence` behavioural filter (external_stats_controller/sequence_test.exs):
with event dimensions, the event right after the sequence; otherwise the visits in which it
happened."""

from __future__ import annotations

import pytest

from tests.conformance.harness import event, pageview

PRICING_SIGNUP = [["sequence", [["is", "event:page", ["/pricing"]],
                                ["is", "event:name", ["Signup"]]]]]


def t(minute: int, hour: int = 0) -> str:
    return f"2021-01-01 {hour:02d}:{minute:02d}:00"


def pages(site, filters, dimension="event:page"):
    return sorted(site.results(metrics=["visitors"], dimensions=[dimension], filters=filters))


def test_returns_next_event_after_a_2_step_sequence(site):
    site.seed(pageview("/pricing", user=1, time=t(0)), event("Signup", "/signup", user=1,
                                                              time=t(1)),
              pageview("/dashboard", user=1, time=t(2)),
              pageview("/pricing", user=2, time=t(0)), pageview("/other", user=2, time=t(1)),
              event("Signup", "/signup", user=3, time=t(0)), pageview("/thanks", user=3,
                                                                      time=t(1)))
    assert pages(site, PRICING_SIGNUP) == [(["/dashboard"], [1])]


def test_returns_next_event_after_a_3_step_sequence(site):
    site.seed(*(pageview(p, user=1, time=t(i)) for i, p in enumerate(["/a", "/b", "/c",
                                                                      "/result"])),
              *(pageview(p, user=2, time=t(i)) for i, p in enumerate(["/a", "/b", "/other"])))
    assert pages(site, [["sequence", [["is", "event:page", ["/a"]], ["is", "event:page", ["/b"]],
                                      ["is", "event:page", ["/c"]]]]]) == [(["/result"], [1])]


@pytest.mark.parametrize("seeded", [
    [event("Signup", "/signup", user=1, time=t(0)), pageview("/pricing", user=1, time=t(1)),
     pageview("/dashboard", user=1, time=t(2))],                       # wrong order
    [pageview("/pricing", user=1, time=t(0)), event("Signup", "/signup", user=1, time=t(1))],
    [pageview("/pricing", user=1, time=t(0)), event("Signup", user=1, time=t(0, 1)),
     pageview("/next", user=1, time=t(1, 1))],                         # another visit
], ids=["order is enforced", "no event after the sequence", "does not cross visits"])
def test_no_next_event(site, seeded):
    site.seed(*seeded)
    assert pages(site, PRICING_SIGNUP) == []


def test_returns_the_immediate_next_event(site):
    site.seed(pageview("/pricing", user=1, time=t(0)), event("Signup", "/signup", user=1,
                                                              time=t(1)),
              pageview("/step1", user=1, time=t(2)), pageview("/step2", user=1, time=t(3)))
    assert pages(site, PRICING_SIGNUP) == [(["/step1"], [1])]


def test_multiple_sessions_each_contribute_their_next_event(site):
    for user, after in ((1, "/dashboard"), (2, "/settings"), (3, "/dashboard")):
        site.seed(pageview("/pricing", user=user, time=t(0)),
                  event("Signup", "/signup", user=user, time=t(1)),
                  pageview(after, user=user, time=t(2)))
    assert pages(site, PRICING_SIGNUP) == [(["/dashboard"], [2]), (["/settings"], [1])]


def test_single_step_sequence(site):
    site.seed(pageview("/landing", user=1, time=t(0)), pageview("/next", user=1, time=t(1)),
              pageview("/landing", user=2, time=t(0)), pageview("/other-next", user=2, time=t(1)))
    assert pages(site, [["sequence", [["is", "event:page", ["/landing"]]]]]) == [
        (["/next"], [1]), (["/other-next"], [1])]


def test_step_matching_on_event_name(site):
    site.seed(event("AddToCart", user=1, time=t(0)), event("Checkout", user=1, time=t(1)),
              pageview("/confirmation", user=1, time=t(2)),
              event("Checkout", user=2, time=t(0)), pageview("/confirmation", user=2, time=t(1)))
    assert pages(site, [["sequence", [["is", "event:name", ["AddToCart"]],
                                      ["is", "event:name", ["Checkout"]]]]]) == [
        (["/confirmation"], [1])]


def test_step_with_and_on_the_same_event(site):
    for user, first in ((1, "/pricing"), (2, "/other")):
        site.seed(pageview(first, user=user, time=t(0)), event("Signup", user=user, time=t(1)),
                  pageview("/done", user=user, time=t(2)))
    assert pages(site, [["sequence", [["and", [["is", "event:page", ["/pricing"]],
                                               ["is", "event:name", ["pageview"]]]],
                                      ["is", "event:name", ["Signup"]]]]]) == [(["/done"], [1])]


def test_sequence_with_event_name_dimension(site):
    site.seed(pageview("/pricing", user=1, time=t(0)), event("Signup", user=1, time=t(1)),
              event("Purchase", user=1, time=t(2)), event("Signup", user=2, time=t(0)),
              event("Purchase", user=2, time=t(1)))
    assert pages(site, PRICING_SIGNUP, "event:name") == [(["Purchase"], [1])]


# --- visits in which the sequence happened -------------------------------------------------

def test_restricts_visits_to_those_with_the_sequence(site):
    site.seed(pageview("/pricing", user=1, time=t(0)), event("Signup", user=1, time=t(1)),
              pageview("/pricing", user=2, time=t(0)))
    assert pages(site, PRICING_SIGNUP, "visit:source") == [(["Direct / None"], [1])]


def test_events_after_the_sequence_do_not_duplicate_visitors(site):
    site.seed(pageview("/pricing", user=1, time=t(0)), event("Signup", user=1, time=t(1)),
              pageview("/dashboard", user=1, time=t(2)), pageview("/settings", user=1, time=t(3)))
    assert pages(site, PRICING_SIGNUP, "visit:source") == [(["Direct / None"], [1])]


def test_order_is_enforced_on_visits(site):
    site.seed(event("Signup", user=1, time=t(0)), pageview("/pricing", user=1, time=t(1)))
    assert pages(site, PRICING_SIGNUP, "visit:source") == []


def test_3_step_sequence_on_visits(site):
    site.seed(*(pageview(p, user=1, time=t(i)) for i, p in enumerate(["/a", "/b", "/c"])),
              *(pageview(p, user=2, time=t(i)) for i, p in enumerate(["/a", "/b"])))
    assert pages(site, [["sequence", [["is", "event:page", ["/a"]], ["is", "event:page", ["/b"]],
                                      ["is", "event:page", ["/c"]]]]], "visit:source") == [
        (["Direct / None"], [1])]


def test_aggregate_visitors_and_visits(site):
    for user in (1, 2):
        site.seed(pageview("/pricing", user=user, time=t(0)), event("Signup", user=user,
                                                                    time=t(1)))
    site.seed(pageview("/pricing", user=3, time=t(0)))
    assert site.metrics(metrics=["visitors", "visits"], filters=PRICING_SIGNUP) == [2, 2]


def test_steps_satisfied_twice_in_one_visit_count_once(site):
    site.seed(pageview("/pricing", user=1, time=t(0)), event("Signup", user=1, time=t(1)),
              pageview("/pricing", user=1, time=t(2)), event("Signup", user=1, time=t(3)))
    assert site.metrics(metrics=["visitors"], filters=PRICING_SIGNUP) == [1]


def test_sequence_combined_with_a_top_level_event_filter(site):
    site.seed(pageview("/pricing", user=1, time=t(0)), event("Signup", user=1, time=t(1)),
              pageview("/dashboard", user=1, time=t(2)),
              pageview("/pricing", user=2, time=t(0)), event("Signup", user=2, time=t(1)))
    assert site.metrics(metrics=["visitors"],
                        filters=[*PRICING_SIGNUP, ["is", "event:page", ["/dashboard"]]]) == [1]


def test_sequence_does_not_cross_visits_on_visits(site):
    site.seed(pageview("/pricing", user=1, time=t(0)), event("Signup", user=1, time=t(0, 1)))
    assert site.metrics(metrics=["visitors"], filters=PRICING_SIGNUP) == [0]

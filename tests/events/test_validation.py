"""Plausible's Events API rules, one by one."""

import json

import pytest

from ownmedia.events.validation import (
    MAX_BODY_BYTES,
    EventValidationError,
    decode_body,
    validate,
)

DOMAINS = frozenset({"example.org", "localhost"})


def ok(**extra):
    body = {"n": "pageview", "u": "https://www.example.org/a/b?x=1", "d": "example.org"}
    body.update(extra)
    return validate(body, DOMAINS)


def bad(body, field):
    with pytest.raises(EventValidationError) as info:
        validate(body, DOMAINS)
    assert info.value.field == field
    assert info.value.as_json() == {"errors": {field: [info.value.message]}}
    return info.value


def test_short_and_long_names_are_equivalent():
    short = validate(
        {"n": "CTA Click", "u": "https://example.org/p", "d": "example.org", "r": "https://x.com/",
         "p": {"cta": "newsletter"}, "i": False, "$": {"currency": "eur", "amount": "12.50"}},
        DOMAINS,
    )
    long = validate(
        {"name": "CTA Click", "url": "https://example.org/p", "domain": "example.org",
         "referrer": "https://x.com/", "props": {"cta": "newsletter"}, "interactive": False,
         "revenue": {"currency": "EUR", "amount": 12.5}},
        DOMAINS,
    )
    assert short.name == long.name == "CTA Click"
    assert short.props == long.props == {"cta": "newsletter"}
    assert short.interactive is long.interactive is False
    assert (short.revenue_currency, short.revenue_amount) == ("EUR", "12.50")
    assert (long.revenue_currency, long.revenue_amount) == ("EUR", "12.5")


def test_hostname_drops_www_and_pathname_and_utm_come_from_url():
    ev = ok(u="https://www.example.org/post/?utm_source=news&utm_medium=email&utm_campaign=c"
              "&utm_content=top&utm_term=t")
    assert ev.hostname == "example.org"
    assert ev.pathname == "/post/"
    assert ev.utm == {"utm_source": "news", "utm_medium": "email", "utm_campaign": "c",
                      "utm_content": "top", "utm_term": "t"}


@pytest.mark.parametrize("param", ["ref", "source"])
def test_ref_and_source_act_as_utm_source(param):
    assert ok(u=f"https://example.org/?{param}=hn").utm == {"utm_source": "hn"}
    both = ok(u=f"https://example.org/?{param}=hn&utm_source=mail")
    assert both.utm["utm_source"] == "mail"


def test_name_rules():
    assert ok(n="x" * 120).name == "x" * 120
    bad({"n": "x" * 121, "u": "https://example.org/", "d": "example.org"}, "name")
    bad({"u": "https://example.org/", "d": "example.org"}, "name")
    bad({"n": "", "u": "https://example.org/", "d": "example.org"}, "name")
    assert ok(n=3).name == "3"  # Plausible stores numeric names as text
    bad({"n": ["x"], "u": "https://example.org/", "d": "example.org"}, "name")


def test_url_rules():
    base = "https://example.org/"
    assert ok(u=base + "a" * (2000 - len(base))).url
    bad({"n": "pageview", "u": base + "a" * (2001 - len(base)), "d": "example.org"}, "url")
    # bytes, not characters: 700 three-byte characters are 2,100 bytes
    bad({"n": "pageview", "u": base + "€" * 700, "d": "example.org"}, "url")
    bad({"n": "pageview", "u": "data:text/html,hi", "d": "example.org"}, "url")
    bad({"n": "pageview", "u": "/relative", "d": "example.org"}, "url")
    bad({"n": "pageview", "d": "example.org"}, "url")
    bad({"n": "pageview", "u": ["x"], "d": "example.org"}, "url")


def test_domain_rules():
    assert ok(d="www.example.org").domain == "example.org"
    assert ok(d="Example.ORG").domain == "example.org"
    error = bad({"n": "pageview", "u": "https://evil.test/", "d": "evil.test"}, "domain")
    assert "unknown domain" in error.message
    assert ok(d=None, u="https://example.org/x").domain == "example.org"  # from the URL
    assert ok(d="evil.test, example.org,localhost").domains == ["example.org", "localhost"]
    bad({"n": "pageview", "u": "file:///index.html"}, "domain")


def test_referrer_is_cut_to_2000_characters():
    assert len(ok(r="https://x.org/" + "a" * 5000).referrer) == 2000
    bad({"n": "pageview", "u": "https://example.org/", "d": "example.org", "r": 5}, "referrer")


def test_props_limits():
    assert len(ok(p={f"k{i}": "v" for i in range(40)}).props) == 30  # extra discarded
    assert ok(p={"k" * 300: "v"}).props
    bad({"n": "e", "u": "https://example.org/", "d": "example.org", "p": {"k" * 301: "v"}},
        "props")
    assert ok(p={"k": "v" * 2000}).props
    bad({"n": "e", "u": "https://example.org/", "d": "example.org", "p": {"k": "v" * 2001}},
        "props")
    bad({"n": "e", "u": "https://example.org/", "d": "example.org", "p": {"k": "é" * 1001}},
        "props")
    assert ok(p=[1, 2]).props == {}  # not an object: props dropped, event kept


def test_props_keep_scalars_only():
    raw = {"s": "x", "i": 3, "f": 1.5, "b": True, "n": None, "l": [1], "o": {}, "e": ""}
    props = ok(p=raw).props
    assert props == {"s": "x", "i": "3", "f": "1.5", "b": "true"}
    assert ok(p=json.dumps({"a": "b"})).props == {"a": "b"}  # JSON-encoded props


def test_invalid_revenue_is_dropped_but_event_kept():
    for revenue in ({"currency": "EURO", "amount": "1"}, {"currency": "EUR", "amount": "abc"},
                    {"currency": "EUR"}, "12", {"currency": "EUR", "amount": True}):
        ev = ok(**{"$": revenue})
        assert ev.revenue_amount is None and ev.revenue_currency is None


def test_interactive_must_be_boolean():
    assert ok().interactive is True
    bad({"n": "e", "u": "https://example.org/", "d": "example.org", "i": "no"}, "interactive")


def test_engagement_fields_are_clamped():
    ev = ok(n="engagement", sd=150, e=-5)
    assert (ev.scroll_depth, ev.engagement_ms) == (100, 0)
    assert ok(n="engagement", sd="x").scroll_depth is None
    assert ok(sd=50).scroll_depth is None  # only on engagement events


def test_decode_body():
    assert decode_body(b'{"n": "x"}') == {"n": "x"}
    for raw, message in ((b"not json", "not valid JSON"), (b"[1]", "must be a JSON object"),
                         (b"\xff\xfe", "not valid JSON"),
                         (b"x" * (MAX_BODY_BYTES + 1), "larger than")):
        with pytest.raises(EventValidationError) as info:
            decode_body(raw)
        assert info.value.field == "body" and message in info.value.message


def test_payload_round_trips_through_validation():
    ev = ok(p={"a": "b"}, r="https://x.org/", i=False, **{"$": {"currency": "EUR", "amount": 2}})
    again = validate(ev.payload(), DOMAINS)
    assert again.payload() == ev.payload()

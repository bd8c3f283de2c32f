"""Plausible's Events API cases (external_controller_test.exs, ingestion/request.ex and
event.ex): what an accepted request records, through the collector's own path."""

from __future__ import annotations

import json

import pytest

from ownmedia.events import EventValidationError
from tests.conformance.harness import OTHER, SITE, at
from tests.storage.backends import stored_text

MAC_CHROME_70 = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_4) AppleWebKit/537.36 (KHTML, "
                 "like Gecko) Chrome/70.0.3538.110 Safari/537.36")
T = at("2021-01-01 00:00:00")


def send(site, ua=MAC_CHROME_70, ip="192.0.2.1", **body):
    return site.send({"name": "pageview", "domain": SITE, **body}, T, ua, ip)


def source_of(site, **body) -> list:
    send(site, **body)
    return [d[0] for d, _ in site.results(metrics=["visitors"], dimensions=["visit:source"])]


def test_records_the_event(site):
    row = send(site, url="http://gigride.live/", referrer="http://m.facebook.com/")
    assert (row["hostname"], row["domain"], row["pathname"]) == ("gigride.live", SITE, "/")


def test_can_send_to_multiple_dashboards_by_listing_multiple_domains(site):
    send(site, url="http://gigride.live/", domain=f"{SITE},{OTHER}")
    for domain in (SITE, OTHER):
        assert site.metrics(site_id=domain, metrics=["pageviews"]) == [1]


def test_www_is_stripped_from_domain(site):
    assert send(site, name="custom event", url="http://gigride.live/",
                domain=f"www.{SITE}")["domain"] == SITE


def test_www_is_stripped_from_hostname(site):
    assert send(site, url="http://www.example.com/")["hostname"] == "example.com"


def test_empty_path_defaults_to_slash(site):
    assert send(site, url="http://www.example.com")["pathname"] == "/"


def test_trailing_whitespace_is_removed(site):
    assert send(site, url="http://www.example.com/path ")["pathname"] == "/path"


@pytest.mark.parametrize("ua", ["generic crawler",
                                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
                                "Gecko) HeadlessChrome/85.0.4183.83 Safari/537.36"],
                         ids=["bots and crawlers", "Headless Chrome"])
def test_bots_are_ignored(site, ua):
    assert send(site, ua=ua, url="http://www.example.com/") is None
    assert site.metrics(metrics=["pageviews"]) == [0]


def test_parses_user_agent(site):
    row = send(site, url="http://gigride.live/")
    assert (row["os"], row["os_version"], row["browser"], row["browser_version"]) == (
        "Mac", "10.13", "Chrome", "70.0")


@pytest.mark.parametrize(("referrer", "source"), [
    ("https://facebook.com", "Facebook"),
    ("https://facebook.com/page/", "Facebook"),
    ("https://gigride.live", "Direct / None"),           # internal
    ("http://localhost:4000/", "Direct / None"),         # localhost
    ("https://blog.gigride.live", "blog.gigride.live"),  # a subdomain is another source
    ("https://www.indiehackers.com/landing-page-feedback", "indiehackers.com"),  # unknown
    ("android-app://com.google.android.gm", "Gmail"),
    ("android-app://org.example.reader", "android-app://org.example.reader"),
    ("https:://twitter.com", "Direct / None"),           # malformed
], ids=["known", "trailing slash", "internal", "localhost", "subdomain", "unknown domain",
        "android app known", "android app unknown", "malformed"])
def test_referrer_sources(site, referrer, source):
    assert source_of(site, url="http://gigride.live/", referrer=referrer) == [source]


@pytest.mark.parametrize(("referrer", "cleaned"), [
    ("https://facebook.com/page/", "facebook.com/page"),
    ("https://www.indiehackers.com/page?query=param#hash", "indiehackers.com/page"),
    ("https:://twitter.com", ""),
])
def test_referrer_is_cleaned(site, referrer, cleaned):
    assert send(site, url="http://www.example.com/", referrer=referrer)["referrer"] == cleaned


def test_utm_source_overrides_referrer_source(site):
    assert source_of(site, url="http://www.example.com/?utm_source=betalist",
                     referrer="https://betalist.com/my-produxct") == ["betalist"]


def test_utm_tags_are_stored(site):
    row = send(site, url="http://www.example.com/?utm_medium=ads&utm_source=instagram"
                         "&utm_campaign=video_story")
    assert (row["utm_medium"], row["utm_source"], row["utm_campaign"]) == (
        "ads", "instagram", "video_story")


def test_can_trigger_a_custom_event(site):
    assert send(site, name="custom event", url="http://gigride.live/")["name"] == "custom event"


@pytest.mark.parametrize(("props", "stored"), [
    ({"bool_test": True, "number_test": 12}, {"bool_test": "true", "number_test": "12"}),
    ('"show-more:button"', {}),                                   # malformed: ignored
    (json.dumps({"number_test": 12}), {"number_test": "12"}),     # stringified
    (json.dumps({"wat": ["some-thing"], "other": "key"}), {"other": "key"}),
    (json.dumps({"foo": {"bar": "baz"}, "other_key": 1}), {"other_key": "1"}),
    (json.dumps({"foo": "", "other_key": True}), {"other_key": "true"}),
    (json.dumps({"foo": None, "other_key": True}), {"other_key": "true"}),
    ({"blank": "   ", "kept": "x"}, {"kept": "x"}),                # whitespace only: dropped
    (["not", "an", "object"], {}),                                # not an object: dropped
], ids=["cast to string", "malformed", "stringified", "array value", "map value",
        "empty string value", "nil value", "whitespace value", "list"])
def test_custom_props(site, props, stored):
    row = send(site, name="Signup", url="http://gigride.live/", props=props)
    assert row is not None and json.loads(row["props"]) == stored


def test_url_is_decoded(site):
    row = send(site, url="http://www.example.com/opportunity/category/%D8%AC%D9%88%D8%A7%D8%A6"
                         "%D8%B2-%D9%88%D9%85%D8%B3%D8%A7%D8%A8%D9%82%D8%A7%D8%AA")
    assert row["pathname"] == "/opportunity/category/جوائز-ومسابقات"


def test_accepts_shorthand_map_keys(site):
    row = site.send({"n": "pageview", "u": "http://www.example.com/opportunity", "d": SITE,
                     "r": "https://facebook.com/page"}, T, MAC_CHROME_70, "192.0.2.1")
    assert (row["pathname"], row["referrer_source"], row["referrer"]) == (
        "/opportunity", "Facebook", "facebook.com/page")


@pytest.mark.parametrize(("h", "path"), [(1, "/#page-a"), (0, "/")],
                         ids=["hash mode", "hash mode 0"])
def test_hash_mode(site, h, path):
    row = site.send({"n": "pageview", "u": "http://www.example.com/#page-a", "d": SITE, "h": h},
                    T, MAC_CHROME_70, "192.0.2.1")
    assert row["pathname"] == path


def test_decodes_url_pathname_and_search(site):
    row = site.send({"n": "pageview", "d": SITE, "h": 1, "u":
                     "https://test.com/%EF%BA%9D%EF%BB%AD%EF%BA%8E%EF%BA%8B%EF%BA%AF-%EF%BB%AE"
                     "%EF%BB%A4%EF%BA%B3%EF%BA%8E%EF%BA%92%EF%BB%97%EF%BA%8E%EF%BA%97"
                     "?utm_source=%25balle%25"}, T, MAC_CHROME_70, "192.0.2.1")
    assert (row["hostname"], row["pathname"], row["utm_source"]) == (
        "test.com", "/ﺝﻭﺎﺋﺯ-ﻮﻤﺳﺎﺒﻗﺎﺗ", "%balle%")


def test_double_quotes_in_query_params(site):
    row = send(site, url="https://test.com/?utm_source=Something+%22quoted%22")
    assert row["utm_source"] == 'Something "quoted"'


def test_400_when_the_url_is_missing(site):
    with pytest.raises(EventValidationError) as info:
        send(site)
    assert info.value.field == "url"


def test_400_when_domain_is_missing_and_the_url_has_no_host(site):
    with pytest.raises(EventValidationError) as info:
        site.send({"name": "pageview", "url": "about:config", "domain": None}, T,
                  MAC_CHROME_70, "192.0.2.1")
    assert info.value.field == "domain"


def test_domain_taken_from_the_url_when_absent(site):
    row = site.send({"name": "pageview", "url": f"https://{SITE}/x"}, T, MAC_CHROME_70,
                    "192.0.2.1")
    assert row["domain"] == SITE


@pytest.mark.parametrize(("ua2", "ip2", "url2", "same"), [
    (MAC_CHROME_70, "127.0.0.1", "https://user-id-test-domain.com/", True),
    (MAC_CHROME_70, "10.32.12.1", "https://user-id-test-domain.com/", False),
    (MAC_CHROME_70 + "!!", "127.0.0.1", "https://user-id-test-domain.com/", False),
    (MAC_CHROME_70, "127.0.0.1", "https://other-domain.com/", False),
    (MAC_CHROME_70, "127.0.0.1", "https://app.user-id-test-domain.com/", True),
], ids=["same IP and user agent", "different IP", "different user agent",
        "different hostname", "same root domain"])
def test_user_id_generation(site, ua2, ip2, url2, same):
    one = site.send({"name": "pageview", "url": "https://user-id-test-domain.com/",
                     "domain": SITE}, T, MAC_CHROME_70, "127.0.0.1")
    two = site.send({"name": "pageview", "url": url2, "domain": SITE}, T + 1, ua2, ip2)
    assert (one["visitor_id"] == two["visitor_id"]) is same


def test_different_domain_value_results_in_different_user_id(site):
    one = send(site, url="https://user-id-test-domain.com/", ip="127.0.0.1")
    two = send(site, url="https://user-id-test-domain.com/", ip="127.0.0.1", domain=OTHER)
    assert one["visitor_id"] != two["visitor_id"]


def test_defaults_hostname_to_none_when_missing(site):
    row = send(site, url="file:///android_asset/www/index.html")
    assert row["hostname"] == "(none)"


def test_accepts_chrome_extension_urls(site):
    row = send(site, url="chrome-extension://liipgellkffekalgefpjolodblggkmjg/popup.html")
    assert row["hostname"] == "liipgellkffekalgefpjolodblggkmjg"


def test_numeric_name_is_a_string(site):
    assert send(site, name=123, url="http://gigride.live/")["name"] == "123"


def test_missing_user_agent_is_recorded_with_unknown_device(site):
    send(site, ua=None, url="http://gigride.live/")
    assert site.results(metrics=["visitors"], dimensions=["visit:device"]) == [
        (["(not set)"], [1])]


def test_engagement_without_sd_and_e_is_a_400(site):
    send(site, url="http://gigride.live/")
    with pytest.raises(EventValidationError) as info:
        send(site, name="engagement", url="http://gigride.live/")
    assert info.value.field == "engagement"


def test_negative_scroll_depth_is_missing(site):
    send(site, url="http://gigride.live/")
    row = send(site, name="engagement", url="http://gigride.live/", sd=-1, e=500)
    assert (row["scroll_depth"], row["engagement_ms"]) == (None, 500)


def test_the_ip_is_never_stored(site):
    send(site, url="http://gigride.live/", ip="203.0.113.77")
    dump = stored_text(site.data_dir, site.config.storage.url)
    assert "gigride.live" in dump
    assert "203.0.113.77" not in dump

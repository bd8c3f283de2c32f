"""Plausible's geolocation cases (external_controller_test "looks up location data from the ip
address", "ignores unknown country code ZZ"; query_test "breakdown by visit:country",
"handles filtering by visit:country / visit:city") against a small MMDB written for the test
in the GeoLite2-City layout, the format Plausible CE reads."""

from __future__ import annotations

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from ownmedia.events.geo import GeoLookup
from tests.conformance.harness import SITE, Site, at, pageview
from tests.storage.backends import empty_event_tables, stored_text


@pytest.fixture()
def geo_site(tmp_path, storage_url, shared_stores):
    writer = MMDBWriter(ip_version=6, database_type="GeoLite2-City", ipv4_compatible=True)
    writer.insert_network(IPSet(["2.2.2.0/24"]), {
        "country": {"iso_code": "FR"}, "city": {"geoname_id": 2_988_507},
        "subdivisions": [{"iso_code": "IDF"}, {"iso_code": "75"}]})
    writer.insert_network(IPSet(["1.1.1.0/24", "1:1:1:1::/64"]), {"country": {"iso_code": "US"}})
    writer.insert_network(IPSet(["0.0.0.0/30"]), {"country": {"iso_code": "ZZ"}})
    writer.insert_network(IPSet(["10.0.0.0/16"]), {"country": {"iso_code": "EE"},
                                                   "city": {"geoname_id": 588_409}})
    writer.insert_network(IPSet(["10.1.0.0/16"]), {"country": {"iso_code": "IT"},
                                                   "city": {"geoname_id": 689_123}})
    path = tmp_path / "geo.mmdb"
    writer.to_db_file(str(path))
    geo = GeoLookup(path)
    empty_event_tables(storage_url)
    site = Site(tmp_path / "data", geo=geo, storage_url=storage_url, shared=shared_stores)
    yield site
    site.close()
    geo.close()


def send(site, ip):
    return site.send({"name": "pageview", "url": "http://gigride.live/", "domain": SITE},
                     at("2021-01-01 00:00:00"), None, ip)


def test_looks_up_location_data_from_the_ip_address(geo_site):
    row = send(geo_site, "2.2.2.2")
    assert (row["v_country"], row["v_region"], row["v_city"]) == ("FR", "FR-IDF", 2_988_507)
    assert geo_site.results(metrics=["visitors"], dimensions=[
        "visit:country", "visit:country_name", "visit:region", "visit:region_name",
        "visit:city"]) == [(["FR", "France", "FR-IDF", "Île-de-France", 2_988_507], [1])]


def test_ignores_unknown_country_code_zz(geo_site):
    assert send(geo_site, "0.0.0.1")["v_country"] == ""


@pytest.mark.parametrize("ip", ["1.1.1.1", "1:1:1:1:1:1:1:1"], ids=["ipv4", "ipv6"])
def test_country_of_an_address(geo_site, ip):
    assert send(geo_site, ip)["v_country"] == "US"


def test_breakdown_by_visit_country(geo_site):
    geo_site.seed(pageview(user=1, time="2021-01-01 00:00:00"),
                  pageview(user=1, time="2021-01-01 00:25:00"),
                  pageview(user=65536 + 1, time="2021-01-01 00:00:00"))  # 10.1.0.1: IT
    assert geo_site.results(metrics=["visitors"], dimensions=["visit:country"]) == [
        (["EE"], [1]), (["IT"], [1])]


def test_filtering_by_visit_country_and_city(geo_site):
    geo_site.seed(*(pageview(user=i) for i in (1, 2, 3)), pageview(user=65536 + 1))
    assert geo_site.metrics(metrics=["pageviews"],
                            filters=[["is", "visit:country", ["EE"]]]) == [3]
    assert geo_site.metrics(metrics=["pageviews"],
                            filters=[["contains", "visit:country", ["E"]]]) == [3]
    assert geo_site.metrics(metrics=["pageviews"],
                            filters=[["is", "visit:city", [588_409, 689_123]]]) == [4]


def test_the_ip_is_not_stored_with_the_location(geo_site):
    send(geo_site, "2.2.2.2")
    if not geo_site.config.storage.url:
        raw = (geo_site.data_dir / "events.sqlite3").read_bytes()
        assert b"2.2.2.2" not in raw
    dump = stored_text(geo_site.data_dir, geo_site.config.storage.url)
    assert "FR" in dump
    assert "2.2.2.2" not in dump

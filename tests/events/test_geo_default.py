"""The default geolocation database: DB-IP Lite country, installed by `make setup` (npm), used
when `[analytics] geoip_database` is left empty, so a fresh install (and `make demo`) has
countries. The owner's setting wins; with no database at all geolocation is off, said once."""

from __future__ import annotations

import logging
import os

import pytest

from ownmedia.events.geo import DEFAULT_DATABASE, open_geo
from tests.conformance.harness import SITE, Site, at

# addresses whose country has been stable for years: a public resolver, a national ISP block
KNOWN = {"8.8.8.8": "US", "2a01:e0a::1": "FR"}


@pytest.fixture()
def default_geo():
    if not DEFAULT_DATABASE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the default country database is missing ({DEFAULT_DATABASE}): "
                        "`make setup` installs it with npm")
        pytest.skip("default country database not installed (run `make setup`)")
    geo = open_geo("")
    assert geo is not None and geo.path == DEFAULT_DATABASE
    yield geo
    geo.close()


@pytest.mark.parametrize("ip", KNOWN)
def test_an_event_from_a_public_ip_gets_its_country(tmp_path, default_geo, ip):
    site = Site(tmp_path / "data", geo=default_geo)
    try:
        row = site.send({"name": "pageview", "url": "http://gigride.live/", "domain": SITE},
                        at("2021-01-01 00:00:00"), None, ip)
        assert row["v_country"] == KNOWN[ip]
        assert site.results(metrics=["visitors"], dimensions=["visit:country"]) == [
            ([KNOWN[ip]], [1])]
    finally:
        site.close()


def test_a_private_address_has_no_country(default_geo):
    assert default_geo.lookup("10.1.2.3") == ("", "", 0)


def test_the_owners_setting_wins(tmp_path, caplog):
    missing = tmp_path / "nowhere.mmdb"
    with caplog.at_level(logging.INFO, logger="ownmedia.events"):
        assert open_geo(str(missing)) is None
    assert [r.getMessage() for r in caplog.records if str(missing) in r.getMessage()]


def test_no_database_at_all_turns_geolocation_off_with_one_log_line(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="ownmedia.events"):
        assert open_geo("", default=tmp_path / "absent.mmdb") is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "geolocation off" in lines[0]

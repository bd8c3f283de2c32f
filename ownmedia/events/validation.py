"""Validation of a Plausible Events API body, with Plausible's limits.

Kept free of I/O so it can be tested (and fuzzed) on its own: it turns a decoded JSON body into
a `ValidEvent` or raises `EventValidationError` naming the field, which the endpoint answers
with 400 {"errors": {field: message}}."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_BODY_BYTES = 64 * 1024
MAX_NAME_CHARS = 120
MAX_URL_BYTES = 2000
MAX_REFERRER_CHARS = 2000
MAX_PROPS = 30
MAX_PROP_KEY_BYTES = 300
MAX_PROP_VALUE_BYTES = 2000

# long name -> short name, as the tracker may send either
ALIASES = {
    "name": "n",
    "url": "u",
    "domain": "d",
    "referrer": "r",
    "props": "p",
    "revenue": "$",
    "interactive": "i",
}
NO_HOST = "(none)"  # Plausible's hostname for a URL without one (file:, app: pages)
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


class EventValidationError(ValueError):
    """A rejected event; `field` is the long name of the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def as_json(self) -> dict:
        return {"errors": {self.field: [self.message]}}


@dataclass
class ValidEvent:
    """An event that passed validation, normalised to long names."""

    name: str
    url: str
    domain: str  # the first of `domains`
    hostname: str
    pathname: str
    referrer: str = ""
    props: dict[str, str] = field(default_factory=dict)
    revenue_amount: str | None = None
    revenue_currency: str | None = None
    interactive: bool = True
    scroll_depth: int | None = None
    engagement_ms: int | None = None
    utm: dict[str, str] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)  # every known site the event is for
    paid_click: bool = False  # the URL carries an ad click id (gclid, msclkid): paid search

    def payload(self) -> dict:
        """The normalised body, as forwarded upstream."""
        body: dict = {"name": self.name, "url": self.url, "domain": self.domain}
        if self.referrer:
            body["referrer"] = self.referrer
        if self.props:
            body["props"] = self.props
        if self.revenue_amount is not None:
            body["revenue"] = {"amount": self.revenue_amount, "currency": self.revenue_currency}
        if not self.interactive:
            body["interactive"] = False
        if self.scroll_depth is not None:
            body["sd"] = self.scroll_depth
        if self.engagement_ms is not None:
            body["e"] = self.engagement_ms
        return body


def decode_body(raw: bytes) -> dict:
    """JSON (whatever the Content-Type: the tracker sends text/plain) to a dict."""
    if len(raw) > MAX_BODY_BYTES:
        raise EventValidationError("body", f"larger than {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")  # strict: no encoded surrogates (json.loads would pass them)
    except UnicodeDecodeError:
        raise EventValidationError("body", "not valid JSON: not UTF-8") from None
    try:
        data = _decode_json(text)
    except (ValueError, RecursionError):
        raise EventValidationError("body", "not valid JSON") from None
    if not isinstance(data, dict):
        raise EventValidationError("body", "must be a JSON object")
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):  # only escapes can now
        raise EventValidationError("body", "contains an unpaired surrogate (\\ud800-\\udfff)")
    return data


_decode_json = json.JSONDecoder().decode
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(data: object) -> bool:
    """SQLite cannot store a lone surrogate: the insert would fail after validation."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return True
    return False


def _get(data: dict, long: str) -> object:
    value = data.get(ALIASES[long])  # the tracker's short names first, as Plausible reads them
    return data.get(long) if value is None else value


def _host(host: str) -> str:
    host = host.strip().lower()
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=4096)
def _parse_url(url: str, hash_mode: bool = False
               ) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(hostname without www., pathname, utm pairs) of an event URL; cached because a site's
    pages repeat in every request. Like Plausible, the path is percent-decoded and stripped of
    trailing blanks, a URL without a host has the hostname "(none)", and in hash mode (`h: 1`,
    single-page apps routing on the fragment) the fragment is part of the page."""
    try:
        parts = urlsplit(url)
        hostname = _host(parts.hostname or "")
    except ValueError:
        raise EventValidationError("url", "not a valid URL") from None
    if parts.scheme.lower() == "data":
        raise EventValidationError("url", "data: URLs are not accepted")
    if not parts.scheme:
        raise EventValidationError("url", "must be an absolute URL (https://host/path)")
    pathname = unquote(parts.path or "/", errors="replace").rstrip() or "/"
    if hash_mode and parts.fragment:
        pathname += "#" + unquote(parts.fragment, errors="replace")
    utm: dict[str, str] = {}
    query = parts.query
    if query and ("utm_" in query or "ref=" in query or "source=" in query):
        for key, value in parse_qsl(query, keep_blank_values=False):
            if key in UTM_KEYS and key not in utm:
                utm[key] = value[:2000]
            elif key in ("ref", "source") and "utm_source" not in utm:
                utm.setdefault("_ref", value[:2000])
        if "_ref" in utm:
            utm.setdefault("utm_source", utm.pop("_ref"))
    if "gclid=" in query or "msclkid=" in query:
        utm["_paid_click"] = "1"
    return hostname or NO_HOST, pathname, tuple(utm.items())


def validate(data: dict, domains: frozenset[str] | set[str]) -> ValidEvent:
    """Check a decoded body against Plausible's rules and our configured domains."""
    name = _get(data, "name")
    if isinstance(name, int | float) and not isinstance(name, bool):
        name = str(name)  # Plausible stores a numeric name as its text
    if not isinstance(name, str) or not name.strip():
        raise EventValidationError("name", "required, a non-empty string")
    if len(name) > MAX_NAME_CHARS:
        raise EventValidationError("name", f"at most {MAX_NAME_CHARS} characters")

    url = _get(data, "url")
    if not isinstance(url, str) or not url.strip():
        raise EventValidationError("url", "required, a non-empty string")
    if len(url.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
        raise EventValidationError("url", f"at most {MAX_URL_BYTES} bytes")
    if "\x00" in url or "\x00" in name:
        raise EventValidationError("url" if "\x00" in url else "name", "contains a NUL character")
    hash_mode = (data.get("h") if data.get("h") is not None else data.get("hashMode")) in (
        1, True, "1")
    hostname, pathname, utm_items = _parse_url(url.strip(), hash_mode)
    utm = dict(utm_items)
    paid_click = utm.pop("_paid_click", None) is not None
    known = _domains(_get(data, "domain"), hostname, domains)

    referrer = _get(data, "referrer")
    if referrer is None:
        referrer = ""
    if not isinstance(referrer, str):
        raise EventValidationError("referrer", "must be a string")
    referrer = referrer[:MAX_REFERRER_CHARS].replace("\x00", "")

    interactive = _get(data, "interactive")
    if interactive is None:
        interactive = True
    if not isinstance(interactive, bool):
        raise EventValidationError("interactive", "must be true or false")

    event = ValidEvent(
        name=name,
        url=url.strip(),
        domain=known[0],
        domains=known,
        hostname=hostname,
        pathname=pathname,
        referrer=referrer,
        props=_props(next((data[k] for k in ("m", "meta", "p", "props")
                           if data.get(k) is not None), None)),
        interactive=interactive,
        utm=utm,
        paid_click=paid_click,
    )
    event.revenue_amount, event.revenue_currency = _revenue(_get(data, "revenue"))
    if name == "engagement":
        if data.get("sd") is None and data.get("e") is None:
            raise EventValidationError(
                "engagement", "an engagement event needs its scroll depth (sd) or engaged "
                "time (e)")
        sd = data.get("sd")
        # a negative depth is the tracker's "not measured", not 0 % (Plausible stores it as
        # missing); above 100 is clamped
        event.scroll_depth = None if isinstance(sd, int | float) and not isinstance(sd, bool) \
            and sd < 0 else _bounded_int(sd, 0, 100)
        event.engagement_ms = _bounded_int(data.get("e"), 0, 24 * 3600 * 1000)
    return event


def _domains(raw: object, hostname: str, domains: frozenset[str] | set[str]) -> list[str]:
    """The known sites an event is for: a comma-separated `domain` records it for each of them
    (Plausible's roll-up sites); without a domain, the URL's host names the site."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if hostname == NO_HOST:
            raise EventValidationError("domain", "required, a non-empty string")
        raw = hostname
    if not isinstance(raw, str):
        raise EventValidationError("domain", "required, a non-empty string")
    wanted = [_host(d) for d in raw.split(",") if d.strip()]
    known = list(dict.fromkeys(d for d in wanted if d in domains))
    if not known:
        raise EventValidationError("domain", f"unknown domain {raw.strip()[:100]!r}")
    return known


def _props(raw: object) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, str):  # some trackers send the props object JSON-encoded
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return {}
    if not isinstance(raw, dict):
        return {}  # Plausible keeps the event and drops props that are not an object
    props: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                continue
            value = str(value)
        elif not isinstance(value, str) or not value.strip():
            continue  # Plausible drops non-scalar, empty and blank values
        if not key.strip():
            continue
        if len(key.encode("utf-8", "surrogatepass")) > MAX_PROP_KEY_BYTES:
            raise EventValidationError("props", f"key longer than {MAX_PROP_KEY_BYTES} bytes")
        if len(value.encode("utf-8", "surrogatepass")) > MAX_PROP_VALUE_BYTES:
            raise EventValidationError("props", f"value longer than {MAX_PROP_VALUE_BYTES} bytes")
        if "\x00" in key or "\x00" in value:
            raise EventValidationError("props", "contains a NUL character")
        if len(props) < MAX_PROPS:
            props[key] = value
    return props


def _revenue(raw: object) -> tuple[str | None, str | None]:
    """Invalid revenue is dropped, the event kept (Plausible's rule)."""
    if not isinstance(raw, dict):
        return None, None
    currency, amount = raw.get("currency"), raw.get("amount")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isascii()):
        return None, None
    if isinstance(amount, bool) or not isinstance(amount, str | int | float):
        return None, None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return None, None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        return None, None
    return str(value), currency.upper()


def _bounded_int(raw: object, low: int, high: int) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    return max(low, min(high, int(raw)))

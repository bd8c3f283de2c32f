"""The CTA registry (pelicanconf `CTAS`): parsed and checked once per build, so a typo in a
label, a revenue or a style stops the build with a message naming the CTA, and the rest of the
plugin works on plain, already-valid objects.

This module has no Pelican dependency: `ownmedia ctas` and the tests use it directly."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# ids end up in class names (`plausible-event-cta=<id>`): no spaces, no `+`, no `=`.
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
STYLES = ("button", "link")
KNOWN_KEYS = {"label", "url", "goal", "revenue", "utm", "style", "text"}


class CTAError(Exception):
    """A CTA problem a site author can fix; the message names what and where."""


@dataclass(frozen=True)
class CTA:
    """One registry entry, validated. `url` may be "" (reported where the CTA is placed)."""

    id: str
    label: dict[str, str]
    url: str = ""
    goal: str = ""
    revenue: tuple[str, str] | None = None  # (amount, currency)
    utm: bool = True
    style: str = "button"
    text: dict[str, str] = field(default_factory=dict)

    def label_for(self, lang: str, default_lang: str = "fr") -> str:
        """The label in `lang`, else the site's default language, else any."""
        return _pick(self.label, lang, default_lang)

    def text_for(self, lang: str, default_lang: str = "fr") -> str:
        return _pick(self.text, lang, default_lang) if self.text else ""


def _pick(values: dict[str, str], lang: str, default_lang: str) -> str:
    for key in (lang, default_lang, "fr", "en"):
        if key in values:
            return values[key]
    return next(iter(values.values()))


def _lang_map(value: object, where: str) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"*": value}
    if isinstance(value, dict) and value and all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        return dict(value)
    raise CTAError(f"{where} must be a non-empty text or a {{'fr': ..., 'en': ...}} mapping")


def parse_cta(cta_id: object, raw: object) -> CTA:
    """Check one `CTAS` entry and return it as a CTA."""
    where = f"CTAS[{cta_id!r}]"
    if not isinstance(cta_id, str) or not ID_RE.match(cta_id):
        raise CTAError(
            f"{where}: a CTA id is lowercase letters, digits, '-' or '_' (at most 64), "
            "because it is written into class names"
        )
    if not isinstance(raw, dict):
        raise CTAError(f"{where} must be a mapping with at least 'label' and 'url'")
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise CTAError(f"{where}: unknown key(s) {', '.join(unknown)} "
                       f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    if "label" not in raw:
        raise CTAError(f"{where} has no 'label'")
    label = _lang_map(raw["label"], f"{where}['label']")
    text = _lang_map(raw["text"], f"{where}['text']") if raw.get("text") else {}
    url = raw.get("url") or ""
    if not isinstance(url, str):
        raise CTAError(f"{where}['url'] must be text")
    url = url.strip()
    if url:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("", "http", "https", "mailto") and not url.startswith("{"):
            raise CTAError(f"{where}['url'] {url!r}: only http(s), mailto or site paths")
    goal = raw.get("goal") or ""
    if not isinstance(goal, str):
        raise CTAError(f"{where}['goal'] must be text")
    revenue = None
    if raw.get("revenue") is not None:
        revenue = _parse_revenue(raw["revenue"], f"{where}['revenue']")
    utm = raw.get("utm", True)
    if not isinstance(utm, bool):
        raise CTAError(f"{where}['utm'] must be True or False")
    style = raw.get("style", "button")
    if style not in STYLES:
        raise CTAError(f"{where}['style'] must be one of {', '.join(STYLES)}, not {style!r}")
    return CTA(cta_id, label, url, goal.strip(), revenue, utm, style, text)


def _parse_revenue(raw: object, where: str) -> tuple[str, str]:
    if not isinstance(raw, dict) or set(raw) != {"amount", "currency"}:
        raise CTAError(f"{where} must be {{'amount': '5.00', 'currency': 'EUR'}}")
    amount, currency = raw["amount"], raw["currency"]
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise CTAError(f"{where}['amount'] {amount!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise CTAError(f"{where}['amount'] must be a positive number")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise CTAError(f"{where}['currency'] must be an ISO 4217 code such as 'EUR'")
    return str(amount), currency


def parse_registry(raw: object) -> dict[str, CTA]:
    """Check the whole `CTAS` setting."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CTAError("CTAS must be a mapping of CTA id -> settings")
    return {cta_id: parse_cta(cta_id, entry) for cta_id, entry in raw.items()}


def parse_goal_pages(raw: object) -> dict[str, str]:
    """`CTA_GOAL_PAGES = {"/merci/": "Newsletter signup"}`: page paths counted as goals."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CTAError("CTA_GOAL_PAGES must be a mapping of page path -> goal name")
    for path, name in raw.items():
        if not isinstance(path, str) or not path.startswith("/"):
            raise CTAError(f"CTA_GOAL_PAGES: {path!r} must be a site path starting with '/'")
        if not isinstance(name, str) or not name.strip():
            raise CTAError(f"CTA_GOAL_PAGES[{path!r}] must name the goal")
    return dict(raw)


def goal_definitions(ctas: dict[str, CTA], goal_pages: dict[str, str]) -> list[dict]:
    """Goals in the shape of Plausible's Sites API (`PUT /api/v1/sites/goals`): the CTA Click
    event, and each internal landing page declared a conversion."""
    goals: list[dict] = []
    if ctas:
        goals.append({"goal_type": "event", "event_name": "CTA Click",
                      "display_name": "CTA Click"})
    for path, name in goal_pages.items():
        goals.append({"goal_type": "page", "page_path": path, "display_name": name})
    return goals


def site_host(siteurl: str) -> str:
    return urlsplit(siteurl or "").hostname or ""


def is_external(url: str, siteurl: str = "") -> bool:
    """An absolute http(s) URL whose host is not the site's."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    own = site_host(siteurl)
    return not own or parts.hostname.lower().removeprefix("www.") != own.removeprefix("www.")


def with_utm(url: str, *, source: str, campaign: str, content: str) -> str:
    """Add utm_source/medium/campaign/content; parameters the author already wrote win."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    extra = [("utm_source", source), ("utm_medium", "cta"), ("utm_campaign", campaign),
             ("utm_content", content)]
    query += [(k, v) for k, v in extra if k not in present and v]
    return urlunsplit(parts._replace(query=urlencode(query)))


def utm_source(settings: dict) -> str:
    """utm_source = the site: CTA_UTM_SOURCE, else the analytics domain, else SITEURL's host,
    else SITENAME."""
    analytics = settings.get("ANALYTICS") or {}
    return (settings.get("CTA_UTM_SOURCE") or analytics.get("domain")
            or site_host(settings.get("SITEURL", "")) or settings.get("SITENAME", ""))

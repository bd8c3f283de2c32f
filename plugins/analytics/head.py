"""What the ANALYTICS setting puts into every page's <head> (`ANALYTICS_HEAD`).

    ANALYTICS = {"provider": "ownmedia" | "plausible" | None, "domain": ..., "script": ...,
                 "endpoint": ..., "track_localhost": False, "track_automation": False}

- "ownmedia": our first-party tracker (ownmedia/static/tracker.js, shipped with the plugins)
  posting to the engagement service's Events API.
- "plausible": the owner's Plausible script (tagged-events variant); the tagged markup of CTAs
  and share links is counted unchanged. A few lines add the 404 and Print events the page
  types call for, which Plausible's script does not send by itself.
- None: nothing at all, so the site makes no tracking request.

This module has no Pelican dependency."""

from __future__ import annotations

import hashlib
from html import escape

PROVIDERS = ("ownmedia", "plausible", None)
KNOWN_KEYS = {"provider", "domain", "script", "endpoint", "track_localhost", "track_automation"}

# Plausible's documented queue stub: pages may call plausible() before the script has loaded.
QUEUE_STUB = ("<script>window.plausible=window.plausible||function(){"
              "(plausible.q=plausible.q||[]).push(arguments)}</script>")

# With a real Plausible script: the events our page types carry that its script has no
# extension for (the 404 template call Plausible documents, and printing).
PLAUSIBLE_EXTRAS = (
    "<script>addEventListener('DOMContentLoaded',function(){var b=document.body.dataset,"
    "p=b.ownmediaPost,t=b.ownmediaPage,f=function(v){plausible('Print',{props:{post:p,via:v}})};"
    "if(t=='404')plausible('404',{props:{path:location.pathname}});"
    "if(t=='print')f('print-view');addEventListener('beforeprint',function(){f('beforeprint')})"
    "})</script>"
)


# The privacy page's `<button data-ownmedia-optout>`: toggles the flag both our tracker and
# Plausible's script honour (localStorage.plausible_ignore), shows the state in FR or EN.
OPTOUT = (
    "<script>addEventListener('DOMContentLoaded',function(){var k='plausible_ignore',"
    "fr=document.documentElement.lang=='fr';"
    "document.querySelectorAll('[data-ownmedia-optout]').forEach(function(b){"
    "var t=b.textContent,s=function(){var o=localStorage.getItem(k)=='true';"
    "b.setAttribute('aria-pressed',o);b.textContent=o?(fr?'Mesure d\u00e9sactiv\u00e9e "
    "pour ce navigateur (cliquer pour la r\u00e9activer)':'Measurement off for this browser "
    "(click to turn it back on)'):t};"
    "try{s();b.onclick=function(){localStorage.getItem(k)=='true'?localStorage.removeItem(k)"
    ":localStorage.setItem(k,'true');s()}}catch(e){b.disabled=true}})})</script>"
)


class AnalyticsError(ValueError):
    """ANALYTICS is malformed; the message names the key."""


def check(analytics: object) -> dict:
    """Validate the ANALYTICS setting and return it with defaults filled in."""
    if analytics is None:
        return {"provider": None}
    if not isinstance(analytics, dict):
        raise AnalyticsError("ANALYTICS must be a mapping such as {'provider': 'ownmedia', ...}")
    unknown = sorted(set(analytics) - KNOWN_KEYS)
    if unknown:
        raise AnalyticsError(f"ANALYTICS: unknown key(s) {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    provider = analytics.get("provider")
    if provider not in PROVIDERS:
        raise AnalyticsError(f"ANALYTICS['provider'] must be 'ownmedia', 'plausible' or None, "
                             f"not {provider!r}")
    out = dict(analytics)
    if provider is None:
        return out
    domain = analytics.get("domain")
    if not isinstance(domain, str) or not domain.strip() or "/" in domain:
        raise AnalyticsError("ANALYTICS['domain'] is required: the site id, e.g. 'example.org'")
    for key in ("script", "endpoint"):
        value = analytics.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise AnalyticsError(f"ANALYTICS[{key!r}] must be a URL or path")
    if provider == "plausible" and not analytics.get("script"):
        raise AnalyticsError("ANALYTICS['script'] is required with provider 'plausible': the "
                             "URL of your Plausible script (tagged-events variant)")
    for key in ("track_localhost", "track_automation"):
        if not isinstance(analytics.get(key, False), bool):
            raise AnalyticsError(f"ANALYTICS[{key!r}] must be True or False")
    if provider == "ownmedia":
        out.setdefault("endpoint", "/api/event")
    return out


def _tracker_src(settings: dict) -> str:
    """The tracker shipped with the plugins (copied to the output whatever the theme), with
    a content hash so that a new version is not served stale."""
    from ownmedia.pelican_support import STATIC_DIR, static_url

    path = STATIC_DIR / "tracker.js"
    return static_url(settings, "tracker.js") + "?v=" + \
        hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def head_html(settings: dict) -> str:
    """The HTML for <head>, from the Pelican settings (ANALYTICS, SITEURL, ENGAGEMENT_URL)."""
    analytics = check(settings.get("ANALYTICS"))
    provider = analytics.get("provider")
    if provider is None:
        return ""
    endpoint = analytics.get("endpoint") or ""
    engagement = (settings.get("ENGAGEMENT_URL") or "").rstrip("/")
    if endpoint.startswith("/") and engagement:
        endpoint = engagement + endpoint
    attrs = [f'data-domain="{escape(analytics["domain"])}"']
    if endpoint:
        attrs.append(f'data-api="{escape(endpoint)}"')
    if provider == "ownmedia":
        if analytics.get("track_localhost"):
            attrs.append("data-include-localhost")
        if analytics.get("track_automation"):
            attrs.append("data-include-automation")
        src = analytics.get("script") or _tracker_src(settings)
        extras = ""
    else:
        src = analytics["script"]
        extras = PLAUSIBLE_EXTRAS
    return "\n".join([QUEUE_STUB, f'<script defer {" ".join(attrs)} src="{escape(src)}"></script>',
                      *([extras] if extras else []), OPTOUT])

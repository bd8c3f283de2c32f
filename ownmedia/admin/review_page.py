"""/admin/review: the review of `ownmedia review`, live, for a period chosen on the page.

The report is built by the same code as the command line, its Stats API queries sent to this
very service in-process (httpx's ASGITransport on the running app, with the in-process key
that lives only in memory); the page is the review's self-contained HTML with a GET form on
top (bookmarkable periods), so nothing is loaded from another origin."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime
from html import escape
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ownmedia.review.client import EMBEDDED_URL, StatsClient, StatsError
from ownmedia.review.html import render_html
from ownmedia.review.model import Costs, Period, build_report, parse_period
from ownmedia.stats.api import INTERNAL_KEY

CHOICES = (("7d", "7 days / 7 jours"), ("30d", "30 days / 30 jours"),
           ("6mo", "6 months / 6 mois"), ("12mo", "12 months / 12 mois"))
FORM_CSS = (".period{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;"
            "margin:0 0 1rem}.period label{display:block;font-weight:600}"
            ".period select,.period input,.period button{font:inherit;min-height:44px;"
            "padding:.3rem .6rem}.period button{cursor:pointer}.links a{display:inline-block;"
            "min-height:44px;line-height:44px;margin-right:1rem}")


MAX_DAYS = 1827  # five years: a longer page would be weeks of charts nobody reads


class BadPeriod(ValueError):
    """A period the form cannot use, with a message for the page."""


def chosen_period(request: Request, today: date) -> tuple[Period, dict[str, str]]:
    """The period from the query string: `from` and `to` (a custom range) win over `period`."""
    q = request.query_params
    start, end = q.get("from", "").strip(), q.get("to", "").strip()
    if start or end:
        if not (start and end):
            raise BadPeriod("give both dates, from and to / indiquez les deux dates")
        try:
            period = parse_period(f"{start}..{end}", today)
        except ValueError as exc:
            raise BadPeriod(str(exc).replace("--period ", "")) from None
        if period.start.year < 1970 or period.end.year > 9000:
            raise BadPeriod("dates between 1970 and 9000 / dates entre 1970 et 9000")
        if period.days > MAX_DAYS:
            raise BadPeriod(f"at most {MAX_DAYS} days (5 years) / au plus 5 ans")
        return period, {"from": start, "to": end}
    name = q.get("period", "30d")
    if name not in dict(CHOICES):
        raise BadPeriod(f"period {name[:20]!r}: choose one of 7d, 30d, 6mo, 12mo or two dates")
    return parse_period(name, today), {"period": name}


def form_html(params: dict[str, str], error: str = "") -> str:
    chosen = params.get("period", "" if "from" in params else "30d")
    options = "".join(f'<option value="{v}"{" selected" if v == chosen else ""}>{label}</option>'
                      for v, label in CHOICES)
    json_link = "/admin/review?" + urlencode({**params, "format": "json"})
    error_html = f'<p class="note" role="alert">{escape(error)}</p>' if error else ""
    return (f"{error_html}"
            '<form class="period" method="get" action="/admin/review">'
            '<div><label for="period">Period / période</label>'
            f'<select id="period" name="period">{options}</select></div>'
            '<div><label for="from">or from / ou du</label><input type="date" id="from" '
            f'name="from" value="{escape(params.get("from", ""))}"></div>'
            '<div><label for="to">to / au</label><input type="date" id="to" name="to" '
            f'value="{escape(params.get("to", ""))}"></div>'
            '<div><button type="submit">Show / afficher</button></div></form>'
            f'<p class="links"><a href="{escape(json_link)}">Whole report as JSON / rapport '
            'complet en JSON</a><a href="/admin/">Moderation / modération</a></p>')


def _client(request: Request, ctx) -> StatsClient:
    key = ctx.state.setdefault(INTERNAL_KEY, secrets.token_urlsafe(32))
    return StatsClient(EMBEDDED_URL, key, transport=httpx.ASGITransport(app=request.app),
                       timeout=300)


async def respond(request: Request, ctx, headers: dict[str, str], clock) -> Response:
    """The page (or `format=json`) for the period the query string asks for."""
    config = ctx.config
    today = datetime.fromtimestamp(clock(), UTC).date()
    try:
        period, params = chosen_period(request, today)
    except BadPeriod as exc:
        page = render_error(form_html(dict(request.query_params), str(exc)))
        return HTMLResponse(page, 400, headers=headers)
    site_dir = config.site_dir if config.site_dir.is_dir() else None
    try:
        async with _client(request, ctx) as client:
            report = await build_report(client, config.analytics.domains[0], period,
                                        site_dir=site_dir, costs=Costs(),
                                        currency=config.review.currency)
    except StatsError as exc:
        page = render_error(form_html(params, f"the review failed: {exc}"))
        return HTMLResponse(page, 503, headers=headers)
    if request.query_params.get("format") == "json":
        return JSONResponse(report.as_dict(), headers=headers)
    html = await asyncio.to_thread(render_html, report, form_html=form_html(params),
                                   more_hint="in the whole report as JSON (link above)",
                                   extra_css=FORM_CSS)
    return HTMLResponse(html, headers=headers)


def render_error(form: str) -> str:
    return ('<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Review / bilan'
            '</title><meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<style>{FORM_CSS}</style></head>"
            f"<body><main><h1>Review / bilan</h1>{form}</main></body></html>")

"""The review in the terminal: rich tables, with sparklines for the weekly trend.

A section is one function (report, console, top) in SECTIONS; another module adds its section
with one line there."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ownmedia.review.fmt import fmt, money, verdict
from ownmedia.review.model import Report

__all__ = ["LABELS", "PRINT_EXPLAINED", "SECTIONS", "fmt", "render", "sparkline"]

BARS = "▁▂▃▄▅▆▇█"
LABELS = {
    "visitors": "Visitors / visiteurs",
    "visits": "Visits / visites",
    "pageviews": "Pageviews / pages vues",
    "views_per_visit": "Views per visit / pages par visite",
    "bounce_rate": "Bounce rate / rebond (%)",
    "visit_duration": "Visit duration / durée (s)",
    "engaged_readers": "Engaged readers / lecteurs engagés",
    "cta_clicks": "CTA clicks / clics CTA",
    "conversions": "Conversions",
    "revenue": "Revenue / revenu (CTA clicks)",
    "prints": "Prints / impressions",
    "shares": "Shares / partages",
    "comments": "Comments / commentaires",
}
PRINT_EXPLAINED = (
    "Prints: how many times a reader printed a post (its print view was opened). Visits from "
    "printed posts: visits that came back from paper, by a printed page's QR code or link "
    "(utm_medium=print). / Impressions : billets imprimés par un lecteur ; visites venues du "
    "papier : retours par le QR code d'une page imprimée.")
MORE_HINT = "in the CSV/JSON (--csv DIR or --json)"


def sparkline(values: list[float]) -> str:
    """One character per value, scaled between the series' min and max."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return BARS[0 if hi == 0 else 3] * len(values)
    return "".join(BARS[round((v - lo) / (hi - lo) * (len(BARS) - 1))] for v in values)


def change(metric: str, m: dict) -> str:
    """Green when the change is good news for this metric (a lower bounce rate), red when
    bad; empty when there is nothing to compare with."""
    if m.get("comparable") is False:
        return "[dim]not compared[/]"
    value = m.get("change")
    if value is None:
        return ""
    color = {"better": "green", "worse": "red", "same": "white"}[verdict(metric, value)]
    return f"[{color}]{value:+.1f}%[/]"


def _more(console: Console, total: int, top: int) -> None:
    if total > top:
        console.print(f"[dim]{total - top:,} more rows {MORE_HINT}[/]")


def section_overview(report: Report, console: Console, top: int) -> None:
    t = Table(title="Overview / vue d'ensemble (vs previous period / période précédente)")
    for col in ("", "now / maintenant", "before / avant", "change / évolution"):
        t.add_column(col, justify="right" if col else "left")
    for key, label in LABELS.items():
        m = report.overview.get(key)
        if m:
            shown = (lambda v: money(v, report.currency)) if key == "revenue" else fmt
            before = shown(m["previous"]) if m.get("change") is not None else ""
            t.add_row(label, shown(m["value"]), before, change(key, m))
    console.print(t)
    console.print(f"[dim]{escape(PRINT_EXPLAINED)}[/]")


def section_advice(report: Report, console: Console, top: int) -> None:
    if report.advice:
        console.rule("What to do next / que faire ensuite")
        for a in report.advice:
            console.print(f"• {escape(a['text'])}")


def section_posts(report: Report, console: Console, top: int) -> None:
    t = Table(title=f"Posts / billets (top {top} by visitors)")
    for col in ("post / billet", "visitors", "pageviews", "read-through %", "CTA clicks",
                "CTR %", "conversions", "revenue", "comments", "prints", "shares"):
        t.add_column(col, justify="left" if col.startswith("post") else "right")
    for p in report.posts[:top]:
        t.add_row(escape(p.get("title") or p["post"]), fmt(p["visitors"]), fmt(p["pageviews"]),
                  fmt(p["read_through"], 1), fmt(p["cta_clicks"]), fmt(p["ctr"]),
                  fmt(p["conversions"]), money(p.get("revenue"), report.currency),
                  fmt(p["comments"]), fmt(p["prints"]), fmt(p["shares"]))
    console.print(t)
    _more(console, len(report.posts), top)


def section_ctas(report: Report, console: Console, top: int) -> None:
    t = Table(title="Calls to action / appels à l'action")
    for col in ("CTA", "clicks / clics", "visitors", "visits with a click",
                "converted / convertis", "conversion rate %", "revenue / revenu",
                "best post (CTR %)"):
        t.add_column(col, justify="left" if col in ("CTA", "best post (CTR %)") else "right")
    for c in report.ctas:
        best = max((x for x in report.cta_posts if x["cta"] == c["cta"] and x["ctr"] is not None),
                   key=lambda x: (x["clicks"], x["ctr"]), default=None)
        t.add_row(escape(c["cta"]), fmt(c["clicks"]), fmt(c["visitors"]), fmt(c["visits"]),
                  fmt(c["converted_visits"]), fmt(c["conversion_rate"]),
                  money(c.get("revenue"), report.currency),
                  f"{escape(best.get('title') or best['post'])} ({fmt(best['ctr'])})"
                  if best else "–")
    console.print(t)


def section_channels(report: Report, console: Console, top: int) -> None:
    t = Table(title="Channels / canaux (visits) — print is its own channel")
    for col in ("channel / canal", "visits", "share %", "converted", "conversion rate %"):
        t.add_column(col, justify="left" if col.startswith("channel") else "right")
    for ch in report.channels:
        t.add_row(ch["channel"], fmt(ch["visits"]), fmt(ch["share"], 1),
                  fmt(ch.get("converted_visits")), fmt(ch.get("conversion_rate")))
    console.print(t)

    t = Table(title="Sources")
    for col in ("source", "visits", "share %"):
        t.add_column(col, justify="left" if col == "source" else "right")
    for s in report.sources[:top]:
        t.add_row(escape(s["source"]), fmt(s["visits"]), fmt(s["share"], 1))
    console.print(t)
    _more(console, len(report.sources), top)

    t = Table(title="UTM campaigns / campagnes")
    for col in ("medium", "source", "campaign", "visits"):
        t.add_column(col, justify="right" if col == "visits" else "left")
    for c in report.campaigns[:top]:
        t.add_row(escape(c["medium"]), escape(c["source"]), escape(c["campaign"]),
                  fmt(c["visits"]))
    console.print(t)
    _more(console, len(report.campaigns), top)
    returns = sum(p["visits"] for p in report.print_returns)
    console.print(f"Visits from printed posts / visites venues du papier: [bold]{returns:,}[/] "
                  f"from {len(report.print_returns)} printed posts")


def section_weekly(report: Report, console: Console, top: int) -> None:
    weeks = report.weekly
    t = Table(title="Weekly trend / tendance hebdomadaire")
    t.add_column("series / série")
    t.add_column("trend", no_wrap=True)
    t.add_column("first / premier", justify="right")
    t.add_column("last / dernier", justify="right")
    for key in ("visitors", "pageviews", "cta_clicks", "conversions", "prints"):
        vals = [w[key] for w in weeks]
        if vals:
            t.add_row(LABELS[key], sparkline(vals), fmt(vals[0]), fmt(vals[-1]))
    console.print(t)


def section_longevity(report: Report, console: Console, top: int) -> None:
    lg = report.longevity
    console.print(
        f"Content longevity / longévité: [bold]{fmt(lg.get('share_old'), 1)}%[/] of post visits "
        f"went to posts older than {lg.get('days', 90)} days "
        f"({fmt(lg.get('old_post_visits'))} of {fmt(lg.get('post_visits'))}; "
        f"{lg.get('undated_posts', 0)} undated posts left out)")


def section_cost(report: Report, console: Console, top: int) -> None:
    cost = report.cost
    if cost.get("cost") is None and not cost.get("baseline"):
        return
    cur = report.currency
    t = Table(title="Cost / coût")
    t.add_column("")
    t.add_column("own channel / canal propre", justify="right")
    t.add_column("print insert / encart", justify="right")
    base = cost.get("baseline") or {}
    t.add_row("total", money(cost.get("cost"), cur), money(base.get("cost"), cur))
    t.add_row("per copy / par exemplaire", "–", money(base.get("per_copy"), cur))
    for label, key in (("per visitor / par visiteur", "per_visitor"),
                       ("per engaged reader / lecteur engagé", "per_engaged_reader"),
                       ("per CTA click / par clic", "per_cta_click"),
                       ("per conversion", "per_conversion")):
        t.add_row(label, money(cost.get(key), cur), "not measured")
    console.print(t)


# the report's sections, in order: one function (report, console, top) each
def section_campaigns(report: Report, console: Console, top: int) -> None:
    from ownmedia.review.campaigns import render_terminal

    render_terminal(report.campaign_targets, console)


def section_video(report: Report, console: Console, top: int) -> None:
    from ownmedia.review import video

    video.render_terminal(report, console, top)


def section_funnels(report: Report, console: Console, top: int) -> None:
    from ownmedia.review import funnels

    funnels.render_terminal(report, console, top)


SECTIONS: list[Callable[[Report, Console, int], None]] = [
    section_overview, section_advice, section_campaigns, section_posts, section_ctas,
    section_funnels, section_video, section_channels, section_weekly, section_longevity,
    section_cost,
]


def render(report: Report, console: Console, top: int = 20) -> None:
    """Print the notes (a stale period first), then every section of the review."""
    console.rule(f"[bold]Review / bilan — {escape(report.site_id)} — "
                 f"{report.period[0]} → {report.period[1]}")
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    for section in SECTIONS:
        section(report, console, top)

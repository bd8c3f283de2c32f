"""The review in the terminal: rich tables, with sparklines for the weekly trend."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ownmedia.review.model import Report

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


def sparkline(values: list[float]) -> str:
    """One character per value, scaled between the series' min and max."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return BARS[0 if hi == 0 else 3] * len(values)
    return "".join(BARS[round((v - lo) / (hi - lo) * (len(BARS) - 1))] for v in values)


def fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def change(value: float | None) -> str:
    if value is None:
        return "n/a"
    color = "green" if value > 0 else "red" if value < 0 else "white"
    return f"[{color}]{value:+.1f}%[/]"


def render(report: Report, console: Console, top: int = 20) -> None:
    """Print every section of the review."""
    console.rule(f"[bold]Review / bilan — {report.site_id} — "
                 f"{report.period[0]} → {report.period[1]}")
    t = Table(title="Overview / vue d'ensemble (vs previous period / période précédente)")
    for col in ("", "now / maintenant", "before / avant", "change / évolution"):
        t.add_column(col, justify="right" if col else "left")
    for key, label in LABELS.items():
        m = report.overview.get(key)
        if m:
            t.add_row(label, fmt(m["value"]), fmt(m["previous"]), change(m["change"]))
    console.print(t)

    t = Table(title=f"Posts / billets (top {top} by visitors)")
    for col in ("post / billet", "visitors", "pageviews", "read-through %", "CTA clicks",
                "CTR %", "conversions", "comments", "prints", "shares"):
        t.add_column(col, justify="left" if col.startswith("post") else "right")
    for p in report.posts[:top]:
        t.add_row(p["post"], fmt(p["visitors"]), fmt(p["pageviews"]), fmt(p["read_through"], 1),
                  fmt(p["cta_clicks"]), fmt(p["ctr"]), fmt(p["conversions"]),
                  fmt(p["comments"]), fmt(p["prints"]), fmt(p["shares"]))
    console.print(t)

    t = Table(title="Calls to action / appels à l'action")
    for col in ("CTA", "clicks / clics", "visitors", "visits with a click",
                "converted / convertis", "conversion rate %", "revenue / revenu",
                "best post (CTR %)"):
        t.add_column(col, justify="left" if col in ("CTA", "best post (CTR %)") else "right")
    for c in report.ctas:
        best = max((x for x in report.cta_posts if x["cta"] == c["cta"] and x["ctr"] is not None),
                   key=lambda x: (x["clicks"], x["ctr"]), default=None)
        t.add_row(c["cta"], fmt(c["clicks"]), fmt(c["visitors"]), fmt(c["visits"]),
                  fmt(c["converted_visits"]), fmt(c["conversion_rate"]),
                  f"{fmt(c['revenue'])} {c['currency']}" if c.get("revenue") is not None
                  else "–",
                  f"{best['post']} ({fmt(best['ctr'])})" if best else "–")
    console.print(t)

    t = Table(title="Channels / canaux (visits) — print is its own channel")
    t.add_column("channel / canal")
    t.add_column("visits", justify="right")
    t.add_column("share %", justify="right")
    for ch in report.channels:
        t.add_row(ch["channel"], fmt(ch["visits"]), fmt(ch["share"], 1))
    console.print(t)

    t = Table(title="Sources")
    for col in ("source", "visits", "share %"):
        t.add_column(col, justify="left" if col == "source" else "right")
    for s in report.sources[:top]:
        t.add_row(s["source"], fmt(s["visits"]), fmt(s["share"], 1))
    console.print(t)

    t = Table(title="UTM campaigns / campagnes")
    for col in ("medium", "source", "campaign", "visits"):
        t.add_column(col, justify="right" if col == "visits" else "left")
    for c in report.campaigns[:top]:
        t.add_row(c["medium"], c["source"], c["campaign"], fmt(c["visits"]))
    console.print(t)
    returns = sum(p["visits"] for p in report.print_returns)
    console.print(f"Print returns / retours du papier: [bold]{returns:,}[/] visits from "
                  f"{len(report.print_returns)} printed posts")

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

    lg = report.longevity
    console.print(
        f"Content longevity / longévité: [bold]{fmt(lg.get('share_old'), 1)}%[/] of post visits "
        f"went to posts older than {lg.get('days', 90)} days "
        f"({fmt(lg.get('old_post_visits'))} of {fmt(lg.get('post_visits'))}; "
        f"{lg.get('undated_posts', 0)} undated posts left out)")

    cost = report.cost
    if cost.get("cost") is not None or cost.get("baseline"):
        t = Table(title="Cost / coût")
        t.add_column("")
        t.add_column("own channel / canal propre", justify="right")
        t.add_column("print insert / encart", justify="right")
        base = cost.get("baseline") or {}
        t.add_row("total", fmt(cost.get("cost")), fmt(base.get("cost")))
        t.add_row("per copy / par exemplaire", "–", fmt(base.get("per_copy"), 4))
        t.add_row("per visitor / par visiteur", fmt(cost.get("per_visitor"), 4), "unknown")
        t.add_row("per engaged reader / lecteur engagé", fmt(cost.get("per_engaged_reader"), 4),
                  "unknown")
        t.add_row("per CTA click / par clic", fmt(cost.get("per_cta_click"), 4), "unknown")
        t.add_row("per conversion", fmt(cost.get("per_conversion"), 4), "unknown")
        console.print(t)
    from ownmedia.review import funnels, video

    video.render_terminal(report, console, top)
    funnels.render_terminal(report, console, top)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}")

"""The review as one self-contained HTML document: inline CSS and matplotlib charts as inline
SVG, nothing fetched from anywhere (it can be mailed, archived, opened offline or served by
/admin/review under a strict Content-Security-Policy).

A section is one function (report, view) -> HTML in SECTIONS; another module adds its section
with one line there."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from ownmedia.review.fmt import fmt, money, verdict
from ownmedia.review.model import Report
from ownmedia.review.terminal import LABELS, PRINT_EXPLAINED

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#1d2430}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:2px solid #e3e7ee;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{padding:.3rem .5rem;
border-bottom:1px solid #e3e7ee;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f4f6f9}.good{color:#137a3a}.bad{color:#b3261e}.muted{color:#5f6673}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.7rem}
.card{border:1px solid #e3e7ee;border-radius:.5rem;padding:.6rem .8rem}
.card b{display:block;font-size:1.4rem}figure{margin:1rem 0}svg,img{max-width:100%;height:auto}
.note{background:#fff8e1;padding:.4rem .7rem;border-radius:.3rem}
.advice li{margin:.3rem 0}
.wide{overflow-x:auto}
@media print{body{margin:0}h2{break-after:avoid}figure,table{break-inside:avoid}}
"""
COLORS = ["#2b59c3", "#e07a1f", "#2a9d5c", "#c0392b", "#7d4cc0", "#7f8c8d", "#d4a017", "#17a2b8"]
MORE_HINT = "in the CSV/JSON (ownmedia review --csv DIR or --json)"
TOP_LONG = 15  # rows of the long tables (CTR per post, sources, UTM, print returns)
_PLOT_LOCK = threading.Lock()  # pyplot's state is global: one chart set at a time


@dataclass
class View:
    """How a section is drawn: the charts' HTML by name, rows per table, where the rest is."""

    charts: dict[str, str] = field(default_factory=dict)
    top: int = 20
    more_hint: str = MORE_HINT
    inline_svg: bool = True  # sections drawing their own charts may inline SVG (not in mail)


def _num(value: object, digits: int = 2) -> str:
    return escape(fmt(value, digits))


def _money(value: object, report: Report) -> str:
    return escape(money(value, report.currency))


def _change(metric: str, m: dict) -> str:
    """The change vs the previous period, coloured by what it means for this metric (a fall
    in bounce rate is good news); nothing at all when there is nothing to compare with."""
    if m.get("comparable") is False:
        return '<span class="muted">not compared / non comparé</span>'
    if m.get("change") is None:
        return ""
    value = m["change"]
    cls = {"better": "good", "worse": "bad", "same": "muted"}[verdict(metric, value)]
    word = {"good": "better", "bad": "worse", "muted": "same"}[cls]
    return (f'<span class="{cls}">{value:+.1f}% <span class="muted">({word})</span></span> '
            f'<span class="muted">vs {_prev(metric, m)}</span>')


def _prev(metric: str, m: dict) -> str:
    return escape(money(m["previous"], m.get("currency"))) if metric == "revenue" \
        else _num(m["previous"])


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "ownmedia",
                         "font.family": "sans-serif", "font.size": 9,
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt


def _short(text: str, n: int = 38) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


CHART_ALT = {
    "weekly": "Weekly visitors and pageviews / visiteurs et pages vues par semaine",
    "actions": "CTA clicks, conversions, prints and comments per week / actions par semaine",
    "channels": "Visits per channel / visites par canal",
    "posts": "Most read posts: visitors and CTA clicks / billets les plus lus",
    "longevity": "Share of post visits to posts older than 90 days / part des billets anciens",
}


def _figures(report: Report, plt) -> list[tuple[str, object]]:
    figs = []
    weeks = report.weekly
    if weeks:
        labels = [w["week"][5:] for w in weeks]
        fig, ax = plt.subplots(figsize=(9, 3))
        ax.plot(labels, [w["visitors"] for w in weeks], color=COLORS[0], marker="o", ms=3,
                label="visitors / visiteurs")
        ax.plot(labels, [w["pageviews"] for w in weeks], color=COLORS[1], marker="o", ms=3,
                label="pageviews / pages vues")
        ax.set_title("Weekly trend / tendance hebdomadaire")
        ax.legend(frameon=False)
        ax.tick_params(axis="x", labelrotation=60)
        figs.append(("weekly", fig))
        fig, ax = plt.subplots(figsize=(9, 2.8))
        width = 0.2
        xs = range(len(weeks))
        for i, (key, label) in enumerate((("cta_clicks", "CTA clicks"),
                                          ("conversions", "conversions"),
                                          ("prints", "prints"), ("comments", "comments"))):
            ax.bar([x + (i - 1.5) * width for x in xs], [w[key] for w in weeks], width,
                   color=COLORS[i + 2], label=label)
        ax.set_xticks(list(xs), labels, rotation=60)
        ax.set_title("Actions per week / actions par semaine")
        ax.legend(frameon=False, ncol=4)
        figs.append(("actions", fig))
    if report.channels:
        ch = list(reversed(report.channels))
        fig, ax = plt.subplots(figsize=(6, 0.4 * len(ch) + 0.8))
        ax.barh([c["channel"] for c in ch], [c["visits"] for c in ch],
                color=[COLORS[3] if c["channel"] == "Print" else COLORS[0] for c in ch])
        ax.set_title("Visits per channel / visites par canal")
        figs.append(("channels", fig))
    top = report.posts[:15]
    if top:
        top = list(reversed(top))
        names = [_short(p.get("title") or p["post"]) for p in top]
        fig, ax = plt.subplots(figsize=(7, 0.32 * len(top) + 0.8))
        ax.barh(names, [p["visitors"] for p in top], color=COLORS[0], label="visitors")
        ax.barh(names, [p["cta_clicks"] for p in top], color=COLORS[1], label="CTA clicks")
        ax.set_title("Top posts / billets les plus lus")
        ax.legend(frameon=False)
        figs.append(("posts", fig))
    lg = report.longevity
    if lg.get("post_visits"):
        old, total = lg["old_post_visits"], lg["post_visits"]
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.pie([old, total - old], labels=[f"> {lg['days']} days", "newer / récents"],
               colors=[COLORS[2], COLORS[5]], autopct="%1.0f%%", startangle=90,
               wedgeprops={"width": 0.45})
        ax.set_title("Post visits by post age / âge des billets")
        figs.append(("longevity", fig))
    return figs


def charts(report: Report, image_format: str = "svg") -> dict[str, str | bytes]:
    """The charts by name: inline SVG text, or PNG bytes (for mail); none without data."""
    with _PLOT_LOCK:
        plt = _plt()
        out: dict[str, str | bytes] = {}
        for name, fig in _figures(report, plt):
            out[name] = _svg(fig) if image_format == "svg" else _png(fig)
            plt.close(fig)
    return out


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A table that scrolls sideways on its own on a narrow screen (reachable by keyboard)
    instead of widening the page; an empty corner header is a plain cell."""
    head = "".join(f"<th>{escape(h)}</th>" if h else "<td></td>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (f'<div class="wide" tabindex="0"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _long_table(headers: list[str], items: list, row: Callable[[object], list[str]], top: int,
                view: View) -> str:
    """The first `top` rows, and a line saying how many more are in the exports."""
    html = _table(headers, [row(x) for x in items[:top]])
    if len(items) > top:
        html += (f'<p class="muted">{len(items) - top:,} more rows / lignes de plus '
                 f"{escape(view.more_hint)}</p>")
    return html


def _figure(view: View, name: str) -> str:
    return f"<figure>{view.charts[name]}</figure>" if name in view.charts else ""


def section_overview(report: Report, view: View) -> str:
    parts = ["<h2>Overview / vue d'ensemble</h2><div class=cards>"]
    for key, label in LABELS.items():
        m = report.overview.get(key)
        if m:
            value = _money(m["value"], report) if key == "revenue" else _num(m["value"])
            parts.append(f'<div class="card">{escape(label)}<b>{value}</b>'
                         f"{_change(key, m)}</div>")
    parts.append("</div>")
    parts.append(f'<p class="muted">{escape(PRINT_EXPLAINED)}</p>')
    return "".join(parts)


def section_advice(report: Report, view: View) -> str:
    if not report.advice:
        return ""
    items = "".join(f"<li>{escape(a['text'])}</li>" for a in report.advice)
    return ("<h2>What to do next / que faire ensuite</h2>"
            f'<ul class="advice">{items}</ul>'
            '<p class="muted">Derived from the numbers below by the rules in the README '
            "(“What to do next”).</p>")


def section_weekly(report: Report, view: View) -> str:
    return ("<h2>Weekly trend / tendance hebdomadaire</h2>" + _figure(view, "weekly")
            + _figure(view, "actions"))


def section_posts(report: Report, view: View) -> str:
    return "<h2>Posts / billets</h2>" + _figure(view, "posts") + _long_table(
        ["post / billet", "visitors", "pageviews", "read-through %", "CTA clicks", "CTR %",
         "conversions", "revenue / revenu", "comments", "prints", "shares"],
        report.posts,
        lambda p: [escape(p.get("title") or p["post"]), _num(p["visitors"]),
                   _num(p["pageviews"]), _num(p["read_through"], 1), _num(p["cta_clicks"]),
                   _num(p["ctr"]), _num(p["conversions"]), _money(p.get("revenue"), report),
                   _num(p["comments"]), _num(p["prints"]), _num(p["shares"])],
        view.top, view)


def section_ctas(report: Report, view: View) -> str:
    parts = ["<h2>Calls to action / appels à l'action</h2>", _table(
        ["CTA", "clicks / clics", "visitors", "visits with a click", "converted visits",
         "conversion rate %", "revenue / revenu"],
        [[escape(x["cta"]), _num(x["clicks"]), _num(x["visitors"]), _num(x["visits"]),
          _num(x["converted_visits"]), _num(x["conversion_rate"]),
          _money(x.get("revenue"), report)] for x in report.ctas])]
    parts.append("<h3>Click-through rate per post / taux de clic par billet</h3>")
    parts.append(_long_table(
        ["CTA", "post / billet", "clicks", "post visitors", "CTR %"],
        sorted(report.cta_posts, key=lambda x: -x["clicks"]),
        lambda x: [escape(x["cta"]), escape(x.get("title") or x["post"]), _num(x["clicks"]),
                   _num(x["post_visitors"]), _num(x["ctr"])],
        min(view.top, TOP_LONG), view))
    return "".join(parts)


def section_channels(report: Report, view: View) -> str:
    parts = ["<h2>Channels and sources / canaux et sources</h2>", _figure(view, "channels"),
             _table(["channel / canal", "visits", "share %", "converted visits",
                     "conversion rate %"],
                    [[escape(x["channel"]), _num(x["visits"]), _num(x["share"], 1),
                      _num(x.get("converted_visits")), _num(x.get("conversion_rate"))]
                     for x in report.channels])]
    top = min(view.top, TOP_LONG)
    parts.append(_long_table(["source", "visits", "share %"], report.sources,
                             lambda x: [escape(x["source"]), _num(x["visits"]),
                                        _num(x["share"], 1)], top, view))
    parts.append("<h3>UTM campaigns / campagnes</h3>")
    parts.append(_long_table(["medium", "source", "campaign", "visits"], report.campaigns,
                             lambda x: [escape(x["medium"]), escape(x["source"]),
                                        escape(x["campaign"]), _num(x["visits"])], top, view))
    returns = sum(p["visits"] for p in report.print_returns)
    parts.append(f"<h3>Visits from printed posts / visites venues du papier: {returns:,}</h3>")
    parts.append(f'<p class="muted">{escape(PRINT_EXPLAINED)}</p>')
    parts.append(_long_table(["printed post / billet imprimé", "visits"],
                             sorted(report.print_returns, key=lambda x: -x["visits"]),
                             lambda x: [escape(x.get("title") or x["post"]), _num(x["visits"])],
                             top, view))
    return "".join(parts)


def section_longevity(report: Report, view: View) -> str:
    lg = report.longevity
    return ("<h2>Content longevity / longévité des contenus</h2>" + _figure(view, "longevity")
            + f"<p><b>{_num(lg.get('share_old'), 1)}%</b> of post visits went to posts older "
            f"than {lg.get('days', 90)} days ({_num(lg.get('old_post_visits'))} of "
            f"{_num(lg.get('post_visits'))}); publication dates from "
            f"{escape(str(lg.get('source')))}, {lg.get('undated_posts', 0)} undated posts "
            "left out.</p>")


def section_cost(report: Report, view: View) -> str:
    cost = report.cost
    if cost.get("cost") is None and not cost.get("baseline"):
        return ""
    base = cost.get("baseline") or {}
    unknown = '<span class="muted">not measured / non mesuré</span>'

    def m(value: object) -> str:
        return _money(value, report)

    return "<h2>Cost / coût</h2>" + _table(
        ["", "own channel / canal propre", "print insert / encart"], [
            ["total", m(cost.get("cost")), m(base.get("cost"))],
            ["per copy / par exemplaire", "–", m(base.get("per_copy"))],
            ["per visitor / par visiteur", m(cost.get("per_visitor")), unknown],
            ["per engaged reader / lecteur engagé", m(cost.get("per_engaged_reader")), unknown],
            ["per CTA click / par clic", m(cost.get("per_cta_click")), unknown],
            ["per conversion", m(cost.get("per_conversion")), unknown],
        ])


# the report's sections, in order: one function (report, view) -> HTML each
def section_campaigns(report: Report, view: View) -> str:
    from ownmedia.review.campaigns import render_html as campaigns_html

    return campaigns_html(report.campaign_targets, with_charts=view.inline_svg)


def section_video(report: Report, view: View) -> str:
    from ownmedia.review import video

    return video.render_html(report, view.top)


def section_funnels(report: Report, view: View) -> str:
    from ownmedia.review import funnels

    return funnels.render_html(report, view.top, with_charts=view.inline_svg)


SECTIONS: list[Callable[[Report, View], str]] = [
    section_overview, section_advice, section_campaigns, section_weekly, section_posts,
    section_ctas, section_funnels, section_video, section_channels, section_longevity,
    section_cost,
]


def render_html(report: Report, top: int = 20, *, chart_html: dict[str, str] | None = None,
                form_html: str = "", more_hint: str = MORE_HINT, extra_css: str = "") -> str:
    """The whole report as one HTML document. `chart_html` replaces the inline SVG charts
    (mail uses <img src="cid:...">); `form_html` goes under the title (/admin/review)."""
    view = View(charts=chart_html if chart_html is not None else charts(report), top=top,
                inline_svg=chart_html is None,
                more_hint=more_hint)
    title = f"Review / bilan — {escape(report.site_id)} — {report.period[0]} → {report.period[1]}"
    parts = [f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
             f'<meta name="viewport" content="width=device-width,initial-scale=1">'
             f"<style>{CSS}{extra_css}</style></head><body><main><h1>{title}</h1>{form_html}"
             f'<p class="muted">Previous period / période précédente: {report.previous_period[0]}'
             f" → {report.previous_period[1]}. Source: {escape(report.source)}. Generated "
             f"{escape(report.generated)}.</p>"]
    for note in report.notes:
        parts.append(f'<p class="note">{escape(note)}</p>')
    parts.extend(section(report, view) for section in SECTIONS)
    parts.append("</main></body></html>\n")
    return "".join(parts)


def write_html(report: Report, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path

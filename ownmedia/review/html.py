"""The review as one self-contained HTML file: inline CSS and matplotlib charts as inline SVG,
nothing fetched from anywhere (it can be mailed, archived or opened offline)."""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from ownmedia.review.model import Report
from ownmedia.review.terminal import LABELS, fmt

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#1d2430}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:2px solid #e3e7ee;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{padding:.3rem .5rem;
border-bottom:1px solid #e3e7ee;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f4f6f9}.up{color:#137a3a}.down{color:#b3261e}.muted{color:#6b7280}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.7rem}
.card{border:1px solid #e3e7ee;border-radius:.5rem;padding:.6rem .8rem}
.card b{display:block;font-size:1.4rem}figure{margin:1rem 0}svg{max-width:100%;height:auto}
.note{background:#fff8e1;padding:.4rem .7rem;border-radius:.3rem}
.wide{overflow-x:auto}
@media print{body{margin:0}h2{break-after:avoid}figure,table{break-inside:avoid}}
"""
COLORS = ["#2b59c3", "#e07a1f", "#2a9d5c", "#c0392b", "#7d4cc0", "#7f8c8d", "#d4a017", "#17a2b8"]


def _num(value: object, digits: int = 2) -> str:
    return escape(fmt(value, digits))


def _change(value: float | None) -> str:
    if value is None:
        return '<span class="muted">n/a</span>'
    cls = "up" if value > 0 else "down" if value < 0 else "muted"
    return f'<span class="{cls}">{value:+.1f}%</span>'


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "ownmedia",
                         "font.family": "sans-serif", "font.size": 9,
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt


def charts(report: Report) -> dict[str, str]:
    """Inline SVG charts by name (empty when there is nothing to draw)."""
    plt = _plt()
    out: dict[str, str] = {}
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
        out["weekly"] = _svg(fig)
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
        out["actions"] = _svg(fig)
    if report.channels:
        ch = list(reversed(report.channels))
        fig, ax = plt.subplots(figsize=(6, 0.4 * len(ch) + 0.8))
        ax.barh([c["channel"] for c in ch], [c["visits"] for c in ch],
                color=[COLORS[3] if c["channel"] == "Print" else COLORS[0] for c in ch])
        ax.set_title("Visits per channel / visites par canal")
        out["channels"] = _svg(fig)
    top = report.posts[:15]
    if top:
        top = list(reversed(top))
        fig, ax = plt.subplots(figsize=(7, 0.32 * len(top) + 0.8))
        ax.barh([p["post"] for p in top], [p["visitors"] for p in top], color=COLORS[0],
                label="visitors")
        ax.barh([p["post"] for p in top], [p["cta_clicks"] for p in top], color=COLORS[1],
                label="CTA clicks")
        ax.set_title("Top posts / billets les plus lus")
        ax.legend(frameon=False)
        out["posts"] = _svg(fig)
    lg = report.longevity
    if lg.get("post_visits"):
        old, total = lg["old_post_visits"], lg["post_visits"]
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.pie([old, total - old], labels=[f"> {lg['days']} days", "newer / récents"],
               colors=[COLORS[2], COLORS[5]], autopct="%1.0f%%", startangle=90,
               wedgeprops={"width": 0.45})
        ax.set_title("Post visits by post age / âge des billets")
        out["longevity"] = _svg(fig)
    return out


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A table that scrolls sideways on its own on a narrow screen (reachable by keyboard)
    instead of widening the page; an empty corner header is a plain cell."""
    head = "".join(f"<th>{escape(h)}</th>" if h else "<td></td>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (f'<div class="wide" tabindex="0"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def render_html(report: Report, top: int = 50) -> str:
    """The whole report as one HTML document."""
    c = charts(report)
    title = f"Review / bilan — {escape(report.site_id)} — {report.period[0]} → {report.period[1]}"
    parts = [f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
             f'<meta name="viewport" content="width=device-width,initial-scale=1">'
             f"<style>{CSS}</style></head><body><main><h1>{title}</h1>"
             f'<p class="muted">Previous period / période précédente: {report.previous_period[0]}'
             f" → {report.previous_period[1]}. Source: {escape(report.source)}. Generated "
             f"{escape(report.generated)}.</p>"]
    for note in report.notes:
        parts.append(f'<p class="note">{escape(note)}</p>')
    parts.append("<h2>Overview / vue d'ensemble</h2><div class=cards>")
    for key, label in LABELS.items():
        m = report.overview.get(key)
        if m:
            parts.append(f'<div class="card">{escape(label)}<b>{_num(m["value"])}</b>'
                         f'{_change(m["change"])} <span class="muted">vs {_num(m["previous"])}'
                         "</span></div>")
    parts.append("</div>")
    parts.append("<h2>Weekly trend / tendance hebdomadaire</h2>")
    for name in ("weekly", "actions"):
        if name in c:
            parts.append(f"<figure>{c[name]}</figure>")
    parts.append("<h2>Posts / billets</h2>")
    if "posts" in c:
        parts.append(f"<figure>{c['posts']}</figure>")
    parts.append(_table(
        ["post / billet", "visitors", "pageviews", "read-through %", "CTA clicks", "CTR %",
         "conversions", "comments", "prints", "shares"],
        [[escape(p["post"]), _num(p["visitors"]), _num(p["pageviews"]),
          _num(p["read_through"], 1), _num(p["cta_clicks"]), _num(p["ctr"]),
          _num(p["conversions"]), _num(p["comments"]), _num(p["prints"]), _num(p["shares"])]
         for p in report.posts[:top]]))
    parts.append("<h2>Calls to action / appels à l'action</h2>")
    parts.append(_table(
        ["CTA", "clicks / clics", "visitors", "visits with a click", "converted visits",
         "conversion rate %", "revenue / revenu"],
        [[escape(x["cta"]), _num(x["clicks"]), _num(x["visitors"]), _num(x["visits"]),
          _num(x["converted_visits"]), _num(x["conversion_rate"]),
          f"{_num(x.get('revenue'))} {escape(x.get('currency') or '')}".strip()]
         for x in report.ctas]))
    parts.append("<h3>Click-through rate per post / taux de clic par billet</h3>")
    parts.append(_table(
        ["CTA", "post / billet", "clicks", "post visitors", "CTR %"],
        [[escape(x["cta"]), escape(x["post"]), _num(x["clicks"]), _num(x["post_visitors"]),
          _num(x["ctr"])] for x in sorted(report.cta_posts, key=lambda x: -x["clicks"])[:top]]))
    parts.append("<h2>Channels and sources / canaux et sources</h2>")
    if "channels" in c:
        parts.append(f"<figure>{c['channels']}</figure>")
    parts.append(_table(["channel / canal", "visits", "share %"],
                        [[escape(x["channel"]), _num(x["visits"]), _num(x["share"], 1)]
                         for x in report.channels]))
    parts.append(_table(["source", "visits", "share %"],
                        [[escape(x["source"]), _num(x["visits"]), _num(x["share"], 1)]
                         for x in report.sources[:top]]))
    parts.append("<h3>UTM campaigns / campagnes</h3>")
    parts.append(_table(["medium", "source", "campaign", "visits"],
                        [[escape(x["medium"]), escape(x["source"]), escape(x["campaign"]),
                          _num(x["visits"])]
                         for x in report.campaigns[:top]]))
    returns = sum(p["visits"] for p in report.print_returns)
    parts.append(f"<h3>Print returns / retours du papier: {returns:,} visits</h3>")
    parts.append(_table(["printed post / billet imprimé", "visits"],
                        [[escape(x["post"]), _num(x["visits"])]
                         for x in sorted(report.print_returns, key=lambda x: -x["visits"])[:top]]))
    lg = report.longevity
    parts.append("<h2>Content longevity / longévité des contenus</h2>")
    if "longevity" in c:
        parts.append(f"<figure>{c['longevity']}</figure>")
    parts.append(f"<p><b>{_num(lg.get('share_old'), 1)}%</b> of post visits went to posts older "
                 f"than {lg.get('days', 90)} days ({_num(lg.get('old_post_visits'))} of "
                 f"{_num(lg.get('post_visits'))}); publication dates from "
                 f"{escape(str(lg.get('source')))}, {lg.get('undated_posts', 0)} undated posts "
                 "left out.</p>")
    cost = report.cost
    if cost.get("cost") is not None or cost.get("baseline"):
        base = cost.get("baseline") or {}
        unknown = '<span class="muted">unknown / inconnu</span>'
        parts.append("<h2>Cost / coût</h2>")
        parts.append(_table(["", "own channel / canal propre", "print insert / encart"], [
            ["total", _num(cost.get("cost")), _num(base.get("cost"))],
            ["per copy / par exemplaire", "–", _num(base.get("per_copy"), 4)],
            ["per visitor / par visiteur", _num(cost.get("per_visitor"), 4), unknown],
            ["per engaged reader / lecteur engagé", _num(cost.get("per_engaged_reader"), 4),
             unknown],
            ["per CTA click / par clic", _num(cost.get("per_cta_click"), 4), unknown],
            ["per conversion", _num(cost.get("per_conversion"), 4), unknown],
        ]))
    from ownmedia.review import funnels, video

    parts.append(video.render_html(report, top))
    parts.append(funnels.render_html(report, top))
    parts.append("</main></body></html>\n")
    return "".join(parts)


def write_html(report: Report, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path

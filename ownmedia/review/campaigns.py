"""The review's campaigns section: each campaign active in the period measured on the
period's last day (progress, pace needed vs achieved, projection, verdict), and, over a long
horizon, the 6-month view of the audience that older posts bring. Built here, rendered here
for the terminal and HTML; the JSON is the report's `campaign_targets`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ownmedia.campaigns.model import Campaign
from ownmedia.review.client import StatsClient, StatsError

# a campaign this long is a long horizon: the review then shows the 6-month view (only then:
# its month-by-page breakdown is the costliest query of the review)
LONG_HORIZON_DAYS = 90
STATUS_STYLE = {"reached": "green", "on_course": "green", "behind": "yellow",
                "unreachable": "red", "missed": "red", "no_data": "white"}


def active(campaigns: list[Campaign], start: date, end: date) -> list[Campaign]:
    """Campaigns whose days meet the review's period."""
    return [c for c in campaigns if c.start <= end and c.end >= start]


async def build_section(client: StatsClient, site_id: str, start: date, end: date,
                        campaigns: list[Campaign], site_dir: Path | None = None,
                        progress: Callable[[str], None] | None = None) -> dict:
    """{"as_of", "campaigns": [measured...], "six_month": {...} | None}."""
    from ownmedia.campaigns.audience import old_post_share
    from ownmedia.campaigns.progress import measure

    step = progress or (lambda label: None)
    shown = active(campaigns, start, end)

    async def one(c: Campaign) -> dict:
        try:
            return await measure(client, site_id, c, end)
        except StatsError as exc:  # one campaign the server cannot count: say so, go on
            return {**c.as_dict(), "error": str(exc)}
        finally:
            step(f"campaign {c.name}")

    measured = list(await asyncio.gather(*(one(c) for c in shown)))
    six = None
    if any(c.days >= LONG_HORIZON_DAYS for c in shown):
        six = await old_post_share(client, site_id, end, site_dir)
        step("6-month view")
    return {"as_of": end.isoformat(), "campaigns": measured, "six_month": six}


def _n(value: object, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and digits == 0:
        return f"{round(value):,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def facts(m: dict) -> list[tuple[str, str]]:
    """The lines every rendering shows for one campaign, label then value."""
    filt = f" ({' '.join(m['filters'])})" if m["filters"] else ""
    weeks = m.get("pace_weeks", 0)
    since = f"last {weeks} weeks" if weeks > 1 else "last week" if weeks else "days so far"
    return [
        ("target / objectif", f"{_n(m['target'])} {m['metric']}{filt}, "
                              f"{m['from']} → {m['until']}"),
        ("progress / avancement", f"{_n(m['progress'])} ({m['percent']:.1f}%) as of "
                                  f"{m['as_of']}, {m['days_left']} day(s) left"),
        ("pace needed / rythme nécessaire", f"{_n(m['needed_per_week'])} per week"),
        ("pace achieved / rythme atteint", f"{_n(m['current_pace'])} per week ({since}); "
                                           f"best week {_n(m['best_week'])}"),
        ("projection", f"{_n(m['projected'])} ({m['projected_percent']:.1f}%), range "
                       f"{_n(m['projected_low'])}–{_n(m['projected_high'])}"),
        ("model / modèle", m["model"]),
    ]


def render_one(m: dict, console: Console) -> None:
    """One campaign as a small table with its verdict in colour."""
    if "error" in m:
        console.print(f"[yellow]Campaign {m['name']}: not measured: {m['error']}[/]")
        return
    style = STATUS_STYLE.get(m["status"], "white")
    t = Table(title=f"Campaign / campagne: {m['name']}", show_header=False)
    t.add_column("")
    t.add_column("")
    for label, value in facts(m):
        t.add_row(label, value)
    t.add_row("verdict", f"[bold {style}]{m['verdict']}[/]")
    console.print(t)


def render_terminal(section: dict, console: Console) -> None:
    """The section in the terminal (nothing when there is nothing to show)."""
    if not section:
        return
    for m in section.get("campaigns", []):
        render_one(m, console)
    six = section.get("six_month")
    if six:
        t = Table(title=f"6-month view / vue sur 6 mois: pageviews of posts older than "
                        f"{six['days']} days / billets de plus de {six['days']} jours")
        for col in ("month / mois", "site pageviews", "post pageviews", "older posts",
                    "share %"):
            t.add_column(col, justify="left" if col.startswith("month") else "right")
        for r in six["months"]:
            t.add_row(r["month"], _n(r["site_pageviews"]), _n(r["post_pageviews"]),
                      _n(r["old_post_pageviews"]), _n(r["share_old"], 1))
        console.print(t)


def charts(section: dict) -> dict[str, str]:
    """Inline SVG: per campaign, cumulative actual vs the target's line vs the projection
    band; and the 6-month view's old and new post pageviews per month."""
    from matplotlib.ticker import FuncFormatter

    from ownmedia.review.html import COLORS, _plt, _svg

    if not section:
        return {}
    plt = _plt()
    out: dict[str, str] = {}
    for m in section.get("campaigns", []):
        if "error" in m:
            continue
        p = m["path"]
        fig, ax = plt.subplots(figsize=(7, 3))
        if p["actual"]:
            ax.plot([date.fromisoformat(d) for d, _ in p["actual"]],
                    [v for _, v in p["actual"]], color=COLORS[0], lw=2,
                    label="actual / réel")
        ax.plot([date.fromisoformat(d) for d, _ in p["target"]], [v for _, v in p["target"]],
                color=COLORS[3], ls="--", label="target / objectif")
        if p["projection"]:
            xs = [date.fromisoformat(r[0]) for r in p["projection"]]
            ax.fill_between(xs, [r[2] for r in p["projection"]],
                            [r[3] for r in p["projection"]], color=COLORS[0], alpha=0.18,
                            lw=0, label="projection (80%)")
            ax.plot(xs, [r[1] for r in p["projection"]], color=COLORS[0], ls=":")
        ax.set_title(f"{m['name']}: {m['metric']}")
        ax.legend(frameon=False, fontsize=8)
        ax.tick_params(axis="x", labelrotation=30)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        out[f"campaign:{m['name']}"] = _svg(fig)
    six = section.get("six_month")
    if six and any(r["post_pageviews"] for r in six["months"]):
        labels = [r["month"] for r in six["months"]]
        old = [r["old_post_pageviews"] for r in six["months"]]
        new = [r["post_pageviews"] - r["old_post_pageviews"] for r in six["months"]]
        fig, ax = plt.subplots(figsize=(7, 2.8))
        ax.bar(labels, old, color=COLORS[2], label=f"> {six['days']} days / jours")
        ax.bar(labels, new, bottom=old, color=COLORS[5], label="newer / récents")
        ax.set_title("Post pageviews by post age / pages vues par âge du billet")
        ax.legend(frameon=False, fontsize=8)
        out["six_month"] = _svg(fig)
    return out


def render_html(section: dict, with_charts: bool = True) -> str:
    """The section as HTML (with its charts, unless a mail client could not show inline SVG),
    or "" when there is nothing to show."""
    from ownmedia.review.html import _table

    if not section or not (section.get("campaigns") or section.get("six_month")):
        return ""
    c = charts(section) if with_charts else {}
    parts = ["<h2>Campaigns / campagnes</h2>"]
    for m in section.get("campaigns", []):
        if "error" in m:
            parts.append(f"<h3>{escape(m['name'])}</h3><p class=\"note\">not measured: "
                         f"{escape(m['error'])}</p>")
            continue
        cls = "up" if m["status"] in ("reached", "on_course") else "down" \
            if m["status"] in ("unreachable", "missed", "behind") else "muted"
        parts.append(f"<h3>{escape(m['name'])}</h3>"
                     f'<p class="verdict"><b class="{cls}">{escape(m["verdict"])}</b></p>')
        if f"campaign:{m['name']}" in c:
            parts.append(f"<figure>{c['campaign:' + m['name']]}</figure>")
        parts.append(_table(["", ""], [[escape(k), escape(v)] for k, v in facts(m)]))
    six = section.get("six_month")
    if six:
        parts.append(f"<h3>6-month view / vue sur 6 mois: posts older than {six['days']} "
                     f"days / billets de plus de {six['days']} jours</h3>")
        if "six_month" in c:
            parts.append(f"<figure>{c['six_month']}</figure>")
        parts.append(_table(
            ["month / mois", "site pageviews", "post pageviews", "older posts", "share %"],
            [[escape(r["month"]), _n(r["site_pageviews"]), _n(r["post_pageviews"]),
              _n(r["old_post_pageviews"]), _n(r["share_old"], 1)] for r in six["months"]]))
        parts.append(f'<p class="muted">Pageviews (they add up across days and posts); '
                     f"publication dates from the built site, {six['undated_posts']} undated "
                     "posts left out.</p>")
    return "".join(parts)

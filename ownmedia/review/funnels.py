"""Funnels in the review: how many visits go from one step to the next, with the drop-off at
each, counted by the Stats API's behavioural filters (`has_done` for one step, `sequence` for
several: the steps happened in that order within the visit, not necessarily one right after
the other). Plausible answers the same queries (its `sequence` filter is recent: an older
server refuses it, and the review says so instead of failing).

The owned-media funnel, for the site and per post:
1. visit (every visit),
2. read through (a `Read Through` event at depth 100: the tracker sends it when the end of a
   post's text is on screen),
3. CTA click (a `CTA Click`),
4. conversion (any of the review's conversion goals), each after the one before.
Per post, the visits are those that entered the site on the post (`visit:entry_page`, its
translations together), as the review attributes conversions to posts: "of the visits this post
brought, how many read to the end, clicked, converted". It costs the same four queries for every
post and the site together (the entry pages' rows add up to the site), where a funnel per post
would cost four queries per post, each a scan of the period's matching events.
Custom funnels come from the config: `[[review.funnels]] name = "…" steps = ["/pricing/",
"Signup"]`, a step being a page path (a pageview of it; `*` matches any characters but `/`,
`**` anything) or a goal name.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ownmedia.review.client import StatsError

if TYPE_CHECKING:
    from rich.console import Console

    from ownmedia.review.model import Report, ReviewBuilder

READ_THROUGH = ["and", [["is", "event:goal", ["Read Through"]],
                        ["is", "event:props:depth", ["100"]]]]
CTA_CLICK = ["is", "event:goal", ["CTA Click"]]
MIN_STEPS, MAX_STEPS = 2, 8  # as Plausible's funnels


@dataclass(frozen=True)
class Step:
    label: str
    filter: list | None  # None: every visit (only as a first step)


@dataclass(frozen=True)
class Funnel:
    name: str
    steps: tuple[Step, ...]


def page_step(path: str) -> list:
    if "*" not in path:
        return ["and", [["is", "event:name", ["pageview"]], ["is", "event:page", [path]]]]
    parts = re.split(r"(\*\*|\*)", path)
    regex = "".join(".*" if p == "**" else "[^/]*" if p == "*" else re.escape(p) for p in parts)
    return ["and", [["is", "event:name", ["pageview"]], ["matches", "event:page", [f"^{regex}$"]]]]


def step_of(text: str) -> Step:
    """A config step: a page path (starts with '/') or a goal name."""
    text = text.strip()
    if text.startswith("/"):
        return Step(text, page_step(text))
    return Step(text, ["is", "event:goal", [text]])


def custom_funnels(raw: list[dict]) -> list[Funnel]:
    """[[review.funnels]] entries (already checked by ownmedia.config) as Funnels."""
    return [Funnel(str(f["name"]), tuple(step_of(s) for s in f["steps"])) for f in raw]


def owned_media_funnel(conversions: list[str]) -> Funnel:
    """visit → read through → CTA click → conversion."""
    steps = [Step("visit / visite", None),
             Step("read through / lu jusqu'au bout", READ_THROUGH),
             Step("CTA click / clic CTA", CTA_CLICK)]
    if conversions:
        steps.append(Step("conversion", ["is", "event:goal", list(conversions)]))
    return Funnel("owned media / média propre", tuple(steps))


def _filters(steps: tuple[Step, ...]) -> list:
    """The behavioural filter of 'visits that went through these steps in order'."""
    wanted = [s.filter for s in steps if s.filter is not None]
    if not wanted:
        return []
    if len(wanted) == 1:
        return [["has_done", wanted[0]]]
    return [["sequence", wanted]]


def shape(funnel: Funnel, counts: list[int]) -> dict:
    """Counts of visits per step -> the steps with conversion and drop-off (pure)."""
    steps = []
    first = counts[0] if counts else 0
    for i, (step, n) in enumerate(zip(funnel.steps, counts, strict=True)):
        prev = counts[i - 1] if i else None
        if prev is None:
            of_previous: float | None = 100.0
        else:
            of_previous = round(100 * n / prev, 1) if prev else None
        steps.append({
            "step": step.label, "visits": n, "of_previous": of_previous,
            "of_first": round(100 * n / first, 1) if first else None,
            "dropped": prev - n if prev is not None else None,
        })
    return {"name": funnel.name, "steps": steps}


async def step_rows(builder: ReviewBuilder, funnel: Funnel, label: str,
                    dims: list[str] | None = None) -> list[list[dict]]:
    """One query per step (visits that reached it), run together."""
    return list(await asyncio.gather(*(
        builder.q(f"funnel {label} step {k + 1}", builder.body(
            ["visits"], dims=dims, filters=_filters(funnel.steps[: k + 1]) or None))
        for k in range(len(funnel.steps)))))


async def count(builder: ReviewBuilder, funnel: Funnel, label: str) -> dict:
    rows = await step_rows(builder, funnel, label)
    return shape(funnel, [r[0]["metrics"][0] if r else 0 for r in rows])


async def by_entry(builder: ReviewBuilder, funnel: Funnel) -> tuple[dict, list[dict]]:
    """(the site's funnel, the funnel of the visits each post brought), from one query per
    step broken down by entry page: every visit has one, so the rows add up to the site."""
    from ownmedia.review.model import post_slug

    rows = await step_rows(builder, funnel, "by entry page", ["visit:entry_page"])
    total = [0] * len(rows)
    counts: dict[str, list[int]] = {}
    for k, step in enumerate(rows):
        for rec in step:
            total[k] += rec["metrics"][0]
            slug = post_slug(rec["dimensions"][0])
            if slug:
                counts.setdefault(slug, [0] * len(rows))[k] += rec["metrics"][0]
    posts = [{"post": slug, **shape(funnel, n)} for slug, n in counts.items()]
    posts.sort(key=lambda f: (-f["steps"][0]["visits"], f["post"]))
    return shape(funnel, total), posts


async def funnel_section(builder: ReviewBuilder, report: Report, conversions: list[str],
                         custom: list[Funnel] | None = None) -> dict:
    """The site's owned-media funnel, the same per post (the posts that brought the most visits
    first), and the config's funnels; {} with a note when the server cannot run behavioural
    filters."""
    try:
        owned = owned_media_funnel(conversions)
        (site, posts), others = await asyncio.gather(
            by_entry(builder, owned),
            asyncio.gather(*(count(builder, f, f.name) for f in custom or [])))
        titles = {p["post"]: p.get("title") or "" for p in report.posts}
        posts = [{**f, "title": titles.get(f["post"], "")} for f in posts]
    except StatsError as exc:
        report.notes.append(f"funnels unavailable (the server needs the has_done and sequence "
                            f"filters): {exc} / entonnoirs indisponibles")
        return {}
    if not conversions:
        report.notes.append("the owned-media funnel stops at the CTA click: no conversion goal "
                            "(pass --conversion NAME) / pas d'objectif de conversion")
    return {"site": site, "posts": posts, "custom": list(others)}


def _all(section: dict) -> list[dict]:
    return [section["site"], *section.get("custom", [])] if section.get("site") else []


def render_terminal(report: Report, console: Console, top: int = 20) -> None:
    """Each funnel as a table of steps, then the posts' funnels side by side."""
    from rich.table import Table

    from ownmedia.review.terminal import fmt

    section = getattr(report, "funnels", None) or {}
    for f in _all(section):
        t = Table(title=f"Funnel / entonnoir: {f['name']}")
        for col in ("step / étape", "visits", "% of previous", "% of first", "dropped / perdus"):
            t.add_column(col, justify="left" if col.startswith("step") else "right")
        for s in f["steps"]:
            bar = "█" * round((s["of_first"] or 0) / 5)
            t.add_row(f"{s['step']} {bar}", fmt(s["visits"]), fmt(s["of_previous"], 1),
                      fmt(s["of_first"], 1), fmt(s["dropped"]))
        console.print(t)
    posts = section.get("posts") or []
    if posts:
        labels = [s["step"] for s in posts[0]["steps"]]
        t = Table(title="Owned-media funnel per post / par billet (visits, % of previous step)")
        t.add_column("post / billet")
        for label in labels:
            t.add_column(label.split(" / ")[0], justify="right")
        for p in posts[:top]:
            t.add_row(p["title"] or p["post"], *(
                fmt(s["visits"]) + (f" ({fmt(s['of_previous'], 0)}%)" if i and
                                    s["of_previous"] is not None else "")
                for i, s in enumerate(p["steps"])))
        console.print(t)


def chart(f: dict) -> str:
    """A funnel chart (horizontal bars centred, widest first) as inline SVG."""
    from ownmedia.review.html import COLORS, _plt, _svg

    plt = _plt()
    steps = f["steps"]
    fig, ax = plt.subplots(figsize=(7, 0.55 * len(steps) + 0.9))
    top = max((s["visits"] for s in steps), default=0) or 1
    for i, s in enumerate(steps):
        y = len(steps) - 1 - i
        ax.barh(y, s["visits"], left=(top - s["visits"]) / 2, color=COLORS[i % len(COLORS)])
        share = f" ({s['of_previous']:.1f}% of previous)" if i and s["of_previous"] is not None \
            else ""
        ax.text(top / 2, y, f"{s['step']}: {s['visits']:,}{share}", ha="center", va="center",
                color="#000", fontsize=8, bbox={"facecolor": "#fff", "alpha": 0.8, "lw": 0})
    ax.set_yticks([])
    ax.set_xticks([])
    ax.spines[:].set_visible(False)
    ax.set_title(f"Funnel / entonnoir: {f['name']}")
    return _svg(fig)


def render_html(report: Report, top: int = 50, with_charts: bool = True) -> str:
    """Charts (unless a mail client could not show inline SVG) and tables of the funnels
    ("" when there are none)."""
    from html import escape

    from ownmedia.review.html import _num, _table

    section = getattr(report, "funnels", None) or {}
    if not section.get("site"):
        return ""
    parts = ["<h2>Funnels / entonnoirs</h2>"]
    for f in _all(section):
        if with_charts:
            parts.append(f"<figure>{chart(f)}</figure>")
        parts.append(_table(
            ["step / étape", "visits", "% of previous", "% of first", "dropped / perdus"],
            [[escape(s["step"]), _num(s["visits"]), _num(s["of_previous"], 1),
              _num(s["of_first"], 1), _num(s["dropped"])] for s in f["steps"]]))
    posts = section.get("posts") or []
    if posts:
        parts.append("<h3>Owned-media funnel per post / par billet</h3>")
        labels = [s["step"] for s in posts[0]["steps"]]
        parts.append(_table(
            ["post / billet", *labels],
            [[escape(p["title"] or p["post"]), *(
                _num(s["visits"]) + (f" ({_num(s['of_previous'], 1)}%)" if i else "")
                for i, s in enumerate(p["steps"]))] for p in posts[:top]]))
    return "".join(parts)

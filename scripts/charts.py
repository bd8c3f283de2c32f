"""The charts shown in the sample posts, drawn from their data in each language the site has,
so a French page shows French labels and numbers (1 310, 0,42 €) and an English one English.

    python -m scripts.charts [OUT]      (make charts; OUT defaults to content/images)

Writes OUT/<chart>.<lang>.png (800 x 420 px). The images are committed: a build needs no
matplotlib run. tests/test_charts.py checks each post shows the chart of its own language."""

from __future__ import annotations

import sys
from pathlib import Path

LANGS = ("fr", "en")
BLUE, GREEN = "#1f4e79", "#2e7d32"

CHARTS: dict[str, dict] = {
    "audience-growth": {
        "title": {"fr": "Lecteurs mensuels d’un blog possédé",
                  "en": "Monthly readers of an owned blog"},
        "ylabel": {"fr": "visiteurs", "en": "visitors"},
        "labels": {"fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                          "sept."],
                   "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]},
        "values": [320, 410, 530, 610, 780, 900, 870, 1040, 1310],
    },
    "cost-per-reader": {
        "title": {"fr": "Coût par lecteur mesuré (€)", "en": "Cost per measured reader (EUR)"},
        "labels": {"fr": ["Encart imprimé", "Blog possédé"], "en": ["Print insert", "Own blog"]},
        "values": [None, 0.42],  # None: not measurable
        "unknown": {"fr": "inconnu", "en": "unknown"},
    },
    "funnel": {
        "title": {"fr": "De la visite à l’abonnement", "en": "From visit to subscriber"},
        "labels": {"fr": ["Visites", "Lu jusqu’au bout", "Clic sur l’appel", "Abonnés"],
                   "en": ["Visits", "Read to the end", "CTA click", "Subscribed"]},
        "values": [1000, 430, 96, 41],
    },
}


def number(value: float, lang: str, decimals: int = 0) -> str:
    """1 310 and 0,42 in French (narrow no-break space), 1,310 and 0.42 in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def chart_name(chart: str, lang: str) -> str:
    return f"{chart}.{lang}.png"


def draw(chart: str, lang: str, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    spec = CHARTS[chart]
    labels, values = spec["labels"][lang], spec["values"]
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=100)
    ax.set_title(spec["title"][lang], fontsize=14)
    if chart == "audience-growth":
        ax.plot(labels, values, color=BLUE, linewidth=3, marker="o")
        ax.set_ylabel(spec["ylabel"][lang], fontsize=12)
        ax.grid(alpha=0.3)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang)))
    elif chart == "cost-per-reader":
        heights = [v or 0 for v in values]
        ax.bar(labels, heights, color=BLUE)
        ax.set_ylim(0, 0.6)
        for x, v in enumerate(values):
            text = spec["unknown"][lang] if v is None else number(v, lang, 2)
            ax.text(x, (v or 0) + 0.015, text, ha="center", fontsize=12)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang, 1)))
    else:
        y = list(range(len(values)))[::-1]
        ax.barh(y, values, color=GREEN)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, max(values) * 1.15)
        for yy, v in zip(y, values, strict=True):
            ax.text(v + max(values) * 0.01, yy, number(v, lang), va="center", fontsize=12)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang)))
    ax.tick_params(labelsize=12)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / chart_name(chart, lang)
    fig.savefig(path, metadata={"Software": None})  # no version stamp: same data, same file
    plt.close(fig)
    return path


def main(out: Path) -> list[Path]:
    return [draw(chart, lang, out) for chart in CHARTS for lang in LANGS]


if __name__ == "__main__":
    for written in main(Path(sys.argv[1] if len(sys.argv) > 1 else "content/images")):
        print(written)

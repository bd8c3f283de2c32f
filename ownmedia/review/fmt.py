"""Numbers as the review writes them everywhere (terminal, HTML, mail, advice)."""

from __future__ import annotations

# metrics whose fall is good news: their change is coloured as an improvement
LOWER_IS_BETTER = {"bounce_rate"}


def fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def money(value: float | int | None, currency: str | None) -> str:
    """Two decimals and the currency code: '1,234.50 EUR' ('–' when unknown)."""
    if value is None:
        return "–"
    return f"{float(value):,.2f} {currency}" if currency else f"{float(value):,.2f}"


def verdict(metric: str, change: float | None) -> str:
    """'better', 'worse' or 'same' for a change of `metric` (None: not compared)."""
    if change is None or change == 0:
        return "same"
    better = change < 0 if metric in LOWER_IS_BETTER else change > 0
    return "better" if better else "worse"

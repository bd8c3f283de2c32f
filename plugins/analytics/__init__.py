"""Analytics plugin: turns the ANALYTICS setting into the `ANALYTICS_HEAD` setting that the
theme's base.html prints in <head> (see head.py for the providers)."""

from __future__ import annotations

from pelican import signals

from ownmedia.pelican_support import connect_common, plugin_enabled

from .head import AnalyticsError, head_html

__all__ = ["AnalyticsError", "head_html", "register"]


def _initialize(pelican: object) -> None:
    settings = pelican.settings  # type: ignore[attr-defined]
    # signals stay connected for the whole process: act only in builds that list the plugin
    if not plugin_enabled(settings, "analytics"):
        return
    try:
        settings["ANALYTICS_HEAD"] = head_html(settings)
    except AnalyticsError as exc:
        raise AnalyticsError(f"pelicanconf: {exc}") from None


def register() -> None:
    connect_common(signals)
    signals.initialized.connect(_initialize)

"""What every ownmedia Pelican plugin needs from the build: errors that stop it with a message
instead of a traceback, and a check that the plugin is enabled for the build at hand."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pelican import Pelican


class BuildError(Exception):
    """Stops the build; the message names the file and the field to fix."""

    ownmedia_build_error = True


class _HideTraceback(logging.Filter):
    """Pelican logs any build exception with its traceback; ours already name the file and
    field to fix, so drop the traceback for them (the message stays)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if getattr(exc, "ownmedia_build_error", False):
            record.exc_info = None
            record.exc_text = None
        return True


def install_traceback_filter() -> None:
    logger = logging.getLogger("pelican")
    if not any(isinstance(f, _HideTraceback) for f in logger.filters):
        logger.addFilter(_HideTraceback())


def plugin_enabled(settings: Mapping, name: str) -> bool:
    """Pelican's signals are process-wide: a later build in the same process (tests, the
    service's re-render) without this plugin must not run its receivers. Only our package
    name counts: another plugin called `seo` (pelican-seo's pelican.plugins.seo) is not ours."""
    wanted = f"ownmedia.plugins.{name}"
    return any(getattr(p, "__name__", p) == wanted for p in settings.get("PLUGINS") or [])


OURS_PREFIX = "ownmedia.plugins."


def only_ours(settings: Mapping) -> bool:
    """PLUGINS lists only ownmedia's plugins, by name, and no PLUGIN_PATHS may shadow them."""
    names = settings.get("PLUGINS") or []
    return bool(names) and not settings.get("PLUGIN_PATHS") and all(
        isinstance(n, str) and n.startswith(OURS_PREFIX) for n in names)


def make_pelican(settings: dict) -> Pelican:
    """Pelican for these settings. Pelican imports every installed namespace plugin
    (pelican.plugins.*) on start, even when PLUGINS lists none of them; when it lists only
    ours (plain modules, which Pelican imports by name all the same), only they are
    imported: a rebuild pays for the plugins it runs."""
    return _ours_only_class()(settings) if only_ours(settings) else _pelican_class()(settings)


@cache
def _pelican_class():
    from pelican import Pelican

    return Pelican


@cache
def _ours_only_class():
    class OursOnly(_pelican_class()):
        """Pelican, registering exactly the plugins PLUGINS names (as Pelican does)."""

        def init_plugins(self) -> None:
            self.plugins = []
            for name in self.settings["PLUGINS"]:
                plugin = importlib.import_module(name)
                try:
                    plugin.register()
                except Exception:  # as Pelican: the plugin is left out, with its traceback
                    logging.getLogger("pelican").exception("Cannot register plugin `%s`", name)
                    continue
                self.plugins.append(plugin)
            self.settings["PLUGINS"] = [p.__name__ for p in self.plugins]

    return OursOnly


def plain_logger(name: str) -> logging.Logger:
    """A logger that is not one of Pelican's: once pelican is imported, every new logger
    drops a message it has already shown in this process (pelican.log.LimitFilter), so a
    long-running process (the service, the devserver) would report a build only once."""
    existing = logging.Logger.manager.loggerDict.get(name)
    if isinstance(existing, logging.Logger):
        for f in [f for f in existing.filters if type(f).__name__ == "LimitFilter"]:
            existing.removeFilter(f)
        return existing
    previous = logging.getLoggerClass()
    logging.setLoggerClass(logging.Logger)
    try:
        return logging.getLogger(name)
    finally:
        logging.setLoggerClass(previous)


# --- what the plugins add to any theme -----------------------------------------------------
# The template snippets a theme includes in one line each ({% include "ownmedia/share.html" %}),
# the print view's own template, and the static files those pages need. Under an `ownmedia/`
# prefix so they cannot shadow a theme's own templates or files.
SNIPPETS_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
OURS = ("incremental", "comments", "print_view", "share", "cta", "analytics", "seo",
        "lang_sites", "print_qr")


def any_enabled(settings: Mapping) -> bool:
    return any(plugin_enabled(settings, name) for name in OURS)


def add_snippet_templates(settings: dict) -> None:
    """Put the snippets on Pelican's template path with its public setting
    THEME_TEMPLATES_OVERRIDES (a new list: never the defaults' own object). Idempotent."""
    folders = [str(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or []]
    if str(SNIPPETS_DIR) not in folders:
        settings["THEME_TEMPLATES_OVERRIDES"] = [*folders, str(SNIPPETS_DIR)]


def on_initialized(pelican) -> None:
    """Every ownmedia plugin connects this to `initialized` (blinker connects it once)."""
    if any_enabled(pelican.settings):
        add_snippet_templates(pelican.settings)


def static_url(settings: Mapping, name: str) -> str:
    """Where a file shipped with the plugins is served (copied by copy_static)."""
    folder = settings.get("OWNMEDIA_STATIC_DIR", "ownmedia")
    return f"{settings.get('SITEURL', '')}/{folder}/{name}"


def copy_static(settings: Mapping, output_path: str | Path) -> list[Path]:
    """Copy the plugins' static files (print view stylesheet and script, comments.js) into
    the output, whatever the theme: a file already equal is left untouched (mtime kept)."""
    target = Path(output_path) / settings.get("OWNMEDIA_STATIC_DIR", "ownmedia")
    written = []
    for source in sorted(STATIC_DIR.rglob("*")):
        if not source.is_file():
            continue
        dest = target / source.relative_to(STATIC_DIR)
        data = source.read_bytes()
        if dest.is_file() and dest.read_bytes() == data:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        written.append(dest)
    return written


def html_stem(save_as: str) -> str:
    """`a/slug.html` -> `a/slug` (where a post's print view and comments feed go); also for a
    slug that itself ends in .html (`slug.html.html`), else they would be under /slug.html/."""
    while save_as.endswith(".html"):
        save_as = save_as[: -len(".html")]
    return save_as


def site_url_warning(settings: Mapping) -> str | None:
    """A relative SITEURL makes print QR codes and share links useless off the site."""
    siteurl = settings.get("SITEURL", "") or ""
    if siteurl.startswith(("http://", "https://")):
        return None
    return (f"SITEURL is {siteurl!r}, not an absolute URL: print views' QR codes and share "
            "links will not lead back to the site (build with publishconf.py, or set SITEURL "
            "= 'https://your.domain')")


WARNED_KEY = "_ownmedia_siteurl_warned"  # lower case: not a setting, not fingerprinted


def warn_relative_siteurl(settings: dict) -> None:
    """Once per build (the flag lives in this build's settings; the logger is not Pelican's,
    which would say it only once per process)."""
    message = site_url_warning(settings)
    if message and not settings.get(WARNED_KEY):
        settings[WARNED_KEY] = True
        plain_logger("ownmedia.build").warning("ownmedia: %s", message)


def on_finalized(pelican) -> None:
    """The plugins' static files, copied whatever the theme (not in a dry run)."""
    from ownmedia import incremental

    if any_enabled(pelican.settings) and not incremental.dry_run(pelican.settings):
        copy_static(pelican.settings, pelican.output_path)


def connect_common(signals) -> None:
    """What every ownmedia plugin's register() connects (blinker connects a receiver once)."""
    signals.initialized.connect(on_initialized)
    signals.finalized.connect(on_finalized)

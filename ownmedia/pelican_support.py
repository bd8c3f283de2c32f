"""What every ownmedia Pelican plugin needs from the build: errors that stop it with a message
instead of a traceback, and a check that the plugin is enabled for the build at hand."""

from __future__ import annotations

import logging
from collections.abc import Mapping


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

"""Help and messages of the command line in the user's language (French or English), chosen
the way gettext chooses: LANGUAGE, then LC_ALL, LC_MESSAGES, LANG; anything else is English."""

from __future__ import annotations

import os


def cli_language() -> str:
    """"fr" or "en" from the environment; OWNMEDIA_LANG overrides it (for tests and scripts)."""
    for var in ("OWNMEDIA_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if not value:
            continue
        first = value.split(":")[0].lower()
        if first in ("c", "posix") or first.startswith("c."):
            return "en"
        return "fr" if first.startswith("fr") else "en"
    return "en"


def tr(en: str, fr: str) -> str:
    """The text in the user's language; both are written at the call site so neither drifts."""
    return fr if cli_language() == "fr" else en

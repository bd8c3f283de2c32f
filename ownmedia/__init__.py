"""ownmedia: publish on a channel you own, talk with readers, measure what it does.

A Pelican site uses the installed package with no checkout and no PLUGIN_PATHS:

    import ownmedia
    PLUGINS = list(ownmedia.PLUGINS)      # or only some of them, e.g. "ownmedia.plugins.seo"
    THEME = ownmedia.theme_path()         # optional: the site may keep its own theme
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

# Every plugin under its package name (no other Pelican plugin can take these names), in the
# order a build needs: incremental first (it sets up the build state the others use).
PLUGINS: tuple[str, ...] = tuple(f"ownmedia.plugins.{name}" for name in (
    "incremental", "comments", "print_view", "share", "cta", "analytics", "seo", "lang_sites",
    "print_qr", "video",
))


def theme_path() -> str:
    """The theme's folder, for THEME: inside the package when installed from a wheel, the
    repository's theme/ folder in a checkout (an editable install)."""
    here = Path(__file__).resolve().parent
    shipped = here / "theme"
    return str(shipped if (shipped / "templates").is_dir() else here.parent / "theme")


def plugins_path() -> Path:
    """The folder the ownmedia.plugins package is imported from (wheel or checkout)."""
    from importlib.util import find_spec

    spec = find_spec("ownmedia.plugins")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


def namespace_plugins() -> list[str]:
    """The Pelican namespace plugins installed here (what Pelican loads when PLUGINS is
    unset), so a site that relied on that keeps them when it lists ours:
    PLUGINS = [*ownmedia.namespace_plugins(), *ownmedia.PLUGINS]."""
    import pkgutil

    import pelican.plugins

    return sorted(name for _, name, is_package in
                  pkgutil.iter_modules(pelican.plugins.__path__, "pelican.plugins.")
                  if is_package)

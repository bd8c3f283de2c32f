"""What other packages' plugins on the same site already write, so that ours steps back
instead of writing it a second time: pelican-seo (`pelican.plugins.seo`) adds a canonical link
(and, when asked, OpenGraph and Twitter tags) to each article and page and writes robots.txt;
pelican-sitemap (`pelican.plugins.sitemap`) writes sitemap.xml (or .txt). Two canonical links
or two og:title on a page are worse than either one, and the last sitemap.xml written wins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PELICAN_SEO = "pelican.plugins.seo"
PELICAN_SITEMAP = "pelican.plugins.sitemap"
# where the decision is kept for the build (templates read it from the context); lower case:
# not a setting of the owner
LEFT_KEY = "ownmedia_seo_left_to_others"


@dataclass(frozen=True)
class LeftToOthers:
    """Tag groups ("canonical", "og", "twitter") and files ("robots.txt", "sitemap.xml") ours
    does not write, and the sitemap the other plugin writes instead of ours."""

    tags: frozenset[str] = frozenset()
    files: frozenset[str] = frozenset()
    sitemap: str = "sitemap.xml"
    said: tuple[str, ...] = ()  # "pelican-seo writes canonical links, ..." per plugin

    def __bool__(self) -> bool:
        return bool(self.tags or self.files)

    def summary(self) -> str:
        return "; ".join(self.said)


TAG_NAMES = {"canonical": "canonical links", "og": "OpenGraph tags", "twitter": "Twitter tags"}


def _names(plugins: Iterable[object]) -> set[str]:
    """Plugin names, a copy of the old pelican-plugins repository's (`sitemap` on
    PLUGIN_PATHS) counted as the package it became; ours are never counted."""
    names = {str(getattr(p, "__name__", p)) for p in plugins}
    return {f"pelican.plugins.{n}" if n in ("seo", "sitemap") else n for n in names
            if not n.startswith("ownmedia.")}


def left_to_others(plugins: Iterable[object], settings: Mapping) -> LeftToOthers:
    """From the registered plugins (Pelican's PLUGINS once it loaded them: module names) and
    the other plugins' own settings, with their defaults (pelican-seo enhances nothing unless
    SEO_ENHANCER is set; pelican-sitemap writes sitemap.<format>, xml by default)."""
    names = _names(plugins)
    tags: list[str] = []
    files: set[str] = set()
    sitemap = "sitemap.xml"
    said: list[str] = []
    if PELICAN_SEO in names and settings.get("SEO_ENHANCER"):
        tags.append("canonical")
        if settings.get("SEO_ENHANCER_OPEN_GRAPH"):
            tags.append("og")
            if settings.get("SEO_ENHANCER_TWITTER_CARDS"):
                tags.append("twitter")
        files.add("robots.txt")
        said.append(f"pelican-seo writes {', '.join(TAG_NAMES[t] for t in tags)} and robots.txt")
    if PELICAN_SITEMAP in names:
        config = settings.get("SITEMAP") or {}
        fmt = config.get("format", "xml") if isinstance(config, Mapping) else "xml"
        sitemap = f"sitemap.{fmt}"
        files.add("sitemap.xml")  # txt: ours would be a second sitemap beside theirs
        said.append(f"pelican-sitemap writes {sitemap}")
    return LeftToOthers(frozenset(tags), frozenset(files), sitemap, tuple(said))

"""Fixture sites of our own (sites/<name>/pelicanconf.py + content/ + theme/), built for real
with Pelican through ownmedia.site.build_site, and checks on what a build wrote."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

SITES = Path(__file__).resolve().parent


def copy_site(name: str, dest: Path) -> Path:
    """A writable copy of the fixture site `name` (tests may edit its content or theme)."""
    shutil.copytree(SITES / name, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def build_fixture(site: Path, out: Path, **overrides) -> Path:
    from ownmedia.site import build_site

    return build_site(out, settings_file=site / "pelicanconf.py", content=site / "content",
                      **overrides)


def local_file(out: Path, siteurl: str, url: str) -> Path | None:
    """The output file a URL of this site is served from (None for another site's URL)."""
    if siteurl and url.startswith(siteurl):
        url = url[len(siteurl):]
    elif url.startswith(("http://", "https://", "//", "mailto:")):
        return None
    path = urlsplit(url).path.lstrip("/")
    target = out / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target


def assets(page: Path) -> list[str]:
    """The stylesheets and scripts a page loads."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in soup.select('link[rel="stylesheet"]')]
    return links + [s["src"] for s in soup.select("script[src]")]

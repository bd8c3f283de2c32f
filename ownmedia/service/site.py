"""Serve the built static site on the same port as the API."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles


def mount_site(app: Starlette, site_dir: Path) -> None:
    """html=True serves index.html for directories and 404.html for what is missing."""
    static = StaticFiles(directory=str(site_dir), html=True, check_dir=False)
    from ownmedia.comments.live_static import LiveStatic  # pages replaced by live publishing
    from ownmedia.importers.serving import RedirectsApp  # old URLs of an imported blog
    from ownmedia.mentions.headers import MentionHeaders  # Link/X-Pingback on HTML pages

    app.mount("/", RedirectsApp(MentionHeaders(LiveStatic(static)), site_dir), name="site")

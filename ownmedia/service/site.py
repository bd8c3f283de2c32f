"""Serve the built static site on the same port as the API."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles


def mount_site(app: Starlette, site_dir: Path, policy: str = "") -> None:
    """html=True serves index.html for directories and 404.html for what is missing.

    `policy`: [server] content_security_policy ("" = the built-in one, "off" = none)."""
    static = StaticFiles(directory=str(site_dir), html=True, check_dir=False)
    from ownmedia.comments.live_static import LiveStatic  # pages replaced by live publishing
    from ownmedia.importers.serving import RedirectsApp  # old URLs of an imported blog
    from ownmedia.mentions.headers import MentionHeaders  # Link/X-Pingback on HTML pages
    from ownmedia.service.security_headers import SecurityHeaders, VideoFrames, default_policy

    # the built-in policy lets the pages with a video frame its player; an owner's own policy
    # is sent as written
    frames = VideoFrames(site_dir) if not policy else None
    policy = default_policy() if not policy else "" if policy == "off" else policy
    app.mount("/", SecurityHeaders(RedirectsApp(MentionHeaders(LiveStatic(static)), site_dir),
                                   policy, frames), name="site")

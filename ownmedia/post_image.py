"""The one image that stands for a post, shared by plugins/share (Pin It), plugins/seo
(og:image) and the listing pages, so all three always agree.

Order: the `image` metadata, else `cover` (Hugo/PaperMod's name for it), else the first
<img> in the post's content, else the site default (setting SHARE_DEFAULT_IMAGE)."""

from __future__ import annotations

import re

IMG_SRC_RE = re.compile(r"<img\b[^>]*?(?<![\w-])src\s*=\s*(?:\"([^\"]+)\"|'([^']+)')", re.I)


def absolute(url: str | None, siteurl: str) -> str | None:
    """A site path ("images/a.png", "/images/a.png") made absolute; full URLs kept."""
    if not url:
        return None
    url = url.strip()
    if url.startswith(("http://", "https://", "//")):
        return url
    return f"{siteurl}/{url.lstrip('/')}"


def first_content_image(html: str) -> str | None:
    match = IMG_SRC_RE.search(html or "")
    return (match.group(1) or match.group(2)) if match else None


def metadata_image(content) -> str | None:
    """`image` or `cover` metadata only (what a listing shows: no guess from the body)."""
    for name in ("image", "cover"):
        value = getattr(content, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def post_image_url(content, settings: dict) -> str | None:
    """Absolute URL of the post's image, or None when there is none and no site default."""
    siteurl = settings.get("SITEURL", "")
    image = metadata_image(content)
    if image is None:
        body = getattr(content, "content", "") or ""
        image = first_content_image(body)
    if image is None:
        image = settings.get("SHARE_DEFAULT_IMAGE") or None
    return absolute(image, siteurl)

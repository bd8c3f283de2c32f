"""The one image that stands for a post, shared by plugins/share (Pin It), plugins/seo
(og:image) and the listing pages, so all three always agree.

Order: the first of the metadata IMAGE_FIELDS (`image`; `cover`, Hugo/PaperMod's and many
Pelican themes' name; `og_image`, pelican-seo's; `featured_image`, WordPress's and Flex's;
`header_cover`, attila's), else the first <img> in the post's content, else the site default
(setting SHARE_DEFAULT_IMAGE). Pelican's `{static}`/`{attach}`/`{filename}` prefixes are
resolved: `{static}/a.png` from the content root, `{static}a.png` beside the post."""

from __future__ import annotations

import posixpath
import re

IMAGE_FIELDS = ("image", "cover", "og_image", "featured_image", "header_cover")
LINK_PREFIX_RE = re.compile(r"^\{(static|attach|filename)\}")

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
    """The IMAGE_FIELDS metadata only (what a listing shows: no guess from the body)."""
    for name in IMAGE_FIELDS:
        value = getattr(content, name, None)
        if isinstance(value, str) and value.strip():
            return resolve_link(value.strip(), content)
    return None


def resolve_link(value: str, content) -> str:
    """A `{static}`-style metadata value as a site path (Pelican resolves these in the body
    only); other values unchanged."""
    match = LINK_PREFIX_RE.match(value)
    if not match:
        return value
    path = value[match.end():]
    if path.startswith("/"):
        return path.lstrip("/")
    relative = getattr(content, "relative_dir", "") or ""
    return posixpath.normpath(posixpath.join(relative, path))


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

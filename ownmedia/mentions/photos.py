"""Author photos of webmentions, shown from a copy of our own (a reader's browser never asks
another site for them).

The photo named by the source's h-card is fetched through the SSRF-guarded client, kept only
when its bytes are a PNG, JPEG, GIF or WebP image (whatever the Content-Type claims: never
SVG or HTML) of at most MAX_PHOTO_BYTES, and written under the content's static images
(`<content>/images/mentions/<sha256>.<ext>`, copied by every build) and the built site (for
the live page at once). The comment file references the local path."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from ownmedia.config import Config
from ownmedia.mentions.fetch import FetchError, fetch

log = logging.getLogger("ownmedia.mentions")
PHOTO_PATH = "images/mentions"
MAX_PHOTO_BYTES = 256 * 1024


def _write_bytes(path: Path, data: bytes) -> None:
    """As ownmedia.fsutil.atomic_write_text, for bytes (same .tmp dot names)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def image_type(data: bytes) -> str:
    """The file extension of an image the browser will show as one, or ""."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return ""


def store_photo(url: str, config: Config) -> str:
    """The local URL path of our copy of the photo at `url`, or "" when there is none to
    keep (unreachable, too large, not an image): a mention without a photo is still one."""
    if not url:
        return ""
    limits = replace(config.mentions, max_bytes=MAX_PHOTO_BYTES + 1)
    try:
        result = fetch(url, limits, headers={"Accept": "image/*"})
    except FetchError as exc:
        log.info("author photo %s not kept: %s", url, exc)
        return ""
    ext = image_type(result.body)
    if result.status != 200 or result.truncated or not ext:
        log.info("author photo %s not kept: status %s, %d bytes, type %r", url, result.status,
                 len(result.body), ext)
        return ""
    name = f"{hashlib.sha256(result.body).hexdigest()[:32]}.{ext}"
    folders = [Path(config.comments.content_dir) / PHOTO_PATH]
    if config.site_dir.is_dir():
        folders.append(config.site_dir / PHOTO_PATH)
    for folder in folders:
        if not (folder / name).is_file():
            folder.mkdir(parents=True, exist_ok=True)
            _write_bytes(folder / name, result.body)
    return f"/{PHOTO_PATH}/{name}"

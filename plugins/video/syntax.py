"""The video marker, read without Pelican: `[[video:PROVIDER:REF "Title" poster=PATH]]` alone on
its line, with PROVIDER youtube (REF: the 11-character video id), vimeo (REF: the numeric id) or
file (REF: a path under the content folder ending .mp4 or .webm; `clip.mp4|webm` names the same
video in both formats, the browser takes the first it can play). The title (in double quotes)
and the poster (an image under the content folder) are optional.

A marker that cannot be read raises VideoError with what is wrong; the plugin adds the file and
line. Markers inside fenced code are left alone (shared with the CTA syntax), so posts can
document the syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER_RE = re.compile(r"^ {0,3}\[\[\s*video\s*:(?P<body>.*)\]\]\s*$", re.IGNORECASE)
BODY_RE = re.compile(
    r"^\s*(?P<provider>[A-Za-z]+)\s*:\s*(?P<ref>[^\s\"]+)"
    r"(?:\s+\"(?P<title>[^\"]*)\")?"
    r"(?:\s+poster\s*=\s*(?P<poster>[^\s\"]+))?\s*$")
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^\d{1,12}$")
FILE_PATH = re.compile(r"^[A-Za-z0-9._~/-]+\.(mp4|webm)$", re.IGNORECASE)
POSTER_PATH = re.compile(r"^[A-Za-z0-9._~/-]+\.(png|jpe?g|webp|gif|svg|avif)$", re.IGNORECASE)
PROVIDERS = ("youtube", "vimeo", "file")
MIME = {"mp4": "video/mp4", "webm": "video/webm"}


class VideoError(ValueError):
    """A marker that cannot be rendered; the message says what to write instead."""


@dataclass(frozen=True)
class Video:
    """One video as the author placed it. `sources` are content-relative paths (file only)."""

    provider: str
    ref: str  # the id (youtube, vimeo) or the first file path as written (file)
    title: str = ""
    poster: str = ""
    sources: tuple[str, ...] = ()
    line: int = 0

    @property
    def anchor(self) -> str:
        """The figure's id: the QR code of the print view points at it."""
        return "video-" + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{self.provider}-{self.ref}").strip("-")

    @property
    def watch_url(self) -> str:
        """Where the video lives for a reader without JavaScript (the provider's own page)."""
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.ref}"
        if self.provider == "vimeo":
            return f"https://vimeo.com/{self.ref}"
        return ""

    @property
    def embed_url(self) -> str:
        """The iframe loaded on click: YouTube's privacy-enhanced host, Vimeo with Do Not Track."""
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.ref}?autoplay=1&rel=0"
        if self.provider == "vimeo":
            return f"https://player.vimeo.com/video/{self.ref}?dnt=1&autoplay=1"
        return ""


# The frame origins each provider needs, for the pages' Content-Security-Policy.
FRAME_ORIGINS = {"youtube": "https://www.youtube-nocookie.com",
                 "vimeo": "https://player.vimeo.com"}
PROVIDER_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo", "file": ""}


def parse_marker(body: str, line: int = 0) -> Video:
    """The part between `[[video:` and `]]` -> Video, or VideoError."""
    m = BODY_RE.match(body)
    if not m:
        raise VideoError(f"cannot read [[video:{body.strip()}]]: write "
                         '[[video:youtube|vimeo|file:REF "Title" poster=images/x.jpg]] '
                         "(title and poster optional)")
    provider = m.group("provider").lower()
    ref = m.group("ref")
    title = (m.group("title") or "").strip()
    poster = m.group("poster") or ""
    if provider not in PROVIDERS:
        raise VideoError(f"unknown video provider '{provider}' (known: {', '.join(PROVIDERS)})")
    if poster and (not POSTER_PATH.match(poster) or ".." in poster.split("/")):
        raise VideoError(f"poster '{poster}': an image path under the content folder "
                         "(png, jpg, webp, gif, svg, avif), e.g. images/poster.jpg")
    sources: tuple[str, ...] = ()
    if provider == "youtube" and not YOUTUBE_ID.match(ref):
        raise VideoError(f"'{ref}' is not a YouTube video id (11 letters, digits, - or _, "
                         "as in youtube.com/watch?v=ID)")
    if provider == "vimeo" and not VIMEO_ID.match(ref):
        raise VideoError(f"'{ref}' is not a Vimeo video id (digits, as in vimeo.com/ID)")
    if provider == "file":
        sources = _file_sources(ref)
    return Video(provider, ref, title, poster.lstrip("/"), sources, line)


def _file_sources(ref: str) -> tuple[str, ...]:
    first, _, others = ref.partition("|")
    first = first.lstrip("/")
    if not FILE_PATH.match(first) or ".." in first.split("/"):
        raise VideoError(f"video file '{ref}': a path under the content folder ending .mp4 or "
                         ".webm (letters, digits, . _ - / only), e.g. media/clip.mp4|webm")
    stem, ext = first.rsplit(".", 1)
    sources = [first]
    for alt in filter(None, others.split("|")):
        alt = alt.lower().lstrip(".")
        if alt not in MIME or alt == ext.lower():
            raise VideoError(f"video file '{ref}': after '|' comes the other format "
                             "(mp4 or webm), e.g. media/clip.mp4|webm")
        sources.append(f"{stem}.{alt}")
    # WebM first: smaller at the same quality, and every current browser plays it
    return tuple(sorted(sources, key=lambda s: not s.lower().endswith(".webm")))


def mime_type(path: str) -> str:
    return MIME[path.rsplit(".", 1)[-1].lower()]

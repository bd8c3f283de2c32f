"""Pelican wiring of the video plugin.

- `initialized`: add the Markdown extension to this build's MARKDOWN settings.
- `content_object_init`: replace the placeholders with players; set `videos` on the post (the
  theme loads video.js only where there are some) and check that local files and posters exist.
- `all_generators_finalized`: fail the build with every problem found, as the CTA plugin
  does (Pelican logs and skips a post whose reading raises: a silent loss).
- `finalized`: write `videos.json` at the root of the output (the pages that hold videos, with
  the frame origins each needs, read by the service's Content-Security-Policy; and each video's
  title and post, read by the review).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals

from ownmedia.pelican_support import BuildError, plugin_enabled

from .markdown_ext import PLACEHOLDER_RE, VideoExtension, parse_placeholder
from .render import render_video
from .syntax import FRAME_ORIGINS, Video, VideoError, parse_marker

log = logging.getLogger(__name__)
NAME = "video"
STATE_KEY = "_OWNMEDIA_VIDEO_BUILD"
MANIFEST = "videos.json"


class VideoBuildError(BuildError):
    """The build stops: the message lists each problem with its file and line."""


@dataclass
class BuildState:
    content_root: Path
    errors: list[str] = field(default_factory=list)
    pages: dict[str, list[str]] = field(default_factory=dict)  # "/save/as/" -> frame origins
    videos: list[dict] = field(default_factory=list)


def initialize(pelican: object) -> None:
    settings = pelican.settings  # type: ignore[attr-defined]
    settings[STATE_KEY] = None
    if not plugin_enabled(settings, NAME):
        return
    markdown = dict(settings.get("MARKDOWN") or {})
    extensions = [e for e in markdown.get("extensions", []) if not isinstance(e, VideoExtension)]
    markdown["extensions"] = [*extensions, VideoExtension()]
    settings["MARKDOWN"] = markdown
    settings[STATE_KEY] = BuildState(Path(settings.get("PATH", ".")).resolve())


def page_key(save_as: str) -> str:
    """The URL path a page is served at: '/2026/slug/' for 2026/slug/index.html."""
    path = "/" + save_as.lstrip("/")
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def _where(state: BuildState, source: str, line: int) -> str:
    try:
        rel = str(Path(source).resolve().relative_to(state.content_root))
    except ValueError:
        rel = source
    return f"{rel}:{line}"


def _check_files(state: BuildState, video: Video) -> str:
    """'' or what is missing: files are looked up under the content folder."""
    for path in (*video.sources, video.poster):
        if path and not (state.content_root / path).is_file():
            return f"'{path}' not found under the content folder"
    return ""


def process_content(instance: object) -> None:
    settings = getattr(instance, "settings", None) or {}
    state: BuildState | None = settings.get(STATE_KEY)
    content = getattr(instance, "_content", None)
    instance.videos = []  # type: ignore[attr-defined]
    if state is None or not content or "<!--ownmedia-video:" not in content:
        return
    source = getattr(instance, "source_path", "") or ""
    slug = getattr(instance, "slug", "") or ""
    lang = getattr(instance, "lang", None) or settings.get("DEFAULT_LANG", "fr")
    placed: list[Video] = []

    def replace(match: re.Match) -> str:
        line, body = parse_placeholder(match)
        where = f"{_where(state, source, line)}: post '{slug}'"
        try:
            video = parse_marker(body, line)
        except VideoError as exc:
            state.errors.append(f"{where}: {exc}")
            return ""
        missing = _check_files(state, video)
        if missing:
            state.errors.append(f"{where}: [[video:{body.strip()}]]: {missing}")
            return ""
        placed.append(video)
        return render_video(video, post_slug=slug, lang=lang)

    instance._content = PLACEHOLDER_RE.sub(replace, content)  # type: ignore[attr-defined]
    instance.videos = placed  # type: ignore[attr-defined]
    save_as = getattr(instance, "save_as", "") or ""
    if placed and save_as:
        key = page_key(save_as)
        origins = sorted({FRAME_ORIGINS[v.provider] for v in placed if v.provider in FRAME_ORIGINS})
        state.pages[key] = origins
        state.videos += [{"video": v.ref, "provider": v.provider, "title": v.title,
                          "post": slug, "page": key} for v in placed]


def check(generators: list) -> None:
    """Fail the build, before anything is written, if any marker was wrong."""
    state: BuildState | None = generators[0].settings.get(STATE_KEY) if generators else None
    if state is None or not state.errors:
        return
    errors = list(dict.fromkeys(state.errors))
    for error in errors:  # one clean line each, before Pelican prints the exception
        log.error("video: %s", error)
    problems = "\n".join(f"  - {e}" for e in errors)
    raise VideoBuildError(f"{len(errors)} video problem(s):\n{problems}")


def write_manifest(pelican: object) -> None:
    settings = pelican.settings  # type: ignore[attr-defined]
    state: BuildState | None = settings.get(STATE_KEY)
    if state is None:
        return
    manifest = Path(pelican.output_path) / MANIFEST  # type: ignore[attr-defined]
    if not state.pages:
        manifest.unlink(missing_ok=True)  # no stale frame permission from an earlier build
        return
    manifest.write_text(json.dumps(
        {"pages": dict(sorted(state.pages.items())),
         "videos": sorted(state.videos, key=lambda v: (v["page"], v["video"]))},
        indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def register() -> None:
    signals.initialized.connect(initialize)
    signals.content_object_init.connect(process_content)
    signals.all_generators_finalized.connect(check)
    signals.finalized.connect(write_manifest)

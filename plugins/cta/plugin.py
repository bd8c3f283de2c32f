"""Pelican wiring of the CTA plugin.

- `initialized`: check the registry (`CTAS`, `CTA_DEFAULT`, `CTA_GOAL_PAGES`) and add the
  Markdown extension to this build's MARKDOWN settings.
- `content_object_init`: replace the extension's placeholders with rendered CTAs and set
  `article.cta_end_html` (the end-of-post CTA the theme prints after the body).
- `all_generators_finalized`: fail the build with every problem found. Problems are collected
  rather than raised where they are found because Pelican logs and skips a post whose reading
  raises, and a skipped post is a silent loss; a failed build is not.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from pelican import signals

from ownmedia.pelican_support import connect_common

from .markdown_ext import PLACEHOLDER_RE, CTAExtension
from .registry import CTA, CTAError, parse_goal_pages, parse_registry
from .render import render_cta

log = logging.getLogger(__name__)
STATE_KEY = "_OWNMEDIA_CTA_BUILD"
NONE_VALUES = {"none", "no", "false", "off", "aucun", "aucune"}


class CTABuildError(CTAError):
    """The build stops: the message lists each problem with its file, line, post and CTA id."""


@dataclass
class BuildState:
    ctas: dict[str, CTA]
    default: str
    goal_pages: dict[str, str]
    errors: list[str] = field(default_factory=list)
    # cta id -> [(source path, slug, line or "end")]
    uses: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)


def _rel(path: str, settings: dict) -> str:
    root = str(_resolved(settings.get("PATH", ".")))
    if path.startswith(root + os.sep):  # the usual case: no resolve() (syscalls) per post
        return path[len(root) + 1:]
    try:
        return str(Path(path).resolve().relative_to(_resolved(settings.get("PATH", "."))))
    except ValueError:
        return str(path)


@lru_cache(maxsize=8)
def _resolved(path: str) -> Path:
    """The content folder, resolved once per build rather than once per post."""
    return Path(path).resolve()


def _metadata_line(source_path: str, key: str) -> int:
    """Line of `key:` in a Markdown metadata header (0 when not found)."""
    try:
        lines = Path(source_path).read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return 0
    pattern = re.compile(rf"^{re.escape(key)}\s*:", re.IGNORECASE)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            break
        if pattern.match(line):
            return number
    return 0


def enabled(settings: dict, name: str) -> bool:
    """Signals stay connected for the whole process: act only in builds that list the plugin."""
    from ownmedia.pelican_support import plugin_enabled

    return plugin_enabled(settings, name)


def initialize(pelican: object) -> None:
    settings = pelican.settings  # type: ignore[attr-defined]
    settings[STATE_KEY] = None
    if not enabled(settings, "cta"):
        return
    try:
        ctas = parse_registry(settings.get("CTAS"))
        goal_pages = parse_goal_pages(settings.get("CTA_GOAL_PAGES"))
    except CTAError as exc:
        raise CTABuildError(f"pelicanconf: {exc}") from None
    default = settings.get("CTA_DEFAULT") or ""
    if default and default.lower() in NONE_VALUES:
        default = ""
    if default and default not in ctas:
        raise CTABuildError(
            f"pelicanconf: CTA_DEFAULT = {default!r} is not in CTAS "
            f"(known: {', '.join(sorted(ctas)) or 'none'})"
        )
    markdown = dict(settings.get("MARKDOWN") or {})
    extensions = [e for e in markdown.get("extensions", []) if not isinstance(e, CTAExtension)]
    markdown["extensions"] = [*extensions, CTAExtension()]
    settings["MARKDOWN"] = markdown
    settings[STATE_KEY] = BuildState(ctas=ctas, default=default, goal_pages=goal_pages)


def _problem(state: BuildState, where: str, slug: str, what: str, cta_id: str) -> None:
    state.errors.append(f"{where}: post '{slug}': {what} CTA id '{cta_id}'")


def _check(state: BuildState, cta_id: str, where: str, slug: str) -> CTA | None:
    cta = state.ctas.get(cta_id)
    if cta is None:
        known = ", ".join(sorted(state.ctas)) or "none"
        _problem(state, where, slug, f"unknown (known: {known})", cta_id)
        return None
    if not cta.url:
        _problem(state, where, slug, "no destination ('url' missing in CTAS) for", cta_id)
        return None
    return cta


def process_content(instance: object) -> None:
    """Render this post's CTAs and choose its end-of-post CTA."""
    settings = getattr(instance, "settings", None) or {}
    state: BuildState | None = settings.get(STATE_KEY)
    if state is None:
        return
    source = getattr(instance, "source_path", "") or ""
    rel = _rel(source, settings)
    slug = getattr(instance, "slug", "") or ""
    lang = getattr(instance, "lang", None) or settings.get("DEFAULT_LANG", "fr")
    first_line: dict[str, int] = {}

    def replace(match: re.Match) -> str:
        cta_id, line = unquote(match.group("id")), int(match.group("line"))
        where = f"{rel}:{line}"
        if not cta_id:
            state.errors.append(f"{where}: post '{slug}': empty CTA id in [[cta:]]")
            return ""
        if cta_id in first_line:
            _problem(state, where, slug,
                     f"duplicate (already placed on line {first_line[cta_id]})", cta_id)
            return ""
        first_line[cta_id] = line
        cta = _check(state, cta_id, where, slug)
        if cta is None:
            return ""
        state.uses.setdefault(cta_id, []).append((rel, slug, str(line)))
        return render_cta(cta, post_slug=slug, lang=lang, settings=settings)

    content = getattr(instance, "_content", None)
    if content and "<!--ownmedia-cta:" in content:
        instance._content = PLACEHOLDER_RE.sub(replace, content)  # type: ignore[attr-defined]
    instance.ctas = list(first_line)  # type: ignore[attr-defined]
    instance.cta_end_html = ""  # type: ignore[attr-defined]
    if type(instance).__name__ != "Article":
        return
    _end_of_post(instance, state, settings, rel, slug, lang, first_line)


def _end_of_post(instance: object, state: BuildState, settings: dict, rel: str, slug: str,
                 lang: str, first_line: dict[str, int]) -> None:
    metadata = getattr(instance, "metadata", {}) or {}
    chosen = metadata.get("cta")
    if chosen is not None:
        chosen = str(chosen).strip()
        if chosen.lower() in NONE_VALUES:
            return
        line = _metadata_line(getattr(instance, "source_path", ""), "cta")
        where = f"{rel}:{line} (metadata 'cta')"
        if chosen in first_line:
            _problem(state, where, slug,
                     f"duplicate (already placed on line {first_line[chosen]})", chosen)
            return
    else:
        chosen = state.default
        where = f"{rel} (CTA_DEFAULT)"
        if not chosen or chosen in first_line:  # the site default yields to an inline CTA
            return
    cta = _check(state, chosen, where, slug)
    if cta is None:
        return
    state.uses.setdefault(chosen, []).append((rel, slug, "end"))
    instance.cta_end_html = render_cta(  # type: ignore[attr-defined]
        cta, post_slug=slug, lang=lang, settings=settings, position="end")


def finalize(generators: list) -> None:
    """Fail the build if any CTA problem was found."""
    settings = generators[0].settings if generators else {}
    state: BuildState | None = settings.get(STATE_KEY)
    if state is None:
        return
    for cta_id, cta in state.ctas.items():
        if not cta.url and cta_id not in state.uses:
            state.errors.append(f"pelicanconf: CTAS['{cta_id}'] has no destination ('url')")
    if state.errors:
        errors = list(dict.fromkeys(state.errors))
        for error in errors:  # one clean line each, before Pelican prints the exception
            log.error("CTA: %s", error)
        problems = "\n".join(f"  - {e}" for e in errors)
        raise CTABuildError(f"{len(errors)} CTA problem(s):\n{problems}")


def register() -> None:
    connect_common(signals)
    signals.initialized.connect(initialize)
    signals.content_object_init.connect(process_content)
    signals.all_generators_finalized.connect(finalize)

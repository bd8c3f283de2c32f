"""Checks of the post and page metadata the site relies on. Each problem stops the build with
a message naming the file and the field to fix, never a bare traceback."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ownmedia.pelican_support import BuildError

log = logging.getLogger(__name__)

META_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):\s*(.*)$")


class ContentCheckError(BuildError):
    """Stops the build; the message names the content file and the field to fix."""



def check_content(content, settings: dict) -> None:
    """Unknown language or a missing image file: stop with the file and the field named."""
    source = getattr(content, "source_path", "<content>")
    langs = settings.get("SITE_LANGUAGES", ("fr", "en"))
    lang = getattr(content, "lang", None)
    if lang not in langs:
        raise ContentCheckError(
            f"{source}: field 'lang': unknown language {lang!r} (known: {', '.join(langs)})"
        )
    image = getattr(content, "image", None)
    if image and not image.startswith(("http://", "https://")):
        path = Path(settings["PATH"]) / image.lstrip("/")
        if not path.is_file():
            raise ContentCheckError(
                f"{source}: field 'image': {image!r} not found (expected {path})"
            )


def markdown_metadata(path: Path) -> dict[str, str]:
    """The 'Key: value' header of a Markdown post (lower-cased keys)."""
    meta: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            break
        match = META_LINE.match(line)
        if match:
            meta[match.group(1).lower()] = match.group(2).strip()
    return meta


def diagnose(path: Path, is_article: bool = False) -> str:
    """Say which field of a post Pelican could not read, as precisely as we can."""
    from pelican.utils import get_date

    if path.suffix.lower() not in (".md", ".markdown", ".mkd", ".mdown"):
        return "could not be read (run pelican with --debug for details)"
    meta = markdown_metadata(path)
    if not meta.get("title"):
        return "field 'title': missing (add a line 'Title: ...' to the file's header)"
    if is_article and not meta.get("date"):
        return "field 'date': missing (e.g. Date: 2026-09-08 09:00)"
    for key in ("date", "modified"):
        if key in meta:
            try:
                get_date(meta[key].replace("_", " "))
            except (ValueError, OverflowError):
                return f"field '{key}': not a date: {meta[key]!r} (use e.g. 2026-09-08 09:00)"
    status = meta.get("status")
    if status and status not in ("published", "draft", "hidden", "skip"):
        return f"field 'status': {status!r} (use published, draft, hidden or skip)"
    return "could not be read (run pelican with --debug for details)"


UNREADABLE_SETTING = "OWNMEDIA_UNREADABLE_CONTENT"  # "error" (default) or "warn"


def check_failed_sources(context: dict, settings: dict) -> None:
    """Pelican logs 'Could not process <file>' and drops the post; we stop instead, naming
    the field, so that a typo never silently unpublishes a post. An owner whose site has
    such files on purpose (notes without a title) sets OWNMEDIA_UNREADABLE_CONTENT = "warn":
    each is then named in one warning and dropped, as Pelican does."""
    failed = sorted(p for p, c in context.get("generated_content", {}).items() if c is None)
    if not failed:
        return
    root = Path(settings["PATH"])
    article_dirs = tuple(p.rstrip("/") + "/" for p in settings.get("ARTICLE_PATHS", []))
    problems = []
    for rel in failed:
        is_article = bool(article_dirs) and rel.startswith(article_dirs)
        problems.append(f"{root / rel}: {diagnose(root / rel, is_article)}")
    mode = str(settings.get(UNREADABLE_SETTING, "error")).lower()
    if mode not in ("error", "warn"):
        raise ContentCheckError(f"pelicanconf: {UNREADABLE_SETTING} = {mode!r}: use 'error' "
                                "or 'warn'")
    if mode == "warn":
        for problem in problems:
            log.warning("ownmedia: not published: %s", problem)
        return
    raise ContentCheckError(
        "bad post or page metadata:\n  " + "\n  ".join(problems)
        + f"\n(fix each file, or set {UNREADABLE_SETTING} = \"warn\" in pelicanconf.py to "
        "drop such files with a warning, as Pelican does)")

"""Small copies of the sample content, to build variants (bad files) into temporary folders."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"


def copy_content(dest: Path, slugs: tuple[str, ...] = ("own-your-channel",)) -> Path:
    """pages/, images/, extra/ and the posts and comment folders of `slugs` only."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("pages", "images", "extra"):
        shutil.copytree(CONTENT / name, dest / name)
    (dest / "posts").mkdir()
    (dest / "comments").mkdir()
    for post in sorted((CONTENT / "posts").glob("*.md")):
        if any(post.name.startswith(slug + ".") for slug in slugs):
            shutil.copy(post, dest / "posts" / post.name)
    for slug in slugs:
        if (CONTENT / "comments" / slug).is_dir():
            shutil.copytree(CONTENT / "comments" / slug, dest / "comments" / slug)
    return dest


@pytest.fixture
def small_content(tmp_path: Path) -> Callable[..., Path]:
    """Factory: small_content(slugs=...) -> a content folder in tmp_path."""

    def _make(slugs: tuple[str, ...] = ("own-your-channel",)) -> Path:
        return copy_content(tmp_path / "content", slugs)

    return _make


def build(content: Path, out: Path) -> Path:
    from ownmedia.site import build_site

    return build_site(out, content=content)

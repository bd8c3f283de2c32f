"""Shared helpers of the importer tests: the hand-written export and an uploads folder."""

from __future__ import annotations

from pathlib import Path

from pelican.settings import DEFAULT_CONFIG

from ownmedia.importers.wordpress import ImportOptions, Summary, WordPressImporter
from ownmedia.importers.wxr import parse_wxr

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small-export.xml"
POST_SLUG = "cafe-license-compatible"  # from caf%c3%a9-license%e2%80%91compatible
PAGE_SLUG = "qui-sommes-nous"


def make_uploads(root: Path) -> Path:
    """A local copy of wp-content/uploads: two of the three files the posts link to, and a
    file of the media library no post links to."""
    uploads = root / "uploads"
    (uploads / "2020" / "05").mkdir(parents=True)
    (uploads / "2020" / "05" / "photo.jpg").write_bytes(b"\xff\xd8 full size")
    (uploads / "2020" / "05" / "photo-300x200.jpg").write_bytes(b"\xff\xd8 thumb")
    (uploads / "2020" / "05" / "programme.pdf").write_bytes(b"%PDF-1.4 programme")
    return uploads


def settings(**overrides) -> dict:
    return {**DEFAULT_CONFIG, "PATH": "content", "TIMEZONE": "Europe/Paris",
            "ARTICLE_URL": "{date:%Y}/{slug}/", "PAGE_URL": "{slug}/",
            "ARTICLE_PATHS": ["posts"], "PAGE_PATHS": ["pages"], **overrides}


def run_import(root: Path, export: Path = SMALL, uploads: bool = True, **options) -> Summary:
    opts = ImportOptions(
        content_dir=root / "content", data_dir=root / "data",
        settings=options.pop("settings", None) or settings(),
        uploads_dir=(root / "uploads") if uploads else None, **options,
    )
    if uploads and not (root / "uploads").exists():
        make_uploads(root)
    return WordPressImporter(parse_wxr(export), opts).run()

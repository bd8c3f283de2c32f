"""`ownmedia new post "Title"`: a post (or page) file with its metadata filled in from the
site's settings, so a blogger never writes Pelican's metadata by heart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ownmedia.scaffold.site import ScaffoldError, content_file


def site_languages(settings: dict) -> list[str]:
    """The site's languages, its default first (SITE_LANGUAGES, else DEFAULT_LANG alone)."""
    default = settings.get("DEFAULT_LANG") or "en"
    listed = list(settings.get("SITE_LANGUAGES") or [])
    return [default, *(lang for lang in listed if lang != default)]


def make_slug(title: str, settings: dict) -> str:
    """The slug Pelican would make from this title with these settings."""
    from pelican.utils import slugify

    subs = settings.get("SLUG_REGEX_SUBSTITUTIONS") or []
    slug = slugify(title, regex_subs=subs,
                   preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
                   use_unicode=settings.get("SLUGIFY_USE_UNICODE", False))
    if not slug:
        raise ScaffoldError(f"no slug can be made from the title {title!r}: give --slug")
    return slug


def new_content(settings: dict, title: str, *, kind: str = "post", lang: str | None = None,
                slug: str | None = None, now: datetime | None = None) -> Path:
    """Write the new file and return its path; refuses to overwrite one."""
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty")
    languages = site_languages(settings)
    lang = lang or languages[0]
    if lang not in languages:
        raise ScaffoldError(f"language {lang!r} is not one of the site's "
                            f"({', '.join(languages)}; SITE_LANGUAGES in the settings)")
    slug = slug or make_slug(title, settings)
    paths = settings.get("ARTICLE_PATHS" if kind == "post" else "PAGE_PATHS") or [""]
    folder = Path(settings["PATH"]) / paths[0]
    path = folder / content_file(slug, lang, languages)
    if path.exists():
        raise ScaffoldError(f"{path} already exists: choose another title or --slug")
    try:
        zone = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    now = now or datetime.now(zone)
    fields = {"Title": title, "Slug": slug, "Lang": lang}
    if kind == "post":
        author = settings.get("AUTHOR") or ""
        fields = {"Title": title, "Date": now.strftime("%Y-%m-%d %H:%M"), "Slug": slug,
                  "Lang": lang, "Category": settings.get("DEFAULT_CATEGORY") or "misc",
                  "Tags": "", "Author": author, "Status": "draft"}
    text = "".join(f"{key}: {value}".rstrip() + "\n" for key, value in fields.items())
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # "x": never replace a file made meanwhile
        out.write(text + "\n")
    return path

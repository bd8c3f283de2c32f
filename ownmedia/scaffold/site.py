"""`ownmedia init DIR`: a ready site that uses the installed package's plugins and theme, so a
blogger starts from their own folder instead of a copy of this repository."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ownmedia.scaffold.config_toml import commented_config

LANG_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class ScaffoldError(ValueError):
    """A bad answer or a folder that would be overwritten; the message says which."""


@dataclass
class SiteAnswers:
    """What `ownmedia init` asks; checked by `check()` before anything is written."""

    name: str
    url: str
    author: str
    languages: list[str] = field(default_factory=lambda: ["en"])
    timezone: str = "UTC"

    def check(self) -> None:
        if not self.name.strip():
            raise ScaffoldError("the site name is empty")
        if not self.author.strip():
            raise ScaffoldError("the author is empty")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ScaffoldError(f"URL {self.url!r}: give the public address, "
                                "e.g. https://blog.example.org")
        if not self.languages:
            raise ScaffoldError("give at least one language, e.g. en or fr,en")
        for lang in self.languages:
            if not LANG_CODE.match(lang):
                raise ScaffoldError(f"language {lang!r}: give a code such as en, fr or pt-br")
        if len(set(self.languages)) != len(self.languages):
            raise ScaffoldError("a language is given twice")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScaffoldError(f"time zone {self.timezone!r} is unknown "
                                "(an IANA name such as Europe/Paris or UTC)") from None

    @property
    def domain(self) -> str:
        return urlsplit(self.url).hostname or ""


# Example content: each text in English and French; other languages get the English text.
TEXTS = {
    "en": {
        "post_title": "Welcome to {name}",
        "post_summary": "The first post of {name}: what this site is for.",
        "post_body": "This is the first post of **{name}**. Replace it with yours: "
                     "`ownmedia new post \"A title\"` writes a new one with its metadata.\n\n"
                     "Readers can comment below; you moderate at `/admin/`.\n",
        "page_title": "About",
        "page_body": "{name} is written by {author}. Say here who you are and what "
                     "readers will find.\n",
        "category": "News",
    },
    "fr": {
        "post_title": "Bienvenue sur {name}",
        "post_summary": "Le premier billet de {name} : à quoi sert ce site.",
        "post_body": "Voici le premier billet de **{name}**. Remplacez-le par le vôtre : "
                     "`ownmedia new post \"Un titre\" --lang fr` en écrit un avec ses "
                     "métadonnées.\n\nLes lecteurs peuvent commenter ci-dessous ; la "
                     "modération se fait sur `/admin/`.\n",
        "page_title": "À propos",
        "page_body": "{name} est écrit par {author}. Dites ici qui vous êtes et ce que "
                     "les lecteurs trouveront.\n",
        "category": "Actualités",
    },
}

GITIGNORE = """\
# built site, caches and the service's data (SQLite files, generated secrets)
output/
cache/
data/
__pycache__/
*.pyc
.venv/
"""


def content_file(slug: str, lang: str, languages: list[str]) -> str:
    """`slug.md` on a one-language site, `slug.<lang>.md` when translations sit beside it."""
    return f"{slug}.md" if len(languages) == 1 else f"{slug}.{lang}.md"


def _metadata(fields: dict[str, str]) -> str:
    return "".join(f"{key}: {value}\n" for key, value in fields.items() if value) + "\n"


def example_content(answers: SiteAnswers, now: datetime) -> dict[str, str]:
    """{path under content/: text}: one post and one page per language."""
    files: dict[str, str] = {}
    for lang in answers.languages:
        text = {k: v.format(name=answers.name, author=answers.author)
                for k, v in TEXTS.get(lang, TEXTS["en"]).items()}
        files[f"posts/{content_file('welcome', lang, answers.languages)}"] = _metadata({
            "Title": text["post_title"], "Date": now.strftime("%Y-%m-%d %H:%M"),
            "Slug": "welcome", "Lang": lang, "Category": text["category"],
            "Author": answers.author, "Summary": text["post_summary"],
        }) + text["post_body"]
        files[f"pages/{content_file('about', lang, answers.languages)}"] = _metadata({
            "Title": text["page_title"], "Slug": "about", "Lang": lang,
        }) + text["page_body"]
    files["extra/robots.txt"] = "User-agent: *\nAllow: /\n"
    return files


def pelicanconf(answers: SiteAnswers) -> str:
    default, *others = answers.languages
    return f'''"""Settings of {answers.name} for building on this machine (`make html`,
`make demo`); publishconf.py adds what the public site needs (`make publish`)."""

import os

import ownmedia  # the installed package: its plugins and its theme

AUTHOR = {answers.author!r}
SITENAME = {answers.name!r}
# `make demo HOST=... PORT=...` passes them on: links, CSS and QR codes match the port served
SITEURL = "http://{{}}:{{}}".format(os.environ.get("OWNMEDIA_HOST", "127.0.0.1"),
                                os.environ.get("OWNMEDIA_PORT", "8000"))
RELATIVE_URLS = False

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra/robots.txt"]
EXTRA_PATH_METADATA = {{"extra/robots.txt": {{"path": "robots.txt"}}}}
IGNORE_FILES = [".#*", "comments"]  # comment files are read by the comments plugin

TIMEZONE = {answers.timezone!r}
DEFAULT_LANG = {default!r}
SITE_LANGUAGES = {answers.languages!r}
LANG_SITES = {others!r}  # languages with their own /<lang>/ index, archives, ...
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

THEME = ownmedia.theme_path()  # or your own theme (see ownmedia's README: snippets)
PLUGINS = list(ownmedia.PLUGINS)  # or some of them: "ownmedia.plugins.seo", ...

ARTICLE_URL = "{{date:%Y}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{slug}}/index.html"
ARTICLE_LANG_URL = "{{lang}}/{{date:%Y}}/{{slug}}/"
ARTICLE_LANG_SAVE_AS = "{{lang}}/{{date:%Y}}/{{slug}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
PAGE_LANG_URL = "{{lang}}/{{slug}}/"
PAGE_LANG_SAVE_AS = "{{lang}}/{{slug}}/index.html"
CATEGORY_URL = "category/{{slug}}/"
CATEGORY_SAVE_AS = "category/{{slug}}/index.html"
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = "tag/{{slug}}/index.html"
AUTHOR_URL = "author/{{slug}}/"
AUTHOR_SAVE_AS = "author/{{slug}}/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
DEFAULT_PAGINATION = 10

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category/{{slug}}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# --- ownmedia ----------------------------------------------------------------------------
COMMENTS_PATH = "comments"  # under PATH: content/comments/<slug>/
ENGAGEMENT_URL = ""  # "" = the service is on the site's own origin (`ownmedia serve`)
# track_localhost: the demo on 127.0.0.1 measures itself (publishconf.py leaves it off)
ANALYTICS = {{"provider": "ownmedia", "domain": "127.0.0.1", "endpoint": "/api/event",
             "track_localhost": True}}
# Calls to action: CTAS = {{"newsletter": {{"label": ..., "url": ...}}}}, then a line
# `[[cta:newsletter]]` in a post; `ownmedia ctas` lists them.
CTAS = {{}}
CTA_DEFAULT = ""
'''


def publishconf(answers: SiteAnswers) -> str:
    return f'''"""Settings of {answers.name} for the public site (`make publish`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # Pelican does not put it there
from pelicanconf import *  # noqa: E402,F403

SITEURL = {answers.url.rstrip("/")!r}
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True
ANALYTICS = {{"provider": "ownmedia", "domain": {answers.domain!r}, "endpoint": "/api/event"}}
'''


def makefile(python: str) -> str:
    """The site's Makefile: the targets of ownmedia's own Makefile that a site has."""
    return f"""# The two commands a person needs: `make demo` and `make publish`.
PY ?= {python}
OWNMEDIA := $(PY) -m ownmedia
HOST ?= 127.0.0.1
PORT ?= 8000
CONFIG ?= ownmedia.toml
export OWNMEDIA_HOST := $(HOST)
export OWNMEDIA_PORT := $(PORT)

.PHONY: help html clean regenerate serve devserver publish pdf demo

help:
\t@echo 'make demo        build, then serve site + engagement service on http://$(HOST):$(PORT)'
\t@echo 'make html        build the site into output/'
\t@echo 'make clean       remove the built site'
\t@echo 'make regenerate  rebuild on every change'
\t@echo 'make serve       serve output/ with Pelican (static only)'
\t@echo 'make devserver   serve, rebuild on save and reload the browser'
\t@echo 'make publish     build with publishconf.py (the public URL)'
\t@echo 'make pdf         every print view as a PDF (headless Chromium) into output/pdf/'

html:
\t$(OWNMEDIA) build

clean:
\trm -rf output

regenerate:
\t$(PY) -m pelican -r content -o output -s pelicanconf.py

serve:
\t$(PY) -m pelican -l content -o output -s pelicanconf.py -b $(HOST) -p $(PORT)

devserver:
\t$(PY) -m ownmedia.devserver --host $(HOST) --port $(PORT) --content content \\
\t\t--output output --settings pelicanconf.py

publish:
\t$(OWNMEDIA) build --publish

pdf: html
\t$(PY) -m ownmedia.pdf output

demo: html
\t@echo "site on http://$(HOST):$(PORT)/, admin on http://$(HOST):$(PORT)/admin/" \\
\t\t"(set a password with: $(OWNMEDIA) comments set-password --config $(CONFIG))"
\t$(OWNMEDIA) serve --config $(CONFIG) --host $(HOST) --port $(PORT)
"""


def site_files(answers: SiteAnswers, now: datetime | None = None,
               python: str | None = None) -> dict[str, str]:
    """{path in the new site: text} for every file `ownmedia init` writes."""
    answers.check()
    now = now or datetime.now(ZoneInfo(answers.timezone))
    files = {f"content/{path}": text for path, text in example_content(answers, now).items()}
    files["pelicanconf.py"] = pelicanconf(answers)
    files["publishconf.py"] = publishconf(answers)
    files["ownmedia.toml"] = commented_config({
        "server": {"public_url": answers.url.rstrip("/")},
        "analytics": {"domains": [answers.domain, "127.0.0.1", "localhost"]},
        "comments": {"owner_name": answers.author},
    })
    files["Makefile"] = makefile(python or sys.executable)
    files[".gitignore"] = GITIGNORE
    return files


def write_site(target: Path, answers: SiteAnswers, now: datetime | None = None) -> list[Path]:
    """Write the site into `target` (new or empty); refuses to overwrite any file."""
    files = site_files(answers, now)
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder")
    existing = [p for p in files if (target / p).exists()]
    if existing:
        raise ScaffoldError(f"{target} already has {', '.join(sorted(existing))}: "
                            "choose a new or empty folder")
    written = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    (target / "content" / "images").mkdir(exist_ok=True)
    return written

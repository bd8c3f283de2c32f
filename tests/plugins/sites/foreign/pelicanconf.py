"""A site with a theme of its own (not ownmedia's) that includes ownmedia's snippets as the
README says, and every ownmedia plugin from the installed package."""

from pathlib import Path

import ownmedia

HERE = Path(__file__).resolve().parent
PLUGINS = list(ownmedia.PLUGINS)  # every ownmedia plugin, from the installed package

SITENAME = "A foreign site"
SITEURL = "https://foreign.example.test"
AUTHOR = "Someone Else"
PATH = "content"
ARTICLE_PATHS = ["posts"]
STATIC_PATHS = ["images"]
IGNORE_FILES = ["comments"]
THEME = str(HERE / "theme")
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
ARTICLE_URL = "{slug}.html"
ARTICLE_SAVE_AS = "{slug}.html"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
ANALYTICS = {"provider": "ownmedia", "domain": "foreign.example.test"}
CTAS = {"letter": {"label": {"en": "Get the letter"}, "url": "/letter/", "goal": "Letter"}}
CTA_DEFAULT = "letter"

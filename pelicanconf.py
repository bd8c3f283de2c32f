"""Settings for building the sample site locally (`make html`, `make demo`)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # so `plugins.*` and `ownmedia` import from a checkout

AUTHOR = "L'équipe ownmedia"
SITENAME = "ownmedia"
SITESUBTITLE = "Devenir son propre média — become your own media"
SITEURL = "http://127.0.0.1:8000"
RELATIVE_URLS = False

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra/robots.txt", "extra/redirects.json"]
EXTRA_PATH_METADATA = {"extra/robots.txt": {"path": "robots.txt"},
                       # from `ownmedia import wordpress`, served by `ownmedia serve`
                       "extra/redirects.json": {"path": "redirects.json"}}
IGNORE_FILES = [".#*", "comments"]  # comments are read by plugins/comments, not as articles

TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

THEME = str(HERE / "theme")

ARTICLE_URL = "{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/{date:%Y}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{date:%Y}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
DEFAULT_PAGINATION = 5
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/category/{slug}.rss.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

PLUGIN_PATHS = [str(HERE / "plugins")]
PLUGINS = ["incremental", "comments", "print_view", "share", "cta", "analytics", "seo",
           "lang_sites", "print_qr", "video"]
# plugins/incremental: only changed files are rendered; Pelican's reader cache and ownmedia's
# artefact cache live under CACHE_PATH (default cache/); deleting it is always safe.
# The image for Pin It and og:image of a post with no image of its own (plugins/share, seo)
SHARE_DEFAULT_IMAGE = "images/audience-growth.fr.png"

# --- ownmedia settings -------------------------------------------------------
COMMENTS_PATH = "comments"            # under PATH
ENGAGEMENT_URL = ""                   # "" = same origin as the site (ownmedia serve)
# The demo serves from 127.0.0.1, which the tracker does not count unless told to:
# track_localhost makes `make demo` measure itself (publishconf.py leaves it off).
ANALYTICS = {"provider": "ownmedia", "domain": "127.0.0.1", "endpoint": "/api/event",
             "track_localhost": True}

# Calls to action (plugins/cta): place one in a post with a line `[[cta:<id>]]`; metadata
# `cta: <id>` (or `cta: none`) sets the end-of-post CTA, CTA_DEFAULT the site-wide one.
CTAS = {
    "newsletter": {
        "label": {"fr": "Recevoir la lettre mensuelle", "en": "Get the monthly letter"},
        "text": {"fr": "Un billet par mois, rien d'autre. Désinscription en un clic.",
                 "en": "One post a month, nothing else. Unsubscribe in one click."},
        "url": "/newsletter/",
        "goal": "Newsletter signup",
        "revenue": {"amount": "5.00", "currency": "EUR"},
    },
    "media-kit": {
        "label": {"fr": "Télécharger le kit média (PDF)", "en": "Download the media kit (PDF)"},
        "url": "/images/media-kit.pdf",
        "goal": "Media kit download",
    },
    "demo": {
        "label": {"fr": "Demander une démonstration", "en": "Ask for a demo"},
        "text": {"fr": "Trente minutes pour voir ownmedia sur vos propres contenus.",
                 "en": "Thirty minutes to see ownmedia with your own content."},
        "url": "mailto:contact@example.org?subject=D%C3%A9monstration%20ownmedia",
        "goal": "Demo request",
        "revenue": {"amount": "50.00", "currency": "EUR"},
    },
    "partner": {
        "label": {"fr": "Héberger son blog chez notre partenaire",
                  "en": "Host your blog with our partner"},
        "url": "https://hosting.example.net/offre/ownmedia",
        "goal": "Partner referral",
        "style": "link",
        "utm": True,
    },
}
CTA_DEFAULT = "newsletter"
CTA_GOAL_PAGES = {"/newsletter/": "Newsletter landing"}  # pages counted as conversions

"""Settings for publishing (`make publish`): absolute URLs for the real domain."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # Pelican does not put it there
from pelicanconf import *  # noqa: F401,F403,E402

SITEURL = "https://blog.example.org"
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
ANALYTICS = {"provider": "ownmedia", "domain": "blog.example.org", "endpoint": "/api/event"}

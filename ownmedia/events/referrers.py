"""Where a visit came from: the referrer mapped to a source name, the way Plausible shows it.

Known search engines and social networks get their usual name ("Google", "Facebook"); other
sites are shown by host; an explicit utm_source (or ref/source) wins; no referrer is
"Direct / None". A referrer on the page's own host is internal navigation, not a source."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

DIRECT = "Direct / None"
_HOST = re.compile(r"[\w-]+(\.[\w-]+)+|localhost|\[[0-9a-f:.]+\]|[0-9a-f:]+:[0-9a-f:.]+")

# host suffix -> source name (matched on the host and each parent domain)
KNOWN_SOURCES: dict[str, str] = {
    "google.com": "Google",
    "google.fr": "Google",
    "google.de": "Google",
    "google.co.uk": "Google",
    "google.be": "Google",
    "google.ch": "Google",
    "google.ca": "Google",
    "google.es": "Google",
    "google.it": "Google",
    "bing.com": "Bing",
    "duckduckgo.com": "DuckDuckGo",
    "ecosia.org": "Ecosia",
    "qwant.com": "Qwant",
    "search.yahoo.com": "Yahoo!",
    "yandex.ru": "Yandex",
    "yandex.com": "Yandex",
    "baidu.com": "Baidu",
    "search.brave.com": "Brave",
    "startpage.com": "Startpage",
    "kagi.com": "Kagi",
    "perplexity.ai": "Perplexity",
    "chatgpt.com": "ChatGPT",
    "facebook.com": "Facebook",
    "fb.com": "Facebook",
    "l.facebook.com": "Facebook",
    "m.facebook.com": "Facebook",
    "instagram.com": "Instagram",
    "linkedin.com": "LinkedIn",
    "lnkd.in": "LinkedIn",
    "twitter.com": "Twitter",
    "t.co": "Twitter",
    "x.com": "Twitter",
    "bsky.app": "Bluesky",
    "go.bsky.app": "Bluesky",
    "mastodon.social": "Mastodon",
    "mastodon.online": "Mastodon",
    "mstdn.social": "Mastodon",
    "fosstodon.org": "Mastodon",
    "piaille.fr": "Mastodon",
    "framapiaf.org": "Mastodon",
    "pinterest.com": "Pinterest",
    "pinterest.fr": "Pinterest",
    "reddit.com": "Reddit",
    "old.reddit.com": "Reddit",
    "news.ycombinator.com": "Hacker News",
    "youtube.com": "Youtube",
    "youtu.be": "Youtube",
    "tiktok.com": "TikTok",
    "threads.net": "Threads",
    "whatsapp.com": "WhatsApp",
    "web.whatsapp.com": "WhatsApp",
    "t.me": "Telegram",
    "github.com": "GitHub",
    "wikipedia.org": "Wikipedia",
    "mail.google.com": "Gmail",
}

# utm_source values people type, mapped to the same names
UTM_ALIASES: dict[str, str] = {
    "fb": "Facebook",
    "facebook": "Facebook",
    "ig": "Instagram",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "twitter": "Twitter",
    "x": "Twitter",
    "bluesky": "Bluesky",
    "bsky": "Bluesky",
    "mastodon": "Mastodon",
    "google": "Google",
    "bing": "Bing",
    "duckduckgo": "DuckDuckGo",
    "reddit": "Reddit",
    "pinterest": "Pinterest",
    "newsletter": "Newsletter",
}


# Android apps send `android-app://<package>`: the ones with a known source name
ANDROID_APPS: dict[str, str] = {
    "com.google.android.gm": "Gmail",
    "com.google.android.googlequicksearchbox": "Google",
    "com.google.android.youtube": "Youtube",
    "com.linkedin.android": "LinkedIn",
    "com.reddit.frontpage": "Reddit",
    "com.twitter.android": "Twitter",
    "com.facebook.katana": "Facebook",
    "com.instagram.android": "Instagram",
    "org.telegram.messenger": "Telegram",
    "com.slack": "Slack",
}
ANDROID = "android-app"
SCHEMES = ("http", "https", ANDROID)  # Plausible reads a source from these only


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def referrer_host(referrer: str) -> str:
    """Lower-case host of a referrer URL without a leading www., or ''."""
    if not referrer:
        return ""
    try:
        parts = urlsplit(referrer.strip() if "://" in referrer else "//" + referrer.strip())
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme and parts.scheme.lower() not in SCHEMES:
        return ""
    host = host.lower().rstrip(".")
    if not _HOST.fullmatch(host):
        return ""
    if parts.scheme.lower() == ANDROID:
        return f"{ANDROID}://{host}"
    return _strip_www(host)


def clean_referrer(referrer: str) -> str:
    """Host + path, no scheme, www., query or trailing slash (what Plausible stores)."""
    host = referrer_host(referrer)
    if not host:
        return ""
    try:
        path = urlsplit(referrer if "://" in referrer else "//" + referrer).path
    except ValueError:
        path = ""
    return (host + path).rstrip("/")


def source_for_host(host: str) -> str:
    """Known name for a referrer host (trying each parent domain), else the host itself."""
    if not host:
        return ""
    if host.startswith(ANDROID):
        return ANDROID_APPS.get(host.removeprefix(f"{ANDROID}://"), host)
    labels = host.split(".")
    for i in range(len(labels) - 1):
        name = KNOWN_SOURCES.get(".".join(labels[i:]))
        if name:
            return name
    if labels[0] in ("google", "yandex", "bing") and len(labels) <= 3:
        return labels[0].capitalize()  # google.<any country code>
    if len(labels) >= 3 and labels[-3] == "google":  # google.co.jp, google.com.br
        return "Google"
    return host


@lru_cache(maxsize=4096)
def referrer_source(referrer: str, page_host: str, utm_source: str = "") -> tuple[str, str]:
    """(source name, cleaned referrer) for an event on `page_host` (cached: referrers repeat)."""
    host = referrer_host(referrer)
    # a referrer on the page's own host is internal navigation, and Plausible ignores
    # localhost referrers (development servers): both are Direct / None
    internal = bool(host) and host in (_strip_www(page_host.lower()), "localhost")
    cleaned = "" if internal else clean_referrer(referrer)
    if utm_source:
        return UTM_ALIASES.get(utm_source.strip().lower(), utm_source.strip()), cleaned
    if not host or internal:
        return DIRECT, cleaned
    return source_for_host(host), cleaned

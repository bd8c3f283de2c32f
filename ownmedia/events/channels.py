"""Acquisition channels, the way Plausible assigns them at ingestion (Google Analytics 4's
default channel groups): from the visit's source name and its utm_* tags, first rule wins.

The source categories list the sources ownmedia names (ownmedia.events.referrers); an unknown
referring site is a Referral and no source at all is Direct."""

from __future__ import annotations

import re

SEARCH = {"google", "bing", "duckduckgo", "ecosia", "qwant", "yahoo!", "yandex", "baidu",
          "brave", "startpage", "kagi", "perplexity", "chatgpt", "naver", "seznam", "yahoo"}
SOCIAL = {"facebook", "instagram", "linkedin", "twitter", "x", "bluesky", "mastodon",
          "pinterest", "reddit", "hacker news", "tiktok", "threads", "whatsapp", "telegram",
          "slack", "discord", "tumblr", "vk", "quora"}
VIDEO = {"youtube", "vimeo", "twitch", "dailymotion", "tiktok"}
SHOPPING = {"amazon", "ebay", "etsy", "shopify", "google shopping", "walmart"}
EMAIL = {"gmail", "newsletter", "email", "e-mail", "e_mail", "e mail", "outlook", "mail"}
PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")
SHOPPING_CAMPAIGN = re.compile(r"^(.*(([^a-df-z]|^)shop|shopping).*)$")
SOCIAL_MEDIUMS = {"social", "social-network", "social-media", "sm", "social network",
                  "social media"}
DISPLAY_MEDIUMS = {"display", "banner", "expandable", "interstitial", "cpm"}
DIRECT = "Direct / None"


def channel(source: str, utm: dict[str, str], paid_click: bool = False) -> str:
    """The channel of a visit from `source` (a source name, "Direct / None" when none) and its
    utm_* tags (`paid_click`: the URL had a gclid or msclkid)."""
    src = "" if source == DIRECT else source.strip().lower()
    medium = utm.get("utm_medium", "").strip().lower()
    campaign = utm.get("utm_campaign", "").strip().lower()
    utm_source = utm.get("utm_source", "").strip().lower()
    paid = bool(PAID_MEDIUM.match(medium)) if medium else False
    shopping = src in SHOPPING or bool(campaign and SHOPPING_CAMPAIGN.match(campaign))
    if "cross-network" in campaign:
        return "Cross-network"
    if shopping and paid:
        return "Paid Shopping"
    if src in SEARCH and (paid or paid_click):
        return "Paid Search"
    if src in SOCIAL and paid:
        return "Paid Social"
    if src in VIDEO and paid:
        return "Paid Video"
    if medium in DISPLAY_MEDIUMS:
        return "Display"
    if paid:
        return "Paid Other"
    if shopping:
        return "Organic Shopping"
    if src in SOCIAL or medium in SOCIAL_MEDIUMS:
        return "Organic Social"
    if src in VIDEO or "video" in medium:
        return "Organic Video"
    if src in SEARCH:
        return "Organic Search"
    if src in EMAIL or utm_source in EMAIL or medium in EMAIL:
        return "Email"
    if medium == "affiliate":
        return "Affiliates"
    if medium == "audio":
        return "Audio"
    if utm_source == "sms" or medium == "sms":
        return "SMS"
    if medium.endswith("push") or "mobile" in medium or "notification" in medium \
            or src == "firebase":
        return "Mobile Push Notifications"
    if medium in ("referral", "app", "link") or src:
        return "Referral"
    return "Direct"

"""Browser, OS and device from the User-Agent (ua-parser), and bot detection (crawlerdetect).

Both are maintained regex databases and slow on a cold string, so results are cached per
user agent: real traffic repeats a few thousand strings."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from crawlerdetect import CrawlerDetect
from ua_parser import parse

_local = threading.local()  # CrawlerDetect keeps per-call state: one instance per thread

TABLET_FAMILIES = ("ipad", "kindle", "tablet", "nexus 7", "nexus 9", "nexus 10", "galaxy tab")
MAX_UA_CHARS = 1000


# ua-parser's family names -> the names Plausible shows (those of its UA database)
OS_NAMES = {"Mac OS X": "Mac", "Linux": "GNU/Linux", "Chrome OS": "Chrome OS"}
BROWSER_NAMES = {
    "Mobile Safari": "Safari", "Mobile Safari UI/WKWebView": "Safari",
    "Chrome Mobile": "Chrome", "Chrome Mobile iOS": "Chrome", "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox", "Opera Mobile": "Opera", "Opera Mini": "Opera",
    "Edge": "Microsoft Edge", "Edge Mobile": "Microsoft Edge", "Samsung Internet":
    "Samsung Browser", "Yandex Browser Lite": "Yandex Browser",
    "Chrome Mobile WebView": "Mobile App", "Facebook": "Mobile App", "Instagram": "Mobile App",
}


@dataclass(frozen=True)
class Client:
    browser: str
    browser_version: str
    os: str
    os_version: str
    device: str  # Desktop, Mobile, Tablet; '' (shown "(not set)") when unknown
    is_bot: bool


NO_CLIENT = Client("", "", "", "", "", False)  # a request without a User-Agent


def _detector() -> CrawlerDetect:
    det = getattr(_local, "det", None)
    if det is None:
        det = _local.det = CrawlerDetect()
    return det


def _version(*parts: str | None) -> str:
    return ".".join(p for p in parts if p)


@lru_cache(maxsize=4096)
def classify(user_agent: str) -> Client:
    """Parse a User-Agent once; headless browsers and crawlers are bots."""
    ua = user_agent[:MAX_UA_CHARS]
    lowered = ua.lower()
    is_bot = "headless" in lowered or _detector().isCrawler(ua)
    result = parse(ua)
    browser = result.user_agent.family if result.user_agent else ""
    browser_version = _version(result.user_agent.major, result.user_agent.minor) if (
        result.user_agent
    ) else ""
    os_name = result.os.family if result.os else ""
    os_version = _version(result.os.major, result.os.minor) if result.os else ""
    device_family = (result.device.family if result.device else "").lower()
    if any(t in device_family for t in TABLET_FAMILIES) or (
        os_name == "Android" and "mobile" not in lowered
    ):
        device = "Tablet"
    elif os_name in ("iOS", "Android") or "mobile" in lowered or "phone" in device_family:
        device = "Mobile"
    else:
        device = "Desktop"
    if browser == "Other":
        browser, browser_version = "", ""
    if os_name == "Other":
        os_name, os_version = "", ""
    if not browser and not os_name and "mobile" not in lowered:
        device = ""  # nothing recognised: Plausible's "(not set)"
    browser = BROWSER_NAMES.get(browser, browser)
    if browser == "Mobile App":
        browser_version = ""
    return Client(browser, browser_version, OS_NAMES.get(os_name, os_name), os_version, device,
                  is_bot)


def warm_up() -> None:
    """Load both regex databases now rather than on the first visitor's request (~0.5 s)."""
    classify.__wrapped__(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36"
    )

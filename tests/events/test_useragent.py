"""Browser/OS/device parsing and bot detection."""

import pytest

from ownmedia.events.useragent import classify

CHROME_WIN = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
IPAD = ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1")
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


def test_desktop_browser():
    c = classify(CHROME_WIN)
    assert (c.browser, c.browser_version, c.os, c.device, c.is_bot) == (
        "Chrome", "120.0", "Windows", "Desktop", False)
    assert classify(FIREFOX_LINUX).browser == "Firefox"


def test_mobile_and_tablet():
    assert (classify(IPHONE).device, classify(IPHONE).os) == ("Mobile", "iOS")
    assert classify(IPAD).device == "Tablet"


@pytest.mark.parametrize("ua", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.0.0 Safari/537.36",
    "curl/8.5.0",
    "python-requests/2.31.0",
])
def test_bots(ua):
    assert classify(ua).is_bot

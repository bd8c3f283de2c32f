from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup
from ownmedia.plugins.share import NETWORKS, build_share_links, share_urls

URL = "https://blog.example/2026/café & co/?a=1"
TITLE = 'Prix & "qualité" : 100 %'
IMAGE = "https://blog.example/images/a b.png"


def q(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_share_urls_decode_to_the_right_targets():
    urls = share_urls(URL, TITLE, "desc", IMAGE)
    assert set(urls) == set(NETWORKS)
    pin = q(urls["pinterest"])
    assert urlsplit(urls["pinterest"]).netloc == "www.pinterest.com"
    assert pin == {"url": [URL], "media": [IMAGE], "description": [TITLE]}
    assert q(urls["linkedin"]) == {"url": [URL]}
    assert q(urls["facebook"]) == {"u": [URL]}
    assert q(urls["x"]) == {"text": [TITLE], "url": [URL]}
    assert q(urls["bluesky"]) == {"text": [f"{TITLE} {URL}"]}
    assert q(urls["mastodon"]) == {"text": [f"{TITLE} {URL}"]}
    mail = urlsplit(urls["email"])
    assert mail.scheme == "mailto"
    fields = {k: unquote(v) for k, v in (p.split("=", 1) for p in mail.query.split("&"))}
    assert fields["subject"] == TITLE and fields["body"].endswith(URL)
    assert "+" not in mail.query  # mail clients do not read '+' as a space


def test_links_carry_tagged_event_classes_and_skip_pin_without_image():
    links = build_share_links(URL, TITLE, "my-post", image=None)
    assert "pinterest" not in [link.network for link in links]
    for link in links:
        classes = link.css_class.split()
        assert "share-link" in classes
        assert "plausible-event-name=Share" in classes
        assert f"plausible-event-network={link.network}" in classes
        assert "plausible-event-post=my-post" in classes
        assert link.external == (link.network != "email")


def test_built_pages_share_links(built_site):
    page = built_site / "2026/own-your-channel/index.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    canonical = soup.find("link", rel="canonical")["href"]
    image = soup.find("meta", property="og:image")["content"]
    links = {a["class"][1].removeprefix("share-"): a for a in soup.select("a.share-link")}
    assert set(links) == set(NETWORKS)
    assert q(links["pinterest"]["href"])["media"] == [image]
    assert q(links["pinterest"]["href"])["url"] == [canonical]
    assert q(links["linkedin"]["href"])["url"] == [canonical]
    assert q(links["facebook"]["href"])["u"] == [canonical]
    for name, a in links.items():
        if name != "email":
            assert set(a["rel"]) == {"noopener", "nofollow"} and a["target"] == "_blank"
        assert "plausible-event-post=own-your-channel" in a["class"]
    # nothing from the networks is loaded: no script, no iframe, no image from them
    for tag in soup.find_all(["script", "iframe", "img"]):
        src = tag.get("src") or ""
        assert not any(host in src for host in ("pinterest", "linkedin", "facebook", "x.com"))

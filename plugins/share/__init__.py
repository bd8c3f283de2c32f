"""Share links as plain, URL-encoded links: no third-party script, no request before a click.

Each link carries Plausible tagged-event classes (`plausible-event-name=Share
plausible-event-network=<network> plausible-event-post=<slug>`) so a click is measured by our
own tracker. Hook for other plugins (the CTA/analytics issue): the blinker signal
`ownmedia_share_links` is sent with (article, links=list[ShareLink]) after the links are built;
a receiver may edit `css_class`, add `attrs`, or drop links."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from blinker import signal
from pelican import signals

from ownmedia.pelican_support import connect_common, plugin_enabled
from ownmedia.post_image import absolute, first_content_image, metadata_image, post_image_url

share_links_built = signal("ownmedia_share_links")

NETWORKS = ("pinterest", "linkedin", "facebook", "x", "bluesky", "mastodon", "email")
LABELS = {
    "pinterest": "Pin It",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "x": "X",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "email": "E-mail",
}
TAG_RE = re.compile(r"<[^>]+>")

NAME = "share"  # as listed in PLUGINS


@dataclass
class ShareLink:
    network: str
    label: str
    href: str
    css_class: str
    external: bool = True
    attrs: dict[str, str] = field(default_factory=dict)


def _event_value(value: str) -> str:
    """Plausible tagged-event class values use '+' for spaces; keep them class-safe."""
    return re.sub(r"\s+", "+", value.strip())


def share_urls(
    url: str,
    title: str,
    description: str = "",
    image: str | None = None,
    mastodon_share: str = "https://mastodon.social/share",
) -> dict[str, str]:
    """The share URL of every network for one page (all parts URL-encoded; '+' for spaces
    in query strings, '%20' in the mailto: link, which mail clients do not read as a form)."""
    u, t = quote_plus(url), quote_plus(title)
    text = quote_plus(f"{title} {url}")
    body = quote(f"{description}\n\n{url}".strip(), safe="")
    pin = f"https://www.pinterest.com/pin/create/button/?url={u}&description={t}"
    if image:
        pin += f"&media={quote_plus(image)}"
    urls = {
        "pinterest": pin,
        "linkedin": f"https://www.linkedin.com/sharing/share-offsite/?url={u}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={u}",
        "x": f"https://x.com/intent/post?text={t}&url={u}",
        "bluesky": f"https://bsky.app/intent/compose?text={text}",
        "mastodon": f"{mastodon_share}?text={text}",  # Mastodon's own /share page
        "email": f"mailto:?subject={quote(title, safe='')}&body={body}",
    }
    return {n: urls[n] for n in NETWORKS}


def build_share_links(
    url: str,
    title: str,
    slug: str,
    description: str = "",
    image: str | None = None,
    networks: tuple[str, ...] = NETWORKS,
    mastodon_share: str = "https://mastodon.social/share",
) -> list[ShareLink]:
    """Plain data for the template; a receiver of `ownmedia_share_links` may adjust it."""
    urls = share_urls(url, title, description, image, mastodon_share)
    links = []
    for network in networks:
        if network == "pinterest" and not image:
            continue  # a pin needs an image
        css = (
            f"share-link share-{network} plausible-event-name=Share "
            f"plausible-event-network={_event_value(network)} "
            f"plausible-event-post={_event_value(slug)}"
        )
        links.append(
            ShareLink(network, LABELS[network], urls[network], css, external=network != "email")
        )
    return links


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(TAG_RE.sub(" ", fragment or "")).split())


def article_image_url(article, settings: dict) -> str | None:
    """Absolute URL of the post's image: metadata `image`/`cover`, else the first image of
    its content, else SHARE_DEFAULT_IMAGE (see ownmedia.post_image)."""
    return post_image_url(article, settings)


def on_all_generators(generators) -> None:
    """After all generators' contexts: summaries may then be rendered safely."""
    if not _enabled(generators[0].settings if generators else {}):
        return
    for generator in generators:
        if hasattr(generator, "articles"):
            on_articles(generator)


def on_articles(generator) -> None:
    for article in [*generator.articles, *generator.translations]:
        attach_share_links(article, generator.settings)


def attach_share_links(article, settings: dict) -> None:
    """share_links and listing_image of one article (a rebuild from ownmedia.snapshot
    refreshes an edited post with it)."""
    siteurl = settings.get("SITEURL", "")
    networks = tuple(settings.get("SHARE_NETWORKS", NETWORKS))
    mastodon = settings.get("SHARE_MASTODON_URL", "https://mastodon.social/share")
    description = getattr(article, "description", None) or plain_text(article.summary)
    links = build_share_links(
        f"{siteurl}/{article.url}",
        plain_text(article.title),
        article.slug,
        description[:300],
        article_image_url(article, settings),
        networks,
        mastodon,
    )
    share_links_built.send(article, links=links)
    # what listing pages show: the post's own image (never the site default)
    own = metadata_image(article) or first_content_image(article.content)
    article.listing_image = absolute(own, siteurl)
    article.share_links = links


def _enabled(settings: dict) -> bool:
    return plugin_enabled(settings, NAME)


def register() -> None:
    connect_common(signals)
    signals.all_generators_finalized.connect(on_all_generators)

"""CTA HTML: an ordinary link carrying Plausible's tagged-event classes, so the same markup is
counted by a real Plausible script and by ownmedia's own tracker, and works without JavaScript."""

from __future__ import annotations

from html import escape

from .registry import CTA, is_external, utm_source, with_utm


def destination(cta: CTA, post_slug: str, settings: dict) -> str:
    """The href: external destinations get UTM parameters unless the CTA says `utm: False`."""
    url = cta.url
    if cta.utm and is_external(url, settings.get("SITEURL", "")):
        url = with_utm(url, source=utm_source(settings), campaign=post_slug, content=cta.id)
    return url


def render_cta(cta: CTA, *, post_slug: str, lang: str, settings: dict,
               position: str = "inline") -> str:
    """`<div class="cta-block">` holding the tagged link; `position` is inline or end. A div,
    not an aside: an aside inside <main> is a landmark in a landmark (axe rule
    landmark-complementary-is-top-level)."""
    default_lang = settings.get("DEFAULT_LANG", "fr")
    classes = [
        "cta",
        f"cta-{cta.style}",
        "plausible-event-name=CTA+Click",
        f"plausible-event-cta={cta.id}",
    ]
    if post_slug:
        classes.append(f"plausible-event-post={post_slug}")
    attrs = [f'class="{escape(" ".join(classes))}"',
             f'href="{escape(destination(cta, post_slug, settings))}"']
    if cta.revenue:
        attrs.append(f'data-revenue-amount="{escape(cta.revenue[0])}"')
        attrs.append(f'data-revenue-currency="{escape(cta.revenue[1])}"')
    if is_external(cta.url, settings.get("SITEURL", "")):
        attrs.append('rel="noopener"')
    text = cta.text_for(lang, default_lang)
    intro = f'<p class="cta-text">{escape(text)}</p>' if text else ""
    return (
        f'<div class="cta-block cta-{position}" data-cta="{escape(cta.id)}">{intro}'
        f'<a {" ".join(attrs)}>{escape(cta.label_for(lang, default_lang))}</a></div>'
    )

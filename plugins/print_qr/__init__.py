"""The QR code of the print view on the article page itself, shown only when the article page
is printed (theme CSS `.print-only`): a reader printing the page, not the print view, still
gets the way back online. The code and its tagged URL are the print view's own
(plugins/print_view's qr_target and qr_svg), made lazily when a template shows them."""

from __future__ import annotations

from functools import cached_property

from pelican import signals

from ownmedia.pelican_support import plugin_enabled

NAME = "print_qr"


class PrintQr:
    """`url`: the canonical URL tagged utm_source=print; `svg`: its inline SVG QR code."""

    def __init__(self, canonical: str, slug: str):
        from plugins.print_view import qr_target

        self.url = qr_target(canonical, slug)

    @cached_property
    def svg(self) -> str:
        from plugins.print_view import qr_svg

        return qr_svg(self.url)


def on_all_generators(generators) -> None:
    for gen in generators:
        if not hasattr(gen, "articles") or not plugin_enabled(gen.settings, NAME):
            continue
        siteurl = gen.settings.get("SITEURL", "")
        for article in [*gen.articles, *gen.translations]:
            article.print_qr = PrintQr(f"{siteurl}/{article.url}", article.slug)


def register() -> None:
    signals.all_generators_finalized.connect(on_all_generators)

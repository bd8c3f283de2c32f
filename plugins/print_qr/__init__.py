"""The QR code of the print view on the article page itself, shown only when the article page
is printed (theme CSS `.print-only`): a reader printing the page, not the print view, still
gets the way back online. The code and its tagged URL are the print view's own
(plugins/print_view's PrintData, with the build's artefact cache), made lazily when a template
shows them, so a build makes each code once for both pages."""

from __future__ import annotations

from pelican import signals

from ownmedia.pelican_support import connect_common, plugin_enabled

NAME = "print_qr"


class PrintQr:
    """`url`: the canonical URL tagged utm_source=print; `svg`: its inline SVG QR code."""

    def __init__(self, data):
        self._data = data

    @property
    def url(self) -> str:
        return self._data.qr_url

    @property
    def svg(self) -> str:
        return self._data.qr_svg


def on_all_generators(generators) -> None:
    from ownmedia.plugins.print_view import print_data

    from ownmedia import incremental

    for gen in generators:
        if not hasattr(gen, "articles") or not plugin_enabled(gen.settings, NAME):
            continue
        siteurl = gen.settings.get("SITEURL", "")
        state = incremental.current(gen.settings)
        cache = state.cache if state else None
        for article in [*gen.articles, *gen.translations]:
            article.print_qr = PrintQr(print_data(article, siteurl, cache))


def register() -> None:
    connect_common(signals)
    signals.all_generators_finalized.connect(on_all_generators)

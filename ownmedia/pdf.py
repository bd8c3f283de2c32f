"""`make pdf`: render every print view of a built site to PDF with headless Chromium.

Why Chromium (through Playwright) rather than WeasyPrint: the test suite already needs Debian's
chromium, so this adds no dependency and no system library; and it is the engine most readers
print with, so the PDF shows exactly what "Print this post" gives them (same @page rules, same
inline SVG QR code). The pages are answered straight from the output folder (request routing),
so no server has to run and nothing is fetched from another origin."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]
CANONICAL_RE = re.compile(r'<link rel="canonical" href="([^"]+)"')
POST_RE = re.compile(r'data-ownmedia-post="([^"]+)"')
LANG_RE = re.compile(r'<html lang="([^"]+)"')


class PdfError(click.ClickException):
    """A problem a site owner can act on (missing browser, no print views)."""


@dataclass
class PrintView:
    path: Path  # output/<...>/print/index.html
    url: str  # the URL it is published at
    slug: str
    lang: str

    @property
    def pdf_name(self) -> str:
        return f"{self.slug}.{self.lang}.pdf"


def find_print_views(site: Path, only: tuple[str, ...] = ()) -> list[PrintView]:
    """Every print view of the built site (optionally only some slugs), in a stable order."""
    views = []
    for path in sorted(site.rglob("print/index.html")):
        if Path(site, "pdf") in path.parents:
            continue
        head = path.read_text(encoding="utf-8")[:20000]
        canonical, post, lang = (
            CANONICAL_RE.search(head),
            POST_RE.search(head),
            LANG_RE.search(head),
        )
        if not (canonical and post and lang):
            continue  # not one of ours
        if only and post.group(1) not in only:
            continue
        url = canonical.group(1).split("?")[0] + "print/"
        views.append(PrintView(path, url, post.group(1), lang.group(1)))
    return views


def chromium_path() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise PdfError(
            "Chromium is missing: install Debian's chromium package (apt-get install "
            "chromium chromium-driver)"
        )
    return found


def render_pdfs(site: Path, out: Path, views: list[PrintView], progress=None) -> list[Path]:
    """Print each view to PDF (A4, the print CSS's @page margins); return the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context()
            page = context.new_page()
            page.route("**/*", _router(site, views))
            for view in views:
                page.goto(view.url, wait_until="load")
                page.emulate_media(media="print")
                target = out / view.pdf_name
                page.pdf(
                    path=str(target), format="A4", print_background=True, prefer_css_page_size=True
                )
                written.append(target)
                if progress:
                    progress(view)
            context.close()
        finally:
            browser.close()
    return written


def _router(site: Path, views: list[PrintView]):
    origins = {_origin(v.url) for v in views}

    def handle(route):
        parts = urlsplit(route.request.url)
        if _origin(route.request.url) not in origins:
            return route.abort()  # nothing from another origin
        path = (site / parts.path.lstrip("/")).resolve()
        if path.is_dir():
            path = path / "index.html"
        if site.resolve() in path.parents and path.is_file():
            return route.fulfill(path=str(path))
        return route.fulfill(status=404, body="")

    return handle


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("site", type=click.Path(file_okay=False, path_type=Path), default="output")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the PDFs go (default: SITE/pdf).",
)
@click.option("--only", multiple=True, metavar="SLUG", help="Only this post (repeatable).")
def main(site: Path, out: Path | None, only: tuple[str, ...]) -> None:
    """Render every print view of the built SITE (default: output) to PDF with headless
    Chromium, one file per post and language: SITE/pdf/<slug>.<lang>.pdf."""
    from rich.console import Console
    from rich.progress import Progress

    if not site.is_dir():
        raise PdfError(f"{site}: no built site here (run `make html` first)")
    views = find_print_views(site, only)
    if not views:
        what = f" for {', '.join(only)}" if only else ""
        raise PdfError(f"{site}: no print views{what} (is the print_view plugin enabled?)")
    out = out or site / "pdf"
    console = Console()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("Printing to PDF", total=len(views))
        written = render_pdfs(site, out, views, progress=lambda v: bar.advance(task))
    console.print(f"{len(written)} PDF file(s) written to {out}/")


if __name__ == "__main__":  # pragma: no cover
    main()

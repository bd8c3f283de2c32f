"""Live publishing: put an approved comment on the built site within a second, without a
full rebuild, and byte-for-byte as the next full build will write it.

A LivePublisher keeps a warm Pelican context (settings, plugins, generators with every
article read, the Jinja environment) in the process. Re-rendering a post then means: re-read
that post's comment files, attach them with plugins/comments' `attach`, and render the
article page the way ArticlesGenerator.generate_articles + Writer.write_file do, the print
view with plugins/print_view's `render_print_view`, and the post's comments feed; each file
is written to a temporary file beside its target and renamed over it (atomic).

What is not re-rendered live: comment counts in index/category listings (next full build)."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from pelican.utils import get_relative_path, path_to_url, sanitised_join

from ownmedia.comment_format import read_comment_file
from ownmedia.fsutil import atomic_write_text

log = logging.getLogger(__name__)


def atomic_write(path: Path, text: str) -> None:
    atomic_write_text(path, text)


class LivePublisher:
    """One warm Pelican context; `render_post(slug)` is thread-safe (serialised)."""

    def __init__(self, settings_file: str | Path, content: str | Path, output: str | Path,
                 **overrides: object):
        self.settings_file, self.content, self.output = settings_file, content, Path(output)
        self.overrides = overrides
        self._lock = threading.Lock()
        self._generator = None
        self._signature: tuple[int, float] = (0, 0.0)
        self.load_seconds = 0.0

    def load(self) -> None:
        """Read the whole site once (what a full build does before writing)."""
        from pelican import Pelican, signals

        from ownmedia.site import pelican_settings

        start = time.perf_counter()
        settings = pelican_settings(self.settings_file, output=self.output, content=self.content,
                                    **self.overrides)
        signature = self._content_signature(settings)  # before reading: never miss an edit
        pelican = Pelican(settings)
        context = settings.copy()
        context["generated_content"] = {}
        context["static_links"] = set()
        context["static_content"] = {}
        context["localsiteurl"] = settings["SITEURL"]
        generators = [
            cls(context=context, settings=settings, path=pelican.path, theme=pelican.theme,
                output_path=pelican.output_path)
            for cls in pelican._get_generator_classes()
        ]
        for gen in generators:
            if hasattr(gen, "generate_context"):
                gen.generate_context()
        signals.all_generators_finalized.send(generators)
        for gen in generators:
            if hasattr(gen, "refresh_metadata_intersite_links"):
                gen.refresh_metadata_intersite_links()
        from pelican.generators import ArticlesGenerator

        self._generator = next(g for g in generators if isinstance(g, ArticlesGenerator))
        self.settings = settings
        self._signature = signature
        self.load_seconds = time.perf_counter() - start

    def ensure_loaded(self) -> None:
        """Read the site and render one post in memory, so that the first approval does not
        pay for compiling templates."""
        with self._lock:
            if self._generator is None:
                self.load()
                self._warm_up()

    def _warm_up(self) -> None:
        from plugins import print_view

        gen = self._generator
        article = next(iter([*gen.articles, *gen.translations]), None)
        if article is not None:
            self._render_page(article)
            if hasattr(article, "print_url"):
                print_view.render_print_view(article, gen.env, dict(gen.context))

    def _articles(self, slug: str) -> list:
        gen = self._generator
        found = []
        for article in [*gen.translations, *gen.articles, *gen.hidden_translations,
                        *gen.hidden_articles]:
            if article.slug == slug and all(a is not article for a in found):
                found.append(article)
        return found

    def render_post(self, slug: str) -> list[Path]:
        """Re-render the pages of post `slug` with its current comment files; returns the
        files written (empty when the post is unknown).

        When the posts changed since the site was read (a new or edited post, then a full
        build), the warm context is stale: it is read again first, so a live re-render never
        puts an old version of a post back."""
        with self._lock:
            if self._generator is None or (
                self._signature != self._content_signature(self.settings)
            ):
                self.load()
            elif not self._articles(slug):
                self.load()
            return self._render(slug)

    @staticmethod
    def _content_signature(settings: dict) -> tuple[int, float]:
        """(number of files, newest mtime) of the content, comment files excluded."""
        root = Path(settings["PATH"])
        skip = (root / settings.get("COMMENTS_PATH", "comments")).resolve()
        count, newest = 0, 0.0
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if Path(entry.path).resolve() != skip:
                        stack.append(Path(entry.path))
                else:
                    count += 1
                    newest = max(newest, entry.stat().st_mtime)
        return count, newest

    def _render(self, slug: str) -> list[Path]:
        from pelican import signals

        from plugins import comments as comments_plugin
        from plugins import print_view

        gen, settings = self._generator, self.settings
        folder = comments_plugin.comments_dir(settings) / slug
        comments = []
        if folder.is_dir():
            comments = [read_comment_file(p) for p in sorted(folder.glob("*.md"))]
            comments = [c for c in comments if c.post == slug]
        comments.sort(key=lambda c: (c.date, c.id))
        written: list[Path] = []
        for article in self._articles(slug):
            comments_plugin.attach(article, comments)
            article.comments_feed = (
                comments_plugin._feed_url(article, settings) if article.comment_count else ""
            )
            signals.article_generator_write_article.send(gen, content=article)
            # The article page goes last: once a reader sees the comment there, its print view
            # and feed already show it too.
            page_target = Path(sanitised_join(str(self.output), article.save_as))
            page_html = self._render_page(article)
            if hasattr(article, "print_url"):
                target = self.output / print_view.print_path(article.save_as)
                atomic_write(target, print_view.render_print_view(article, gen.env,
                                                                  dict(gen.context)))
                written.append(target)
            feed_path = self.output / comments_plugin._feed_path(article)
            if article.comment_count and article in [*gen.articles, *gen.translations]:
                import io

                buf = io.StringIO()
                comments_plugin.comments_feed(article, settings).write(buf, "utf-8")
                atomic_write(feed_path, buf.getvalue())
                written.append(feed_path)
            elif feed_path.exists():
                feed_path.unlink()
            atomic_write(page_target, page_html)
            written.append(page_target)
        return written

    def _render_page(self, article) -> str:
        """What Writer.write_file renders for generate_articles' call, without writing."""
        gen, settings = self._generator, self.settings
        name = article.save_as
        localcontext = gen.context.copy()
        localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
        if settings.get("RELATIVE_URLS"):
            relative_url = path_to_url(get_relative_path(name))
            localcontext["SITEURL"] = relative_url
            localcontext["localsiteurl"] = relative_url
        localcontext["output_file"] = name
        # write_file's own parameters (override_output, url) are not template variables
        localcontext.update(article=article, category=getattr(article, "category", None),
                            blog=True)
        if localcontext["localsiteurl"]:
            gen.context["localsiteurl"] = localcontext["localsiteurl"]
        return gen.get_template(article.template).render(localcontext)

"""Live publishing: put an approved comment on the built site within a second, without a
full rebuild, and byte-for-byte as the next full build will write it.

A LivePublisher runs one Pelican build in the process that reads everything and writes
nothing (`load`, OWNMEDIA_DRY_RUN) and keeps what that build made in memory: its
generators, with every article read, and the list of calls Pelican made to its Writer
(ownmedia.incremental records them). Re-rendering a post then means: re-read that post's
comment files, attach them with plugins/comments' `attach`, and replay, through the same
IncrementalWriter, every recorded call that shows one of the post's articles: its pages, and
the index, category, tag, author and archive pages (comment counts); then the print views
(plugins/print_view's `write_print_view`) and comments feeds (plugins/comments'
`write_comments_feed`), the functions full builds call. Only the files whose fingerprint
changed are rendered. They are written into a staging folder beside the site and renamed into
place (atomic), the article pages last; the build record is updated, under the build lock.

No private Pelican function is called and nothing of Pelican's code is copied here."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from ownmedia import incremental
from ownmedia.fsutil import atomic_write_text, walk_files

LOCK_WAIT_SECONDS = 120.0  # a full build of the same site may be under way


def atomic_write(path: Path, text: str) -> None:
    atomic_write_text(path, text)


def index_calls(recording: list) -> list[tuple[set[int], tuple]]:
    """Each recorded Writer call with the ids of the content objects it shows."""
    calls = []
    for call in recording:
        ids = {id(obj) for obj in incremental.shown_contents(call)}
        calls.append((ids, call))
    return calls


class NoRecord(Exception):
    """The output directory has no usable build record: only a full build can make one."""


class LivePublisher:
    """One warm Pelican build; `render_post(slug)` is thread-safe (serialised)."""

    def __init__(self, settings_file: str | Path, content: str | Path, output: str | Path,
                 **overrides: object):
        self.settings_file, self.content, self.output = settings_file, content, Path(output)
        # nothing is forked inside the service (no build-stage workers), and its warm build
        # reads the site without writing it (the site is the last build's, until approvals),
        # nor deleting it first (publishconf.py's DELETE_OUTPUT_DIRECTORY: not fingerprinted)
        self.overrides = {"OWNMEDIA_BUILD_WORKERS": 0, "OWNMEDIA_DRY_RUN": True,
                          **overrides, "DELETE_OUTPUT_DIRECTORY": False}
        self._lock = threading.Lock()
        self._generator = None
        self._calls: list[tuple[set[int], tuple]] = []
        self._site = ""
        self._object_fps: dict = {}
        self._file_fps: dict = {}
        self._signature: tuple[int, float] = (0, 0.0)
        self.load_seconds = 0.0
        self.counts = (0, 0)  # files rendered, up to date, by the last render

    def load(self) -> None:
        """Run one (incremental) build in this process and keep what it read."""
        from pelican import signals
        from pelican.generators import ArticlesGenerator

        from ownmedia.pelican_support import make_pelican
        from ownmedia.site import pelican_settings

        start = time.perf_counter()
        settings = pelican_settings(self.settings_file, output=self.output, content=self.content,
                                    **self.overrides)
        signature = self._content_signature(settings)  # before reading: never miss an edit
        seen: dict = {}

        def keep(generators) -> None:  # all_generators_finalized of this build only
            if generators and generators[0].settings is settings:
                seen["generators"] = generators
                state = incremental.current(settings)
                if state is not None:
                    state.recording = []
                    seen["state"] = state

        signals.all_generators_finalized.connect(keep)
        try:
            make_pelican(settings).run()
        finally:
            signals.all_generators_finalized.disconnect(keep)
        if "state" not in seen:
            raise RuntimeError("live publishing needs the 'incremental' plugin in PLUGINS")
        state = seen["state"]
        self.adopt(settings, next(g for g in seen["generators"]
                                  if isinstance(g, ArticlesGenerator)),
                   state.recording, state.site)
        self._signature = signature
        self.load_seconds = time.perf_counter() - start

    def adopt(self, settings: dict, generator, recording: list, site: str) -> None:
        """Take what a build read: its articles generator, its Writer calls, its site
        fingerprint (a warm build here, or a snapshot of the last build: ownmedia.snapshot)."""
        self._generator = generator
        self._calls = index_calls(recording)
        self._site = site
        self._object_fps, self._file_fps = {}, {}
        self.settings = settings

    def ensure_loaded(self) -> None:
        """Read the site and render one post into a scratch folder, so that the first
        approval does not pay for compiling templates."""
        with self._lock:
            if self._generator is None:
                self.load()
                gen = self._generator
                first = next(iter([*gen.articles, *gen.translations]), None)
                if first is not None:
                    self._render([first], install=False, warm_up=True)

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
        build), the warm build is stale: it is run again first, so a live re-render never
        puts an old version of a post back."""
        from ownmedia.plugins import comments as comments_plugin

        with self._lock:
            if self._generator is None or (
                self._signature != self._content_signature(self.settings)
            ) or not self._articles(slug):
                self.load()
            articles = self._articles(slug)
            if not articles:
                return []
            comments = comments_plugin.read_post_comments(self.settings, slug)
            return self._render(articles, comments=comments)

    @staticmethod
    def _content_signature(settings: dict) -> tuple[int, float]:
        """(number of files, newest mtime) of the content, comment files excluded."""
        root = Path(settings["PATH"])
        skip = (root / settings.get("COMMENTS_PATH", "comments")).resolve()
        count, newest = 0, 0.0
        for _, st in walk_files(root, skip):
            count += 1
            newest = max(newest, st.st_mtime)
        return count, newest

    def _render(self, articles: list, comments=None, install: bool = True,
                warm_up: bool = False, wait: float = LOCK_WAIT_SECONDS,
                inputs: str | None = None) -> list[Path]:
        """Replay the recorded Writer calls that show `articles` (after attaching `comments`)
        plus their print views and feeds; rename what was rendered into the site.
        `inputs`: given by a rebuild from a snapshot, which needs the last build's record
        (NoRecord without it) and saves these inputs in the new one."""
        from pelican import signals

        from ownmedia.plugins import comments as comments_plugin
        from ownmedia.plugins import print_view

        gen, settings = self._generator, self.settings
        state = incremental.start(settings, consume_record=False, wait=wait)
        try:
            if inputs is not None and (not state.previous or state.reason):
                raise NoRecord(state.reason or "empty build record")
            state.site = self._site
            state.staging, state.dry = True, False  # the load was dry; this render writes
            if warm_up:  # render the article's own page and print view, whatever the record
                state.previous = {}
            state._object_fps, state._file_fps = self._object_fps, self._file_fps
            state.changed = {id(a) for a in articles}  # the other listing pages are as recorded
            for article in articles:  # changed in memory since the build read them
                if comments is not None:
                    comments_plugin.attach(article, comments, state.cache, settings)
                state.forget(article)
            staging = Path(tempfile.mkdtemp(dir=self.output.parent, prefix=".ownmedia-live-"))
            try:
                writer = incremental.writer_class(state)(str(staging), settings=settings)
                ids = {id(a) for a in articles}
                for article in articles:
                    signals.article_generator_write_article.send(gen, content=article)
                live = [a for a in articles if a in gen.articles or a in gen.translations]
                # print views are made afresh below, with this render's cache
                prints = {print_view.print_path(a.save_as) for a in live}
                for call_ids, (kind, name, made_from, context, kwargs) in self._calls:
                    if not call_ids & ids:
                        continue
                    if kind == "feed":  # made_from: the feed's elements
                        if not warm_up:
                            writer.write_feed(made_from, context, name, **kwargs)
                    elif warm_up and kwargs.get("article") not in articles:
                        continue
                    elif name not in prints:  # made_from: the template
                        writer.write_file(name, made_from, context, **kwargs)
                for article in live:
                    if hasattr(article, "print_url"):
                        print_view.write_print_view(writer, article, gen.env, gen.context)
                    comments_plugin.write_comments_feed(writer, article, settings)
                self.counts = (state.rendered, state.skipped)
                if not install:
                    return []
                return self._install(state, staging, articles, inputs)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        finally:
            incremental.end(settings, finish=False)

    def _install(self, state, staging: Path, articles: list,
                 inputs: str | None = None) -> list[Path]:
        """Rename the rendered files into the site (article pages last), drop the feeds of
        posts left without comments, update the build record."""
        from ownmedia.plugins import comments as comments_plugin

        pages = {a.save_as for a in articles}
        rendered = [n for n in state.rendered_names if (staging / n).is_file()]
        written = []
        for name in sorted(rendered, key=lambda n: (n in pages, n)):
            target = self.output / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target)
            written.append(target)
        record = dict(state.previous)
        record.update(state.outputs)
        for article in articles:
            if not getattr(article, "comment_count", 0):
                feed = comments_plugin.feed_path(article)
                record.pop(feed, None)
                (self.output / feed).unlink(missing_ok=True)
        state.save_record(record, inputs or "")
        return written

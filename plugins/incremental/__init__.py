"""Incremental output for the whole build (ownmedia.incremental): lock the output directory,
read the last build's record, give Pelican the writer that skips unchanged files, then delete
the outputs of removed content and write the new record.

`OWNMEDIA_INCREMENTAL = False` renders every file (still locked and recorded);
`OWNMEDIA_CONTENT_CACHE = False` leaves Pelican's reader cache as the settings say."""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals

from ownmedia import incremental, snapshot
from ownmedia.pelican_support import connect_common, install_traceback_filter, plugin_enabled

log = logging.getLogger(__name__)

NAME = "incremental"  # as listed in PLUGINS


def on_initialized(pelican) -> None:
    """The build's inputs, unless ownmedia.site.build_site noted them before Pelican started:
    blinker calls receivers in no set order, so other plugins' `initialized` (which add
    derived settings) may already have run here."""
    if plugin_enabled(pelican.settings, NAME) and \
            id(pelican.settings) not in incremental._INPUTS:
        incremental.note_inputs(pelican.settings)
    if plugin_enabled(pelican.settings, NAME):
        add_code_cache(pelican.settings)


def add_code_cache(settings: dict) -> None:
    """Highlighted code blocks kept beside the build record (ownmedia.markdown_code_cache):
    a rebuild does not compile a lexer for a block it read before. Idempotent."""
    from ownmedia.markdown_code_cache import CodeCacheExtension

    folder = incremental.BuildState(settings, open_cache=False).folder / "code"
    markdown = dict(settings.get("MARKDOWN") or {})
    extensions = [e for e in markdown.get("extensions", [])
                  if not isinstance(e, CodeCacheExtension)]
    markdown["extensions"] = [*extensions, CodeCacheExtension(folder=str(folder))]
    settings["MARKDOWN"] = markdown


def on_start(pelican) -> None:
    """Pelican's run begins (it asks plugins for generators): one build state per run."""
    if not plugin_enabled(pelican.settings, NAME):
        return None
    # a dry run (the service's warm build) leaves the last build's record in place
    state = incremental.start(pelican.settings,
                              consume_record=not pelican.settings.get("OWNMEDIA_DRY_RUN"))
    if pelican.settings.get("OWNMEDIA_CONTENT_CACHE", True):
        # Pelican's reader cache (what Markdown made of each file, keyed by file and mtime).
        # It pickles what plugins put in metadata: a build with other plugins or settings
        # must not load it (an unpickling error, not a cache miss), so each set of settings
        # gets its own folder. The generators are made, and open it, right after this signal.
        pelican.settings.update(
            CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True, CONTENT_CACHING_LAYER="reader",
            GZIP_CACHE=False,  # gzip costs more than it saves on a local disk
            CACHE_PATH=incremental.pelican_cache_path(pelican.settings))
        incremental.check_pelican_cache(pelican.settings["CACHE_PATH"])
        state.pelican_cache = pelican.settings["CACHE_PATH"]
    incremental.use_template_cache(pelican.settings, state.folder)
    if not pelican.settings.get("OWNMEDIA_INCREMENTAL", True):
        state.previous, state.reason = {}, "OWNMEDIA_INCREMENTAL is off"
    elif not pelican.settings.get("OWNMEDIA_DRY_RUN") and snapshot.enabled(pelican.settings):
        state.recording = []  # every Writer call, for the snapshot saved at the end
    return None


def on_generator_init(generator) -> None:
    """Pelican saves its reader cache with pickle and lets any error but a few stop the build;
    a site's own reader may put what pickle refuses in metadata (a defaultdict of a lambda):
    then the cache is left unsaved with a warning, and the build goes on (the next build reads
    those files again, as it would without the cache)."""
    if not plugin_enabled(generator.settings, NAME):
        return
    readers = getattr(generator, "readers", None)
    if readers is None or getattr(readers.save_cache, "ownmedia_safe", False):
        return
    readers.save_cache = _safe_save(readers)


def _safe_save(readers):
    original = readers.save_cache

    def save_cache() -> None:
        try:
            original()
        except Exception as exc:  # noqa: BLE001 - whatever pickle raises for a plugin's object
            Path(readers._cache_path).unlink(missing_ok=True)  # no half-written cache
            log.warning("ownmedia: Pelican's reader cache not saved (%s: %s); the next build "
                        "reads every file again", type(exc).__name__, exc)

    save_cache.ownmedia_safe = True
    return save_cache


def on_all_generators(generators) -> None:
    settings = generators[0].settings if generators else {}
    state = incremental.current(settings)
    if state is not None:
        state.set_site(generators)
        state.generators = list(generators)
        if state.dry:  # writes nothing: nor the static files, copied by the last real build
            _copy_no_static_files(generators)


def _copy_no_static_files(generators) -> None:
    """Pelican's static generator copies a file by emptying it and writing it again: in the
    service's warm build that would empty files of the site it serves (redirects.json). Pelican
    has no setting to skip it, so its output step is replaced on this build's instance."""
    from pelican.generators import StaticGenerator

    for generator in generators:
        if isinstance(generator, StaticGenerator):
            generator.generate_output = _nothing_to_write


def _nothing_to_write(writer) -> None:
    """A dry build's static output."""


def on_get_writer(pelican):
    """Writing starts: the build stage's workers take the offered cache misses."""
    state = incremental.current(pelican.settings)
    if state is None:
        return None
    state.stage.start()
    return incremental.writer_class(state)


def on_finalized(pelican) -> None:
    state = incremental.current(pelican.settings)
    if state is not None and state.recording is not None and not state.dry:
        snapshot.save(state)
    if state is not None and not state.dry:
        from ownmedia import markdown_code_cache

        markdown_code_cache.prune(state.folder / "code")
    incremental.end(pelican.settings)


def register() -> None:
    connect_common(signals)
    install_traceback_filter()
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_start)
    signals.generator_init.connect(on_generator_init)
    signals.all_generators_finalized.connect(on_all_generators)
    signals.get_writer.connect(on_get_writer)
    signals.finalized.connect(on_finalized)

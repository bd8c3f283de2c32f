"""Build the Pelican site from Python (tests, benchmarks, the service's live re-render)."""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pelican_settings(
    settings_file: str | Path = ROOT / "pelicanconf.py",
    *,
    output: str | Path | None = None,
    content: str | Path | None = None,
    **overrides: object,
) -> dict:
    """Pelican's settings from a file, with paths and keys overridden (absolute paths)."""
    from pelican.settings import read_settings

    from ownmedia.pelican_support import add_snippet_templates, any_enabled

    override: dict = dict(overrides)
    if output is not None:
        override["OUTPUT_PATH"] = str(Path(output).resolve())
    if content is not None:
        override["PATH"] = str(Path(content).resolve())
    settings = read_settings(str(settings_file), override=override)
    if any_enabled(settings):  # before the build's input fingerprint is taken
        add_snippet_templates(settings)
    return settings


def publish_settings_file(settings_file: str | Path) -> Path:
    """publishconf.py beside a pelicanconf.py (Pelican's convention for publication builds,
    with the absolute SITEURL that print QR codes and share links need)."""
    return Path(settings_file).with_name("publishconf.py")


def build_site(
    output: str | Path,
    *,
    settings_file: str | Path = ROOT / "pelicanconf.py",
    content: str | Path | None = None,
    publish: bool = False,
    **overrides: object,
) -> Path:
    """Build the site into `output` and return it: Pelican's run, incremental when the
    `incremental` plugin is on (only changed files are rendered), not even started when
    no input changed since the last build of `output` (ownmedia.incremental.nothing_changed),
    and replaced by a rebuild from the last build's snapshot when only post texts or comment
    files changed (ownmedia.snapshot).
    `publish`: use the publishconf.py beside `settings_file`.
    """
    if publish:
        settings_file = publish_settings_file(settings_file)
    with _collector_paused():
        done, rest = _without_pelican_run(output, settings_file, content, overrides)
    if done is not None:
        return done
    pelican, stamp, before, settings = rest
    pelican.run()
    _write_stamp(stamp, before, settings)
    return Path(settings["OUTPUT_PATH"])


_frozen = False  # gc.freeze() done by this process's first build


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection while Pelican and the plugins are imported and a
    snapshot is loaded: they allocate objects that live as long as the process and leave
    no cycles to collect, and the collector would walk them all again and again; it is on
    again for Pelican's run (a full build leaves cycles behind). The first build of a
    process then freezes what it loaded (gc.freeze): the collector's first pass would walk
    all of it once more, and every full collection after it again."""
    global _frozen
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not _frozen:
            _frozen = True
            gc.freeze()
        if collecting:
            gc.enable()


def _without_pelican_run(output, settings_file, content, overrides: dict):
    """(the output, None) when the quick check, the dependency record or the snapshot made
    the build; else (None, (Pelican, quick-check stamp, its Before, settings)) to run."""
    from ownmedia import quick_check

    before = stamp = None
    walked: dict[str, dict[str, str]] = {}  # folders the quick check walked
    if quick_check.enabled(overrides):
        stamp = quick_check.stamp_path(output, settings_file, content, overrides)
        if quick_check.unchanged(stamp, walked):  # before Pelican's import (most of this case)
            quick_check.log.info("ownmedia: nothing changed since the last build of %s "
                                 "(quick check)", Path(output).resolve())
            return Path(output).resolve(), None
        stamp.unlink(missing_ok=True)  # a build that fails leaves no stamp
        before = quick_check.Before(settings_file)
    from ownmedia.pelican_support import make_pelican

    settings = pelican_settings(settings_file, output=output, content=content, **overrides)
    if _incremental_enabled(settings):
        from ownmedia import incremental

        stamps = incremental.input_stamps(settings, walked)  # one walk of content and theme
        if before is not None and stamp is not None:
            before.add_inputs(settings, stamps)
        # as nothing_changed sees them, before plugins add derived settings
        inputs = incremental.note_inputs(settings, stamps)
        if incremental.nothing_changed(settings, inputs=inputs):
            incremental.forget_inputs(settings)
            incremental.log.info("ownmedia: nothing changed since the last build of %s",
                                 settings["OUTPUT_PATH"])
            _write_stamp(stamp, before, settings)
            return Path(settings["OUTPUT_PATH"]), None
    else:
        before = None  # without the dependency record there is nothing to check against
    pelican = make_pelican(settings)
    if _incremental_enabled(settings):
        from ownmedia import snapshot

        if snapshot.quick_build(pelican):  # only post texts or comment files changed
            _write_stamp(stamp, before, settings)
            return Path(settings["OUTPUT_PATH"]), None
    return None, (pelican, stamp, before, settings)


def _write_stamp(stamp: Path | None, before, settings: dict) -> None:
    if stamp is None or before is None:
        return
    from ownmedia import quick_check

    quick_check.write(stamp, before, settings["OUTPUT_PATH"])


def _incremental_enabled(settings: dict) -> bool:
    from ownmedia.pelican_support import plugin_enabled

    return plugin_enabled(settings, "incremental")

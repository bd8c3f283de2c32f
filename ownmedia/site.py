"""Build the Pelican site from Python (tests, benchmarks, the service's live re-render)."""

from __future__ import annotations

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

    override: dict = dict(overrides)
    if output is not None:
        override["OUTPUT_PATH"] = str(Path(output).resolve())
    if content is not None:
        override["PATH"] = str(Path(content).resolve())
    return read_settings(str(settings_file), override=override)


def build_site(
    output: str | Path,
    *,
    settings_file: str | Path = ROOT / "pelicanconf.py",
    content: str | Path | None = None,
    **overrides: object,
) -> Path:
    """Run a full Pelican build into `output` and return it."""
    from pelican import Pelican

    settings = pelican_settings(settings_file, output=output, content=content, **overrides)
    Pelican(settings).run()
    return Path(settings["OUTPUT_PATH"])

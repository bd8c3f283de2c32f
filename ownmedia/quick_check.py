"""Skip a rebuild before Pelican is even imported when nothing it reads has changed.

`ownmedia.incremental.nothing_changed` needs Pelican's settings (and so Pelican's import,
most of a no-change rebuild). This check needs only file stats: a stamp written after each
successful build (JSON in the user cache dir, one per output folder, settings file and
options) holds size and mtime of ownmedia's code, the plugins, the settings file(s), every file
below the content and theme folders, the dependency record, a digest of the environment and
the list of outputs. Stats of code and settings are taken before the build reads them, so a
file saved during a build is seen by the next one. OWNMEDIA_QUICK_CHECK=0 turns it off."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import cache
from pathlib import Path

from ownmedia.fsutil import atomic_write_text, walk_files
from ownmedia.pelican_support import plain_logger

log = plain_logger("ownmedia.build")

FORMAT = 1
ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = frozenset({"__pycache__", ".git"})


def enabled(overrides: dict) -> bool:
    """Off when asked (environment) and for dry runs, which must record their calls."""
    return os.environ.get("OWNMEDIA_QUICK_CHECK", "1") != "0" and \
        not overrides.get("OWNMEDIA_DRY_RUN")


def stamp_path(output: str | Path, settings_file: str | Path, content: str | Path | None,
               overrides: dict) -> Path:
    """One stamp per build command: output, settings, content and overrides, from this cwd."""
    ident = repr((os.getcwd(), str(Path(output).resolve()), str(Path(settings_file).resolve()),
                  str(Path(content).resolve()) if content is not None else None,
                  sorted((k, repr(v)) for k, v in overrides.items())))
    return user_cache() / "quick" / f"{hashlib.sha256(ident.encode()).hexdigest()[:32]}.json"


def user_cache() -> Path:
    """ownmedia's folder in the user cache dir (XDG_CACHE_HOME, else ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ownmedia"


def file_stamp(path: str) -> str:
    """size|mtime of a file, "-" when it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_size}|{st.st_mtime_ns}"


def tree_stamps(root: str) -> dict[str, str]:
    """size|mtime of every file below `root` (compiled-code folders left out)."""
    return {path: f"{st.st_size}|{st.st_mtime_ns}"
            for path, st in walk_files(Path(root), skip_names=SKIP_DIRS)}


def _below(stamps: dict[str, str], root: str) -> dict[str, str]:
    """tree_stamps(root) taken from a walk that also saw compiled-code folders."""
    prefix = root.rstrip(os.sep) + os.sep
    return {p: s for p, s in stamps.items() if p.startswith(prefix) and not
            _skipped(p[len(prefix):])}


def _skipped(relative: str) -> bool:
    """Below a compiled-code folder (the substring test first: most names have none)."""
    for name in SKIP_DIRS:
        if name in relative:
            return bool(SKIP_DIRS.intersection(relative.split(os.sep)[:-1]))
    return False


@cache
def environment_digest() -> str:
    """What, outside the files, may change a build: interpreter, import path as the process
    started (a build adds to it), the installed packages' folders (an install changes their
    mtime), ownmedia/Pelican variables."""
    parts = [sys.executable, sys.version, os.getcwd()]
    for entry in sys.path:
        installed = entry.endswith(("site-packages", "dist-packages"))
        parts.append(f"{entry}:{file_stamp(entry) if installed else ''}")
    parts += sorted(f"{k}={v}" for k, v in os.environ.items()
                    if (k.startswith(("OWNMEDIA_", "PELICAN")) and k != "OWNMEDIA_QUICK_CHECK")
                    or k in ("LANG", "LC_ALL", "TZ", "SOURCE_DATE_EPOCH"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def settings_files(settings_file: str | Path) -> list[str]:
    """The settings file and its Pelican sibling (publishconf.py imports pelicanconf.py)."""
    path = Path(settings_file).resolve()
    return sorted({str(path), str(path.with_name("pelicanconf.py"))})


def code_trees() -> list[str]:
    """ownmedia's code (the plugins are inside the package or beside it in a checkout)."""
    here = Path(__file__).resolve().parent
    trees = [str(here)]
    if (here.parent / "plugins").is_dir():
        trees.append(str(here.parent / "plugins"))
    return trees


class Before:
    """The stats of code, settings and environment, taken before a build reads them."""

    def __init__(self, settings_file: str | Path):
        self.files = {p: file_stamp(p) for p in settings_files(settings_file)}
        self.trees = {root: tree_stamps(root) for root in code_trees()}
        self.env = environment_digest()
        self.record = ""

    def add_inputs(self, settings: dict, stamps: dict[str, str] | None = None) -> None:
        """The content and theme folders and the dependency record's place, once the
        settings are read and before the build reads the content. `stamps`: the build's
        own walk of those folders (ownmedia.incremental.input_stamps), not walked again."""
        from ownmedia.incremental import BuildState

        roots = [settings["PATH"], settings["THEME"],
                 *(settings.get("THEME_TEMPLATES_OVERRIDES") or [])]
        for root in roots:
            resolved = str(Path(root).resolve())
            if resolved in self.trees:
                continue
            if stamps is not None and resolved == str(root):  # the walk's own path names
                self.trees[resolved] = _below(stamps, resolved)
            else:
                self.trees[resolved] = tree_stamps(resolved)
        self.record = str(BuildState(settings, open_cache=False).record_path)


def write(path: Path, before: Before, output: str | Path) -> None:
    """After a successful build: the stamp the next build compares with (no record, no
    stamp: the next build runs)."""
    from ownmedia.incremental import read_record

    try:
        outputs = sorted(read_record(before.record)["outputs"])
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return
    data = {"format": FORMAT, "files": before.files, "trees": before.trees, "env": before.env,
            "record": [before.record, file_stamp(before.record)],
            "output": str(Path(output).resolve()), "outputs": outputs}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(data), durable=False)  # a cache: lost, a build runs
    except OSError as exc:
        log.warning("quick check stamp %s not written (%s)", path, exc)


def unchanged(path: Path, walked: dict[str, dict[str, str]] | None = None) -> bool:
    """True when the stamp at `path` matches the files and environment as they are now.
    `walked`: filled with the content and theme folders' walks (every file, as
    ownmedia.incremental.input_stamps takes them), so that a build that follows does not walk
    them again."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        files, trees, env = data["files"], data["trees"], data["env"]
        record_file, record_stamp = data["record"]
        out, outputs = data["output"], data["outputs"]
        if not (isinstance(files, dict) and isinstance(trees, dict) and isinstance(out, str)
                and isinstance(outputs, list)):
            raise ValueError("unexpected shape")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("quick check stamp %s ignored (%s); building", path, exc)
        path.unlink(missing_ok=True)
        return False
    if env != environment_digest() or file_stamp(record_file) != record_stamp:
        return False
    if any(file_stamp(p) != s for p, s in files.items()):
        return False
    code = set(code_trees())
    # the folders an edit changes first: a changed one ends the check
    for root, stamps in sorted(trees.items(), key=lambda item: item[0] in code):
        if root in code:
            if tree_stamps(root) != stamps:
                return False
            continue
        found = {p: f"{st.st_size}|{st.st_mtime_ns}" for p, st in walk_files(Path(root))}
        if walked is not None:
            walked[root] = found
        if _below(found, root) != stamps:
            return False
    return all(os.path.isfile(os.path.join(out, name)) for name in outputs)

"""Incremental output: render only the files whose inputs changed, byte-identical to a full build.

Pelican reads every post (its own cache makes that cheap) and then asks its Writer to write
every output file. `IncrementalWriter` (returned through Pelican's `get_writer` signal) gives
each file it is asked for a fingerprint of everything it is made from, and renders it only when
that fingerprint differs from the one recorded by the last build (or the file is missing):

    fingerprint(file) = H(site, template, output name, the objects it is made from)
    site    = H(ownmedia + plugin code, theme files, settings, site structure)
    object  = H(source file bytes, its comment files, its translations' URLs)

The *site structure* is what every page may show of other posts (slug, URL, title, date,
category, tags, authors, status of every article and page), so adding, removing, retitling
or re-tagging a post, like a changed template or setting, re-renders everything: a full build
through the same path. Editing a post's text or approving a comment re-renders its page,
translations, print view and comments feed, and the listings, tag, category, author, archive
pages and feeds made from it. A paginated listing is written one page at a time, and a page
depends on the objects of its own page (and the structure), not on the whole list nor on
Pelican's `all_articles`: our theme's listings only show their page (a theme that shows more
of other posts on a listing page would need OWNMEDIA_INCREMENTAL = False). A feed depends on
the posts it shows (its first FEED_MAX_ITEMS); the archives, tags, categories and authors
pages show only structure (OWNMEDIA_STRUCTURE_TEMPLATES), so an edited text leaves them.

The service's live publisher runs a dry build (OWNMEDIA_DRY_RUN: read, record the Writer
calls, write nothing) and replays the calls that show an approved post through this writer.

The record (`<cache>/ownmedia/outputs-<hash of output path>.json`) is removed when a build
starts and written when it ends, so a build that stops half-way leaves no record and the next
one is full. Outputs recorded by the last build and not produced by this one (a removed post)
are deleted. One build at a time per output directory (an flock beside the record)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from pelican.contents import Content
from pelican.paginator import Paginator
from pelican.writers import Writer

from ownmedia import theme_path
from ownmedia.build_cache import BuildCache, key
from ownmedia.build_stage import Stage
from ownmedia.fsutil import atomic_write_text, walk_files
from ownmedia.pelican_support import BuildError, plain_logger

log = plain_logger("ownmedia.build")

RECORD_FORMAT = 1
ROOT = Path(__file__).resolve().parent.parent
# Settings that are only about how to build, not what is built.
VOLATILE_SETTINGS = {"OUTPUT_PATH", "CACHE_PATH", "LOAD_CONTENT_CACHE", "CACHE_CONTENT",
                     "WRITE_SELECTED", "PLUGINS", "DELETE_OUTPUT_DIRECTORY", "GZIP_CACHE",
                     "CONTENT_CACHING_LAYER", "OWNMEDIA_BUILD_WORKERS", "OWNMEDIA_DRY_RUN",
                     "OWNMEDIA_CONTENT_CACHE", "OWNMEDIA_INCREMENTAL"}
# whole outputs also kept in the content-addressed cache
CACHED_TEMPLATES = ("print.html", "ownmedia/print.html")


class BuildLocked(BuildError):
    """Another build is writing the same output directory."""


# --- fingerprints -----------------------------------------------------------------------
def _hash_files(paths: Iterable[Path], root: Path | None = None) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        name = str(path.relative_to(root)) if root else str(path)
        h.update(key(name, data).encode())
    return h.hexdigest()


@cache
def code_fingerprint() -> str:
    """ownmedia's own code and plugins, and the versions of the libraries that shape output.
    Kept in the user cache under the code files' stats and the environment's digest (what
    the quick check trusts to skip a build): hashed again when either changed."""
    import ownmedia
    from ownmedia import quick_check

    plugins = ownmedia.plugins_path()
    # a wheel holds the plugins inside ownmedia/, a checkout beside it: each file once
    found = {path: f"{st.st_size}|{st.st_mtime_ns}" for root in (ROOT / "ownmedia", plugins)
             for path, st in walk_files(root, skip_names=quick_check.SKIP_DIRS)
             if path.endswith(".py")}
    files = sorted(Path(p) for p in found)
    stamp = key(quick_check.environment_digest(), *(f"{p}|{s}" for p, s in sorted(found.items())))
    path = quick_check.user_cache() / f"code-{key(str(ROOT))[:16]}.json"
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
        if known["stamp"] == stamp and isinstance(known["fingerprint"], str):
            return known["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no such file, or damaged: hashed again below and rewritten
    fingerprint = key(_hash_files(files, ROOT), _versions())
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps({"stamp": stamp, "fingerprint": fingerprint}),
                          durable=False)
    return fingerprint


def _versions() -> str:
    from importlib.metadata import version

    import markdown
    import nh3  # noqa: F401
    import pelican
    import segno

    return f"{pelican.__version__} {segno.__version__} {markdown.__version__} " \
           f"{version('nh3')} {version('feedgenerator')} {version('jinja2')}"


def theme_fingerprint(settings: dict) -> str:
    folders = [Path(settings["THEME"]) / "templates",
               *(Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or [])]
    return _hash_files([p for f in folders if f.is_dir() for p in f.rglob("*") if p.is_file()])


def stable_repr(value: object) -> str:
    """repr() of plain data; other objects by their type's name (no memory addresses)."""
    if isinstance(value, dict):
        items = sorted((str(k), stable_repr(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [stable_repr(v) for v in value]
        if isinstance(value, (set, frozenset)):
            items.sort()
        return "[" + ",".join(items) + "]"
    if value is None or isinstance(value, (str, int, float, bool)):
        return repr(value)
    if isinstance(value, Path):
        return repr(str(value))
    kind = type(value)
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    return f"<{kind.__module__}.{kind.__qualname__}{':' + name if name else ''}>"


def settings_fingerprint(settings: dict) -> str:
    return key(stable_repr({k: v for k, v in settings.items()
                            if k not in VOLATILE_SETTINGS and k.isupper()}))


def input_stamps(settings: dict, walked: dict[str, dict[str, str]] | None = None
                 ) -> dict[str, str]:
    """Every file a build reads (content, comment files, theme): path -> "size|mtime".
    `walked`: folders already walked so, by path (the quick check's, just before)."""
    stamps = {}
    roots = [Path(settings["PATH"]), Path(settings["THEME"]),
             *(Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or [])]
    for root in roots:
        known = (walked or {}).get(str(root))
        if known is not None:
            stamps.update(known)
            continue
        for path, st in walk_files(root):
            stamps[str(path)] = f"{st.st_size}|{st.st_mtime_ns}"
    return stamps


def configuration_fingerprint(settings: dict) -> str:
    """The code, settings and plugins of a build (what its files are read with)."""
    return key(code_fingerprint(), settings_fingerprint(settings),
               stable_repr(settings.get("PLUGINS")))


def inputs_fingerprint(settings: dict, stamps: dict[str, str] | None = None,
                       configuration: str | None = None) -> str:
    """Every file a build reads, by path, size and mtime, with the settings and code: equal
    to the last build's means nothing can have changed. `configuration`:
    configuration_fingerprint(settings), when the caller has it."""
    stamps = input_stamps(settings) if stamps is None else stamps
    if configuration is None:
        configuration = configuration_fingerprint(settings)
    return key(configuration, *sorted(f"{p}|{s}" for p, s in stamps.items()))


def nothing_changed(settings: dict, stamps: dict[str, str] | None = None,
                    inputs: str | None = None) -> bool:
    """True when the last build of this output read exactly these inputs and every file it
    wrote is still there: the build can be skipped (ownmedia.site.build_site does).
    `stamps`: input_stamps(settings), when the caller has them; `inputs`: their
    inputs_fingerprint (what note_inputs returns)."""
    if not settings.get("OWNMEDIA_INCREMENTAL", True):
        return False
    state = BuildState(settings, open_cache=False)
    try:
        data = read_record(state.record_path)
    except (OSError, ValueError):
        return False
    if data.get("output") != str(state.output):
        return False
    outputs = data["outputs"]
    if data.get("inputs") != (inputs or inputs_fingerprint(settings, stamps)):
        return False
    out = str(state.output)  # os.path: pathlib costs ~20 µs a name, on thousands of names
    return all(os.path.isfile(os.path.join(out, name)) for name in outputs)


_RECORDS: dict[str, tuple[tuple[int, ...], dict]] = {}  # path -> (its stat, its data)


def read_record(path: str | Path) -> dict:
    """The build record at `path` ({"format", "output", "outputs", "inputs"}), parsed once
    for all its readers (the nothing-changed check, the build, the quick check's stamp):
    kept while the file's stat is the one it was read with. OSError when it cannot be read,
    ValueError when it is damaged or not a record. The data is shared: not to be changed."""
    path = str(path)
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        known = _RECORDS.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        data = json.loads(fh.read())
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise ValueError("not a build record of this version")
    if not isinstance(data.get("outputs"), dict):
        raise ValueError("bad outputs")
    _RECORDS[path] = (stamp, data)
    return data


def use_template_cache(settings: dict, folder: Path) -> None:
    """Compiled templates kept between builds (ownmedia.template_cache: the theme's beside
    the build record, ownmedia's snippets in the user's cache folder). A build's templates
    do not change while it runs, so Jinja need not look at each file again on every include
    (auto_reload off); the live publisher's environment (OWNMEDIA_DRY_RUN) lives on in the
    service while a theme may be edited."""
    jinja = dict(settings.get("JINJA_ENVIRONMENT") or {})
    if "bytecode_cache" not in jinja:
        from ownmedia import quick_check
        from ownmedia.template_cache import TemplateCache

        user = quick_check.user_cache() / "jinja"
        jinja["bytecode_cache"] = TemplateCache(folder / "jinja", user)
    if not settings.get("OWNMEDIA_DRY_RUN"):
        jinja.setdefault("auto_reload", False)
    settings["JINJA_ENVIRONMENT"] = jinja


def pelican_cache_path(settings: dict) -> str:
    """Where Pelican's own content cache goes for these settings (plugins included)."""
    base = Path(settings.get("CACHE_PATH") or "cache")
    if base.name.startswith("pelican-"):  # already chosen by an earlier run of this build
        base = base.parent
    tag = key(settings_fingerprint(settings), stable_repr(settings.get("PLUGINS")),
              code_fingerprint())[:16]
    return str(base / f"pelican-{tag}")


def _stamps(folder: Path) -> dict[str, str]:
    return {p.name: f"{p.stat().st_size}|{p.stat().st_mtime_ns}"
            for p in sorted(folder.glob("*")) if p.is_file() and p.name != STAMPS}


STAMPS = "ownmedia-checked.json"


def check_pelican_cache(folder: str | Path) -> None:
    """Pelican catches only some of the errors a damaged cache file raises when unpickled
    (EOFError, ValueError, a missing module would stop the build with a traceback): a file
    that is not exactly as the last build left it (size, mtime) is read once here, and set
    aside in one line when it cannot be read."""
    import pickle

    folder = Path(folder)
    try:
        known = json.loads((folder / STAMPS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    for name, stamp in _stamps(folder).items() if folder.is_dir() else ():
        if known.get(name) == stamp:
            continue
        path = folder / name
        try:
            with path.open("rb") as fh:
                data = pickle.load(fh)
            if not isinstance(data, dict):
                raise ValueError("not a cache of Pelican's")
        except Exception as exc:  # noqa: BLE001 - any unreadable file is ignored the same way
            log.warning("Pelican cache %s ignored (%s: %s); reading the posts again", path,
                        type(exc).__name__, exc)
            path.unlink(missing_ok=True)


def stamp_pelican_cache(folder: str | Path) -> None:
    """After a build: the files as Pelican saved them need no check next time."""
    folder = Path(folder)
    if folder.is_dir():
        atomic_write_text(folder / STAMPS, json.dumps(_stamps(folder)), durable=False)


def _comments_fingerprint(comments) -> str:
    if not comments:
        return ""
    return key(*(f"{c.id}|{c.post}|{c.author}|{c.date.isoformat()}|{c.website}|{c.reply_to}|"
                 f"{c.type}|{c.source}|{c.body}" for c in comments))


def _structure_entry(content) -> str:
    meta = getattr(content, "metadata", {})
    return "|".join(str(x) for x in (
        getattr(content, "source_path", ""), getattr(content, "slug", ""),
        getattr(content, "lang", ""), getattr(content, "url", ""),
        getattr(content, "save_as", ""), getattr(content, "title", ""),
        meta.get("date", ""), meta.get("modified", ""), getattr(content, "status", ""),
        getattr(content, "category", ""), [str(t) for t in getattr(content, "tags", []) or []],
        [str(a) for a in getattr(content, "authors", []) or []],
        getattr(content, "template", ""), getattr(content, "in_default_lang", ""),
    ))


# --- the state of one build ---------------------------------------------------------------
class BuildState:
    """Everything one build knows about incremental output; found by the build's settings."""

    def __init__(self, settings: dict, open_cache: bool = True):
        self.settings = settings
        self.output = Path(settings["OUTPUT_PATH"]).resolve()
        base = Path(settings.get("CACHE_PATH") or "cache")
        if base.name.startswith("pelican-"):  # see pelican_cache_path
            base = base.parent
        folder = settings.get("OWNMEDIA_CACHE_PATH") or base / "ownmedia"
        self.folder = Path(folder).resolve()
        tag = hashlib.sha256(str(self.output).encode()).hexdigest()[:16]
        self.record_path = self.folder / f"outputs-{tag}.json"
        self.lock_path = self.folder / f"outputs-{tag}.lock"
        self.thread = threading.get_ident()
        self._lock_fd: int | None = None
        self.cache = BuildCache(self.folder if open_cache else None)
        self.stage = Stage(settings)
        self.cache.stage = self.stage
        self.inputs = ""  # inputs_fingerprint at the start of the build
        self.previous: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.site = ""
        self.reason = ""
        self.rendered = 0
        self.skipped = 0
        self.rendered_names: set[str] = set()
        self.recording: list | None = None  # write calls (the live publisher, the snapshot)
        self.generators: list = []  # the build's generators, once they have read the content
        self.noted: tuple[dict[str, str], str] | None = None  # see note_inputs
        self.staging = False  # the writer writes into a staging folder (the live publisher)
        self.pelican_cache: str | None = None  # Pelican's reader cache folder, when ours
        # read everything, write nothing (the live publisher's warm build): OWNMEDIA_DRY_RUN
        self.dry = bool(settings.get("OWNMEDIA_DRY_RUN"))
        self._object_fps: dict[int, str] = {}
        self._file_fps: dict[str, str] = {}
        # ids of the only objects that changed since the record, when the caller knows them
        # (a re-render of some posts): a listing page that shows none of them is as recorded
        self.changed: set[int] | None = None

    # lock and record ---------------------------------------------------------------------
    def lock(self, wait: float = 0.0) -> None:
        """Take the output directory's lock; a build fails at once when it is taken, the
        live publisher (a few files) waits up to `wait` seconds for the other build."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.02)  # the other build's end is not signalled to us
                    continue
            os.close(fd)
            raise BuildLocked(
                f"another build is writing {self.output} (lock {self.lock_path}); "
                "run this one when it has finished"
            ) from None
        self._lock_fd = fd

    def unlock(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def load_record(self, consume: bool = True) -> None:
        """Read the last build's record; `consume` removes it (written again at the end)."""
        self.previous = {}
        try:
            data = read_record(self.record_path)
            if str(self.output) != data.get("output"):
                raise ValueError("not a record of this output")
            self.previous = {str(k): str(v) for k, v in data["outputs"].items()}
        except FileNotFoundError:
            self.reason = "no record of an earlier build"
        except (ValueError, OSError) as exc:
            log.warning("build record %s ignored (%s); full build", self.record_path, exc)
            self.reason = "unreadable build record"
        if consume:
            self.record_path.unlink(missing_ok=True)

    def save_record(self, outputs: dict[str, str], inputs: str = "") -> None:
        data = {"format": RECORD_FORMAT, "output": str(self.output), "outputs": outputs,
                "inputs": inputs}
        # no indent: json's C encoder (with indent it encodes in Python); no fsync: a record
        # lost in a crash means a full build, never a wrong page
        atomic_write_text(self.record_path, json.dumps(data, sort_keys=True), durable=False)
        st = os.stat(self.record_path)  # its readers after this build need not parse it
        data["outputs"] = dict(outputs)
        _RECORDS[str(self.record_path)] = (
            (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns), data)

    # fingerprints ---------------------------------------------------------------------------
    def set_site(self, generators: list) -> None:
        """The site fingerprint, once every generator has read its content."""
        contents = []
        for gen in generators:
            for name in ("articles", "translations", "drafts", "drafts_translations",
                         "hidden_articles", "hidden_translations", "pages", "hidden_pages",
                         "draft_pages"):
                contents.extend(getattr(gen, name, []) or [])
        structure = sorted(_structure_entry(c) for c in contents)
        self.site = key(code_fingerprint(), theme_fingerprint(self.settings),
                        settings_fingerprint(self.settings), *structure)
        self._object_fps.clear()

    def _source_fp(self, path: str) -> str:
        fp = self._file_fps.get(path)
        if fp is None:
            try:
                fp = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                fp = "missing"
            self._file_fps[path] = fp
        return fp

    def object_fp(self, obj, comments: bool = True) -> str:
        """A content object (article, page), a list of them, a URL wrapper, or plain data."""
        if isinstance(obj, (list, tuple)):
            return key(*(self.object_fp(o, comments) for o in obj))
        if isinstance(obj, Content):  # known without looking at it (a snapshot's unread post)
            fp = self._object_fps.get((id(obj), comments))
            if fp is not None:
                return fp
        source = getattr(obj, "source_path", None)
        if source is None:
            if hasattr(obj, "object_list") and hasattr(obj, "number"):  # a Page of a listing
                return key("page", str(obj.number), self.object_fp(list(obj.object_list)))
            if hasattr(obj, "slug") and hasattr(obj, "url"):  # tag, category, author
                return key("wrapper", str(obj), str(obj.url))
            return key("value", stable_repr(obj))
        memo = (id(obj), comments)
        fp = self._object_fps.get(memo)
        if fp is None:
            fp = key(source, self._source_fp(source),
                     _comments_fingerprint(getattr(obj, "comments", None)) if comments else "",
                     *(f"{t.lang}|{t.url}" for t in getattr(obj, "translations", []) or []))
            self._object_fps[memo] = fp
        return fp

    def forget(self, obj) -> None:
        """An object changed in memory (the live publisher attached new comments)."""
        self._object_fps.pop((id(obj), True), None)
        self._object_fps.pop((id(obj), False), None)

    def up_to_date(self, name: str, fp: str) -> bool:
        self.outputs[name] = fp
        if self.previous.get(name) == fp and (self.output / name).is_file():
            self.skipped += 1
            return True
        self.rendered += 1
        self.rendered_names.add(name)
        return False

    def claim(self, name: str, fp: str) -> None:
        self.outputs[name] = fp

    def stale_outputs(self) -> list[str]:
        return sorted(set(self.previous) - set(self.outputs))

    def finish(self) -> None:
        """Delete the outputs of removed content, write the record, release the lock."""
        if self.dry:
            self.close()
            return
        try:
            for name in self.stale_outputs():
                path = self.output / name
                path.unlink(missing_ok=True)
                _remove_empty_parents(path.parent, self.output)
            self.cache.flush()
            if self.pelican_cache:
                stamp_pelican_cache(self.pelican_cache)
            self.save_record(self.outputs, self.inputs)
            workers = (f"; {self.stage.taken} of {self.stage.offered} cache misses made by "
                       f"{self.stage.workers} build-stage workers, {self.stage.reused} found "
                       f"again there, {self.stage.overtaken} asked for before a worker "
                       "started them" if self.stage.workers else "")
            log.info("ownmedia: %d files rendered, %d up to date%s%s", self.rendered,
                     self.skipped, f" ({self.reason})" if self.reason else "", workers)
        finally:
            self.close()

    def close(self) -> None:
        try:
            for (kind, entry_key), value in self.stage.close().items():
                self.cache.put(kind, entry_key, value)
        finally:
            self.cache.close()
            self.unlock()

    def offer(self, kind: str, entry_key: str, fn: Callable[[str], str], arg: str) -> None:
        """A cache miss the build stage's workers may fill (see ownmedia.build_stage)."""
        if not self.cache.has(kind, entry_key):
            self.stage.offer(kind, entry_key, fn, arg)


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


# --- which build is running ------------------------------------------------------------
_STATES: dict[int, BuildState] = {}  # id(settings) -> its build under way
_STATES_LOCK = threading.Lock()


def start(settings: dict, consume_record: bool = True, wait: float = 0.0) -> BuildState:
    """A new build: lock the output directory and read the last record. A build of the same
    output by this thread that never finished (an exception) is closed first."""
    with _STATES_LOCK:
        for sid, old in list(_STATES.items()):
            if old.output == Path(settings["OUTPUT_PATH"]).resolve() and (
                old.thread == threading.get_ident() or sid == id(settings)
            ):
                old.close()
                del _STATES[sid]
    state = BuildState(settings)
    state.lock(wait)
    try:
        if consume_record:  # a build: what it reads, before it reads it
            state.inputs = _INPUTS.pop(id(settings), "")
            state.noted = NOTED.pop(id(settings), None)
        state.load_record(consume=consume_record)
    except BaseException:
        state.close()
        raise
    with _STATES_LOCK:
        _STATES[id(settings)] = state
    return state


_INPUTS: dict[int, str] = {}  # id(settings) -> inputs_fingerprint before plugins added theirs
# id(settings) -> (input_stamps, configuration_fingerprint) as note_inputs saw them
NOTED: dict[int, tuple[dict[str, str], str]] = {}


def note_inputs(settings: dict, stamps: dict[str, str] | None = None) -> str:
    """Called first thing when Pelican is initialised (plugins then add derived settings,
    e.g. MARKDOWN extensions), so the fingerprint is the one nothing_changed computes;
    returns it."""
    stamps = input_stamps(settings) if stamps is None else stamps
    configuration = configuration_fingerprint(settings)
    inputs = _INPUTS[id(settings)] = inputs_fingerprint(settings, stamps, configuration)
    NOTED[id(settings)] = (stamps, configuration)
    return inputs


def forget_inputs(settings: dict) -> None:
    """What note_inputs kept, when no build follows."""
    _INPUTS.pop(id(settings), None)
    NOTED.pop(id(settings), None)


def current(settings: dict) -> BuildState | None:
    return _STATES.get(id(settings))


def dry_run(settings: dict) -> bool:
    """True during a build that must write nothing (plugins writing files themselves ask)."""
    state = current(settings)
    return state is not None and state.dry


def end(settings: dict, finish: bool = True) -> None:
    """The build is over: `finish` it (stale outputs, record), or only close it (the live
    publisher writes its own record)."""
    with _STATES_LOCK:
        state = _STATES.pop(id(settings), None)
    if state is not None:
        if finish:
            state.finish()
        else:
            state.close()


# --- the writer ----------------------------------------------------------------------------
class _Rendered:
    """Stands for a Jinja template in Writer.write_file: a cached template (print views) is
    taken from the content-addressed cache by the output's fingerprint, or rendered."""

    def __init__(self, template, state: BuildState, fp: str):
        self.template, self.state, self.fp = template, state, fp
        self.name = getattr(template, "name", None)

    def render(self, localcontext: dict) -> str:
        if self.name in CACHED_TEMPLATES:
            return self.state.cache.get_or_make(
                "output", self.fp, lambda: self.template.render(localcontext))
        return self.template.render(localcontext)


# Pelican's site-wide lists (the taxonomy with each term's articles, every article): a page
# shows their names, URLs and counts, all in the site fingerprint's structure. Pelican hands
# them in the context; plugins/lang_sites passes its language's as arguments, where their
# members' content would make one edited post re-render every listing of the language.
SITE_WIDE = ("all_articles", "categories", "tags", "authors")


# Templates that show of the posts they are given (`articles`, `dates`) only what the site
# structure holds (title, URL, date, language, taxonomy and its counts): those lists are left
# out of their fingerprint, so an edited text does not re-render them. ownmedia's theme is
# known to keep to that; another theme's archives may show summaries, so for it the default
# is none (its owner may list them in OWNMEDIA_STRUCTURE_TEMPLATES).
STRUCTURE_TEMPLATES = ("archives", "tags", "categories", "authors")
STRUCTURE_LISTS = ("articles", "dates")


def structure_only(template, settings) -> bool:
    """True when `template` (a Jinja template or its name) shows only the structure of its
    posts."""
    name = str(getattr(template, "name", template) or "")
    stem = name.rsplit("/", 1)[-1].removesuffix(".html")
    names = settings.get("OWNMEDIA_STRUCTURE_TEMPLATES")
    if names is None:
        names = STRUCTURE_TEMPLATES if _is_ownmedia_theme(settings.get("THEME")) else ()
    return stem in names


@cache
def _is_ownmedia_theme(theme: str | None) -> bool:
    return bool(theme) and Path(theme).resolve() == Path(theme_path()).resolve()


class IncrementalWriter(Writer):
    """Pelican's Writer, skipping the files whose fingerprint did not change."""

    build: BuildState | None = None  # set on the subclass made for each build

    def _state(self) -> BuildState | None:
        return self.build or current(self.settings)

    def _call_fp(self, state: BuildState, template, kwargs: dict, skip: Iterable[str] = ()):
        parts = [state.site, str(getattr(template, "name", template))]
        skip = {*skip, *SITE_WIDE}
        for name in sorted(kwargs):
            if name not in skip:
                parts.append(f"{name}={state.object_fp(kwargs[name])}")
        return key(*parts)

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        state = self._state()
        if state is None or not name:
            return super().write_file(name, template, context, relative_urls, paginated,
                                      template_name, override_output, url, **kwargs)
        if state.recording is not None:
            state.recording.append(("file", name, template, context, dict(
                relative_urls=relative_urls, paginated=paginated, template_name=template_name,
                override_output=override_output, url=url, **kwargs)))
        if state.dry:
            return None
        lists = paginated if paginated is not None else {
            k: v for k, v in kwargs.items() if k in ("articles", "dates")}
        flags = f"{relative_urls}|{override_output}|{template_name}"
        if lists and template_name in self.settings["PAGINATED_TEMPLATES"]:
            self._write_pages(state, name, template, context, relative_urls, lists,
                              template_name, override_output, url, kwargs, flags)
            return None
        shows_structure = structure_only(template, self.settings)
        fp = key(self._call_fp(state, template, kwargs,
                               skip=STRUCTURE_LISTS if shows_structure else ()), flags, name)
        if state.up_to_date(name, fp):
            return None
        return super().write_file(name, _Rendered(template, state, fp), context,
                                  relative_urls, paginated, template_name, override_output,
                                  url, **kwargs)

    def _write_pages(self, state, name, template, context, relative_urls, lists,
                     template_name, override_output, url, kwargs, flags) -> None:
        """A paginated listing, one page at a time, so that only the pages whose objects
        changed are rendered and written (an approval changes one page of a 250-page index).
        Each page is handed to Writer.write_file with the variables Pelican documents for
        paginated templates (`<list>_paginator`, `_page`, `_previous_page`, `_next_page`),
        made with Pelican's own Paginator: the same page as Pelican's loop writes (tested)."""
        per_page = (self.settings["PAGINATED_TEMPLATES"][template_name]
                    or self.settings["DEFAULT_PAGINATION"])
        # the whole list (and Pelican's all_articles) shows through the page objects and
        # the structure; the theme's listings show only their page (see the docstring)
        base = self._call_fp(state, template, kwargs, skip=lists)
        paginators = {k: Paginator(name, url, v, self.settings, per_page)
                      for k, v in lists.items()}
        count = next(iter(paginators.values())).num_pages
        changed = state.changed
        numbers = range(1, count + 1) if changed is None else \
            _numbers_showing(changed, paginators, count)
        for number in numbers:
            pages = {k: p.page(number) for k, p in paginators.items()}
            if changed is not None and not any(
                    id(o) in changed for p in pages.values() for o in p.object_list):
                continue  # none of its posts changed: its recorded fingerprint holds
            save_as = next(iter(pages.values())).save_as
            fp = key(base, flags, save_as, str(count),
                     *(f"{k}={state.object_fp(p)}" for k, p in pages.items()))
            if state.up_to_date(save_as, fp):
                continue
            page_kwargs = dict(kwargs)
            for k, paginator in paginators.items():
                page_kwargs.update({
                    f"{k}_paginator": paginator,
                    f"{k}_page": pages[k],
                    f"{k}_previous_page": paginator.page(number - 1) if number > 1 else None,
                    f"{k}_next_page": paginator.page(number + 1) if number < count else None,
                })
            super().write_file(save_as, _Rendered(template, state, fp), context,
                               relative_urls, {}, None, override_output, None, **page_kwargs)

    def write_feed(self, elements, context, path=None, url=None, feed_type="atom",
                   override_output=False, feed_title=None):
        state = self._state()
        if state is None or not path:
            return super().write_feed(elements, context, path, url, feed_type,
                                      override_output, feed_title)
        if state.recording is not None:
            state.recording.append(("feed", path, elements, context, dict(
                url=url, feed_type=feed_type, override_output=override_output,
                feed_title=feed_title)))
        if state.dry:
            return None
        fp = key(state.site, "feed", path, str(url), feed_type, str(feed_title),
                 str(override_output),
                 state.object_fp(feed_items(elements, self.settings), comments=False))
        if state.up_to_date(path, fp):
            return None
        return super().write_feed(elements, context, path, url, feed_type, override_output,
                                  feed_title)

    def write_artefact(self, name: str, inputs: Iterable[str], make: Callable[[], str]) -> None:
        """A file a plugin makes itself (a comments feed), written when its inputs changed;
        `inputs` are strings (use state fingerprints). Written as Pelican writes its pages
        (no fsync per file: a build writes thousands; the live publisher writes into a
        staging folder and renames into the site)."""
        state = self._state()
        if state is not None and state.dry:
            return
        if state is not None:
            fp = key(state.site, "artefact", name, *inputs)
            if state.up_to_date(name, fp):
                return
        _write_plain(Path(self.output_path) / name, make())


def _numbers_showing(changed: set[int], paginators: dict, count: int) -> list[int]:
    """The page numbers that may show a changed object: the n-th object is on page
    n // per_page + 1, or on the last page when orphans join it (each candidate is then
    checked against Pelican's own page)."""
    numbers = set()
    for paginator in paginators.values():
        per_page = max(paginator.per_page, 1)
        for n, obj in enumerate(paginator.object_list):
            if id(obj) in changed:
                numbers.update(p for p in (n // per_page + 1, count) if p <= count)
    return sorted(numbers)


def _write_plain(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def writer_class(state: BuildState) -> type[IncrementalWriter]:
    """A writer class bound to one build (Pelican instantiates the class itself)."""
    return type("IncrementalWriter", (IncrementalWriter,), {"build": state})


def write_artefact(writer, name: str, inputs: Iterable[str], make: Callable[[], str]) -> None:
    """Through an IncrementalWriter when the build has one, else an atomic write."""
    if isinstance(writer, IncrementalWriter):
        writer.write_artefact(name, inputs, make)
    else:
        _write_plain(Path(writer.output_path) / name, make())


def feed_items(elements, settings) -> list:
    """The elements a feed shows: Pelican's Writer takes the first FEED_MAX_ITEMS (None: all);
    the others cannot change it."""
    return list(elements)[:settings.get("FEED_MAX_ITEMS")]


def shown_contents(call: tuple) -> list:
    """The content objects a recorded Writer call shows (lists and paginated dicts walked).
    Pelican gives every tag, category and author listing all_articles; they show only their
    own; a feed shows its first FEED_MAX_ITEMS; a structure template (see structure_only)
    shows nothing of its posts beyond the structure. A call's context holds the settings."""
    found: list = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif hasattr(value, "source_path"):
            found.append(value)

    if call[0] == "feed":
        walk(feed_items(call[2], call[3]))
    else:
        skip = {"all_articles", *(STRUCTURE_LISTS if structure_only(call[2], call[3]) else ())}
        walk({k: v for k, v in call[4].items() if k not in skip})
    return found

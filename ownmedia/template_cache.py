"""Compiled Jinja templates kept between builds, in two places.

ownmedia's own snippet templates are the same files for every site built with this
installation: their code goes to the user's cache folder, so that a site's first build finds
them compiled. A site theme's templates go to that site's cache folder: one site never reads
or overwrites another's, and deleting a site's cache deletes its templates' code.

A cache file is named by all that its code depends on: the template (Jinja's key: name and
path), its source (Jinja's checksum) and the environment settings that change what Jinja
compiles. A changed template or setting is a miss, never a stale read, and no file is looked
at twice for its freshness. A file that cannot be read as code (foreign, truncated, written by
another Jinja or Python) is a miss too and is written again."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import types
from pathlib import Path

import jinja2
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

from ownmedia.pelican_support import SNIPPETS_DIR

SUFFIX = ".jinjacode"
_OURS, _SITE = "ownmedia-", "site-"
_SNIPPETS_PREFIX = str(SNIPPETS_DIR) + os.sep
# Environment attributes that change the code Jinja compiles from a source (its syntax, the
# whitespace rules, constant folding, async code, autoescaping at compile time)
COMPILE_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
)


def _name(value: object) -> str:
    """A setting's stable spelling: a function or class by its qualified name."""
    if not callable(value):
        return repr(value)
    qualname = getattr(value, "__qualname__", None)
    if qualname is None:  # a callable object (a partial): its class, never its address
        return _name(type(value))
    return f"{getattr(value, '__module__', '')}.{qualname}"


def environment_key(env: Environment) -> str:
    """What, besides a template's source, the compiled code depends on. The filters take
    part: Jinja folds a filter of constants at compile time."""
    parts = [jinja2.__version__, _name(type(env)), _name(env.finalize), _name(env.autoescape)]
    parts += [repr(getattr(env, name, None)) for name in COMPILE_SETTINGS]
    parts += sorted(_name(type(ext)) for ext in env.extensions.values())
    parts += sorted(f"{name}={_name(fn)}" for name, fn in env.filters.items())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def private_folder(path: Path) -> Path | None:
    """`path`, made if needed, when only this user can write to it (a cache file is read with
    pickle); None otherwise."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError:
        return None
    mode = stat.S_IMODE(info.st_mode)
    if hasattr(os, "getuid") and info.st_uid != os.getuid() or mode & 0o022:
        return None
    return path


class TemplateCache(BytecodeCache):
    """The Jinja bytecode cache of a build (JINJA_ENVIRONMENT's `bytecode_cache`):
    `site_folder` for the theme's templates, `user_folder` for ownmedia's snippets (the site
    folder too when that one is None or not private)."""

    def __init__(self, site_folder: Path, user_folder: Path | None = None) -> None:
        self.site_folder = Path(site_folder)
        self.user_folder = private_folder(Path(user_folder)) if user_folder else None

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # the loader joins its search path (SNIPPETS_DIR, resolved) and the name
        ours = filename is not None and filename.startswith(_SNIPPETS_PREFIX)
        return (_OURS if ours else _SITE) + super().get_cache_key(name, filename)

    def path(self, bucket: Bucket) -> Path:
        """The file of a bucket (template, source and environment)."""
        ours = bucket.key.startswith(_OURS)
        folder = self.user_folder if ours and self.user_folder else self.site_folder
        digest = hashlib.sha256(
            f"{bucket.key}\0{bucket.checksum}\0{environment_key(bucket.environment)}".encode()
        ).hexdigest()
        return folder / f"{digest[:40]}{SUFFIX}"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with open(self.path(bucket), "rb") as f:
                bucket.load_bytecode(f)
        except FileNotFoundError:
            return
        except Exception:  # noqa: BLE001 - unpickling a foreign file raises anything
            bucket.reset()
            return
        if bucket.code is not None and not isinstance(bucket.code, types.CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Written to a temporary file then renamed: a build reading the same file at the same
        time (two sites sharing the user folder) sees the old file or the new one."""
        path = self.path(bucket)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError:
            return  # no cache this time: the build goes on
        try:
            with os.fdopen(fd, "wb") as f:
                bucket.write_bytecode(f)
            os.replace(temp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)

    def clear(self) -> None:
        """Remove the site's compiled templates (the user folder is shared: left alone)."""
        for path in self.site_folder.glob(f"*{SUFFIX}"):
            with contextlib.suppress(OSError):
                path.unlink()

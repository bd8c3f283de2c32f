"""The build snapshot's file (see ownmedia.snapshot): the build's context and Writer calls in
one pickle, each post's attributes in a pickle of its own, read only when something first
looks at that post (a rebuild renders a dozen files, which show a few dozen of its posts).

Every reference out of a pickle is an integer, a position in one table of the file (so that
the unpickler resolves it with the table's own `__getitem__`, tens of thousands a rebuild): the
posts first (their source paths, sorted, in the snapshot's metadata), then the settings, the
Jinja environment, the caches, and the modules, templates and shared objects the pickles refer
to, each described in the file by kind and name. A shared object is one that the context or
the Writer calls hold and a post refers to as well (the context itself, a post's category
handed to its page's call): stored once with the context, so that identity is kept. Until it
is read, a post is an instance of a subclass of its own class (same name, so Pelican's settings
lookups by class name hold) whose `__getattr__` reads it; reading it turns it into its own
class."""

from __future__ import annotations

import functools
import importlib
import io
import pickle
import types

KEY = "_ownmedia_snapshot_post"  # in an unread post's __dict__: (store, position)
_ATOMIC = (str, bytes, int, float, bool, type(None))


class Damaged(Exception):
    """The file is not a snapshot this code wrote, or it is damaged."""


class _Pickler(pickle.Pickler):
    """The build's settings, modules, templates and caches by reference: they are the next
    build's own (same code and settings, checked); posts by position; with `seen`, every
    object pickled is noted (the context's pass); with `shared`, those already in the context
    by position in the shared list. Every reference is a position in `table`."""

    def __init__(self, file, settings: dict, table: _Table,
                 seen: dict[int, object] | None = None, shared: _Shared | None = None):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        import jinja2

        from ownmedia.build_cache import BuildCache
        from ownmedia.build_stage import Stage
        from ownmedia.incremental import BuildState

        self.settings, self.table, self.seen, self.shared = settings, table, seen, shared
        self.posts = table.posts
        self._template, self._env = jinja2.Template, jinja2.Environment
        self._caches = (BuildCache, Stage, BuildState)

    def persistent_id(self, obj):
        if isinstance(obj, _ATOMIC):
            return None
        n = self.posts.get(id(obj))
        if n is not None:
            return n
        if obj is self.settings:
            return self.table.position(("settings",))
        if isinstance(obj, types.ModuleType):
            return self.table.position(("module", obj.__name__))
        if isinstance(obj, self._template):
            return self.table.position(("template", obj.name))
        if isinstance(obj, self._env):
            return self.table.position(("env",))
        if isinstance(obj, self._caches):
            return self.table.position(("cache",))
        if self.seen is not None:
            self.seen[id(obj)] = obj
        elif self.shared is not None:
            k = self.shared.position(obj)
            if k is not None:
                return self.table.position(("shared", k))
        return None


class NotInTable(Exception):
    """A post dumped again (the patch) refers to something its file's table does not have."""


class _Table:
    """The references of one file's pickles: the posts at 0..len(posts)-1, then the
    `entries` (kind, name) from len(posts) on, as first met; `fixed` (a patch's post): no
    entry is added."""

    def __init__(self, posts: list, entries: list[tuple] | None = None, fixed: bool = False):
        self.posts = {id(o): n for n, o in enumerate(posts)}
        self.base = len(posts)
        self.entries = list(entries or [])
        self.index = {e: self.base + k for k, e in enumerate(self.entries)}
        self.fixed = fixed

    def position(self, entry: tuple) -> int:
        k = self.index.get(entry)
        if k is None:
            if self.fixed:
                raise NotInTable(f"{entry!r} is not in the snapshot's table")
            k = self.index[entry] = self.base + len(self.entries)
            self.entries.append(entry)
        return k


class _Shared:
    """The objects of the context that posts refer to, by position."""

    def __init__(self, seen: dict[int, object] | None, objects: list | None = None):
        self.seen = seen  # None once fixed (a patch adds nothing)
        self.objects = list(objects or [])
        self.index = {id(o): k for k, o in enumerate(self.objects)}

    def position(self, obj) -> int | None:
        k = self.index.get(id(obj))
        if k is None and self.seen is not None and id(obj) in self.seen:
            k = self.index[id(obj)] = len(self.objects)
            self.objects.append(obj)
        return k


class _Null:
    def write(self, data: bytes) -> int:
        return len(data)


def dump(fh, skeleton: dict, objects: list, settings: dict, leave_out: tuple[str, ...]) -> None:
    """Write `skeleton` (the context, lists and calls) and `objects` (the posts, in the
    metadata's order), each post without its `leave_out` attributes."""
    table = _Table(objects)
    seen: dict[int, object] = {}
    _Pickler(_Null(), settings, table, seen=seen).dump(skeleton)
    shared = _Shared(seen)
    blobs = [_dump_post(obj, settings, table, shared, leave_out) for obj in objects]
    head = io.BytesIO()
    _Pickler(head, settings, table).dump({"data": skeleton, "shared": shared.objects})
    pickle.dump({"kinds": [type(o) for o in objects], "table": table.entries,
                 "skeleton": head.getvalue(), "posts": blobs}, fh,
                protocol=pickle.HIGHEST_PROTOCOL)


def _dump_post(obj, settings: dict, table: _Table, shared: _Shared,
               leave_out: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    state = {k: v for k, v in vars(obj).items() if k not in leave_out and k != KEY}
    _Pickler(buffer, settings, table, shared=shared).dump(state)
    return buffer.getvalue()


class Store:
    """A loaded snapshot file: `data` (the skeleton), `objects` (the posts, unread until
    used). `gen`: the articles generator whose Jinja environment the templates come from."""

    def __init__(self, fh, settings: dict, gen):
        self.settings, self.gen = settings, gen
        try:
            outer = pickle.load(fh)
            kinds, self.blobs = outer["kinds"], list(outer["posts"])
            self.entries = outer["table"]
            if not (isinstance(kinds, list) and len(kinds) == len(self.blobs)
                    and all(isinstance(k, type) for k in kinds)
                    and all(isinstance(b, bytes) for b in self.blobs)
                    and isinstance(self.entries, list)):
                raise Damaged("not a build snapshot")
            self.kinds = kinds
            self.objects = [_unread(kind, self, n) for n, kind in enumerate(kinds)]
            self.table, shared_at = self._table(self.entries)
            head = self._unpickle(outer["skeleton"])
            self.data, self.shared = head["data"], head["shared"]
            for position, k in shared_at:  # the posts' references into the context
                self.table[position] = self.shared[k]
        except Damaged:
            raise
        except Exception as exc:  # noqa: BLE001 - any damage the unpickler meets
            raise Damaged(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(self.data, dict) or not isinstance(self.shared, list):
            raise Damaged("not a build snapshot")

    def _table(self, entries: list) -> tuple[list, list[tuple[int, int]]]:
        """The file's table (posts, then its entries resolved) and, for the shared objects,
        (position, index in the shared list), filled once the context is read."""
        table = list(self.objects)
        shared_at = []
        for entry in entries:
            kind = entry[0] if isinstance(entry, tuple) and entry else None
            if kind == "settings":
                table.append(self.settings)
            elif kind == "env":
                table.append(self.gen.env)
            elif kind == "cache":
                table.append(None)
            elif kind == "module":
                table.append(importlib.import_module(entry[1]))
            elif kind == "template":
                table.append(self.gen.env.get_template(entry[1]))
            elif kind == "shared":
                shared_at.append((len(table), entry[1]))
                table.append(None)
            else:
                raise Damaged(f"unknown reference {entry!r}")
        return table, shared_at

    def _unpickle(self, data: bytes):
        unpickler = pickle.Unpickler(io.BytesIO(data))
        unpickler.persistent_load = self.table.__getitem__
        return unpickler.load()

    def read(self, obj) -> None:
        """Read a post now (a no-op once read)."""
        attributes = vars(obj)
        ref = attributes.get(KEY)
        if ref is None:
            return
        n = ref[1]
        try:
            state = self._unpickle(self.blobs[n])
        except Exception as exc:  # noqa: BLE001 - any damage the unpickler meets
            raise Damaged(f"post {n}: {type(exc).__name__}: {exc}") from exc
        if not isinstance(state, dict):
            raise Damaged(f"post {n}: not a post's attributes")
        set_since = {k: v for k, v in attributes.items() if k != KEY}
        attributes.clear()
        attributes.update(state)
        attributes.update(set_since)
        obj.__class__ = self.kinds[n]

    def replace(self, n: int, blob: bytes) -> None:
        """Post `n` as a patch keeps it (to be read when used)."""
        self.blobs[n] = blob

    def dump_post(self, n: int, leave_out: tuple[str, ...]) -> bytes:
        """Post `n` as it is now, in this file's format (for the patch); NotInTable when it
        refers to something the file's table does not have."""
        self.read(self.objects[n])
        return _dump_post(self.objects[n], self.settings,
                          _Table(self.objects, self.entries, fixed=True),
                          _Shared(None, self.shared), leave_out)


def is_unread(obj) -> bool:
    return KEY in vars(obj)


def _read_on_use(self, name: str):
    ref = vars(self).get(KEY)
    if ref is None:
        raise AttributeError(name)
    ref[0].read(self)
    return getattr(self, name)


@functools.cache
def _unread_class(kind: type) -> type:
    return type(kind.__name__, (kind,), {
        "__getattr__": _read_on_use, "__slots__": (), "__module__": kind.__module__,
        "__qualname__": kind.__qualname__,
        "__doc__": "A post of the build snapshot, read on first use."})


def _unread(kind: type, store: Store, n: int):
    cls = _unread_class(kind)
    obj = cls.__new__(cls)
    vars(obj)[KEY] = (store, n)
    return obj

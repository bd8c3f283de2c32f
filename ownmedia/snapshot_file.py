"""The build snapshot's file (see ownmedia.snapshot): the build's context and Writer calls in
one pickle, each post's attributes in a pickle of its own, read only when something first
looks at that post (a rebuild renders a dozen files, which show a few dozen of its posts).

Posts are referred to by position (their source paths, sorted, in the snapshot's metadata);
an object that the context or the Writer calls hold and a post refers to as well (the context
itself, a post's category handed to its page's call) is stored once with the context, and the
post refers to it by position in a shared list, so that identity is kept. Until it is read, a
post is an instance of a subclass of its own class (same name, so Pelican's settings lookups
by class name hold) whose `__getattr__` reads it; reading it turns it into its own class."""

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
    by position in the shared list."""

    def __init__(self, file, settings: dict, posts: dict[int, int],
                 seen: dict[int, object] | None = None, shared: _Shared | None = None):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        import jinja2

        from ownmedia.build_cache import BuildCache
        from ownmedia.build_stage import Stage
        from ownmedia.incremental import BuildState

        self.settings, self.posts, self.seen, self.shared = settings, posts, seen, shared
        self._template, self._env = jinja2.Template, jinja2.Environment
        self._caches = (BuildCache, Stage, BuildState)

    def persistent_id(self, obj):
        if isinstance(obj, _ATOMIC):
            return None
        n = self.posts.get(id(obj))
        if n is not None:
            return ("post", n)
        if obj is self.settings:
            return ("settings",)
        if isinstance(obj, types.ModuleType):
            return ("module", obj.__name__)
        if isinstance(obj, self._template):
            return ("template", obj.name)
        if isinstance(obj, self._env):
            return ("env",)
        if isinstance(obj, self._caches):
            return ("cache",)
        if self.seen is not None:
            self.seen[id(obj)] = obj
        elif self.shared is not None:
            k = self.shared.position(obj)
            if k is not None:
                return ("shared", k)
        return None


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
    posts = {id(o): n for n, o in enumerate(objects)}
    seen: dict[int, object] = {}
    _Pickler(_Null(), settings, posts, seen=seen).dump(skeleton)
    shared = _Shared(seen)
    blobs = [_dump_post(obj, settings, posts, shared, leave_out) for obj in objects]
    head = io.BytesIO()
    _Pickler(head, settings, posts).dump({"data": skeleton, "shared": shared.objects})
    pickle.dump({"kinds": [type(o) for o in objects], "skeleton": head.getvalue(),
                 "posts": blobs}, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _dump_post(obj, settings: dict, posts: dict[int, int], shared: _Shared,
               leave_out: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    state = {k: v for k, v in vars(obj).items() if k not in leave_out and k != KEY}
    _Pickler(buffer, settings, posts, shared=shared).dump(state)
    return buffer.getvalue()


class Store:
    """A loaded snapshot file: `data` (the skeleton), `objects` (the posts, unread until
    used). `gen`: the articles generator whose Jinja environment the templates come from."""

    def __init__(self, fh, settings: dict, gen):
        self.settings, self.gen = settings, gen
        try:
            outer = pickle.load(fh)
            kinds, self.blobs = outer["kinds"], list(outer["posts"])
            if not (isinstance(kinds, list) and len(kinds) == len(self.blobs)
                    and all(isinstance(k, type) for k in kinds)
                    and all(isinstance(b, bytes) for b in self.blobs)):
                raise Damaged("not a build snapshot")
            self.kinds = kinds
            self.objects = [_unread(kind, self, n) for n, kind in enumerate(kinds)]
            self.shared: list = []
            head = _Unpickler(io.BytesIO(outer["skeleton"]), self).load()
            self.data, self.shared = head["data"], head["shared"]
        except Damaged:
            raise
        except Exception as exc:  # noqa: BLE001 - any damage the unpickler meets
            raise Damaged(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(self.data, dict) or not isinstance(self.shared, list):
            raise Damaged("not a build snapshot")

    def read(self, obj) -> None:
        """Read a post now (a no-op once read)."""
        attributes = vars(obj)
        ref = attributes.get(KEY)
        if ref is None:
            return
        n = ref[1]
        try:
            state = _Unpickler(io.BytesIO(self.blobs[n]), self).load()
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
        """Post `n` as it is now, in this file's format (for the patch)."""
        self.read(self.objects[n])
        posts = {id(o): k for k, o in enumerate(self.objects)}
        return _dump_post(self.objects[n], self.settings, posts,
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


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, store: Store):
        super().__init__(file)
        self.store = store

    def persistent_load(self, pid):
        kind = pid[0] if isinstance(pid, tuple) and pid else None
        store = self.store
        if kind == "post":
            return store.objects[pid[1]]
        if kind == "shared":
            return store.shared[pid[1]]
        if kind == "settings":
            return store.settings
        if kind == "module":
            return importlib.import_module(pid[1])
        if kind == "template":
            return store.gen.env.get_template(pid[1])
        if kind == "env":
            return store.gen.env
        if kind == "cache":
            return None
        raise Damaged(f"unknown reference {pid!r}")

"""The build snapshot's file (ownmedia/snapshot_file.py): each post is unpickled only when
something first looks at it, turns into its own class then, keeps its links to the context
and to other posts by identity, and a damaged post is reported as damage."""

from __future__ import annotations

import io
import pickle

import pytest

from ownmedia import snapshot_file


class Post:
    """Stands for a Pelican content object (plain attributes, a class-name lookup)."""

    def __init__(self, slug: str, category: Category, context: dict):
        self.slug, self.category, self._context = slug, category, context
        self.translations: list[Post] = []

    @property
    def kind(self) -> str:
        return type(self).__name__.lower()  # as Pelican's settings lookups by class name


class Category:
    def __init__(self, name: str):
        self.name = name


class Env:
    def get_template(self, name: str) -> str:
        return f"template {name}"


class Gen:
    env = Env()


def snapshot(posts: int = 4):
    settings = {"SITENAME": "x"}
    context: dict = {"SITENAME": "x"}
    category = Category("news")
    objects = [Post(f"p{n}", category, context) for n in range(posts)]
    objects[0].translations = [objects[1]]
    objects[1].settings = settings
    context["articles"] = list(objects)
    context["categories"] = [(category, list(objects))]
    recording = [("file", "p0.html", None, context, {"article": objects[0],
                                                     "category": category})]
    skeleton = {"context": context, "recording": recording}
    buffer = io.BytesIO()
    snapshot_file.dump(buffer, skeleton, objects, settings, ("derived",))
    return buffer.getvalue(), settings


def load(data: bytes, settings: dict) -> snapshot_file.Store:
    return snapshot_file.Store(io.BytesIO(data), settings, Gen())


def test_posts_are_read_only_when_used_and_keep_identity():
    data, settings = snapshot()
    store = load(data, settings)
    objects = store.objects
    assert all(snapshot_file.is_unread(o) for o in objects)
    context = store.data["context"]
    assert context["articles"] == objects  # the lists hold the posts, unread
    assert all(isinstance(o, Post) and type(o).__name__ == "Post" for o in objects)
    assert objects[0].slug == "p0"  # read on first use
    assert type(objects[0]) is Post and not snapshot_file.is_unread(objects[0])
    assert sum(snapshot_file.is_unread(o) for o in objects) == len(objects) - 1
    # its links: the context, the category the Writer call holds, another post (unread)
    assert objects[0]._context is context
    assert objects[0].category is store.data["recording"][0][4]["category"]
    assert objects[0].category is context["categories"][0][0]
    assert objects[0].translations[0] is objects[1] and snapshot_file.is_unread(objects[1])
    assert objects[1].settings is settings  # the build's own settings, by reference
    assert objects[2].kind == "post"  # a property reads the post as well
    assert not hasattr(objects[3], "missing") and not snapshot_file.is_unread(objects[3])


def test_an_attribute_set_before_the_post_is_read_wins():
    data, settings = snapshot()
    store = load(data, settings)
    store.objects[2].comments = ["new"]
    assert store.objects[2].comments == ["new"] and store.objects[2].slug == "p2"


def test_a_post_as_dumped_again_replaces_its_blob():
    """The patch: a post read again is kept in the same format."""
    data, settings = snapshot()
    store = load(data, settings)
    store.objects[1].slug = "changed"
    store.objects[1].derived = "left out"
    blob = store.dump_post(1, ("derived",))
    again = load(data, settings)
    again.replace(1, blob)
    post = again.objects[1]
    assert post.slug == "changed" and not hasattr(post, "derived")
    assert post._context is again.data["context"] and post.settings is settings


@pytest.mark.parametrize("damage", ["outer", "post"])
def test_damage_is_reported_as_damage(damage):
    data, settings = snapshot()
    if damage == "outer":
        with pytest.raises(snapshot_file.Damaged):
            load(data[: len(data) // 2], settings)
        return
    outer = pickle.loads(data)
    outer["posts"][2] = b"\x80\x05 not a pickle"
    store = load(pickle.dumps(outer), settings)
    with pytest.raises(snapshot_file.Damaged, match="post 2"):
        _ = store.objects[2].slug


def test_references_are_positions_in_one_table_and_a_patch_adds_none():
    """Posts first, then what the pickles refer to (settings, shared objects), each once; a
    post dumped again that refers to something new is refused (read again instead)."""
    data, settings = snapshot()
    entries = pickle.loads(data)["table"]
    assert ("settings",) in entries and any(e[0] == "shared" for e in entries)
    assert len(set(entries)) == len(entries)
    store = load(data, settings)
    assert store.table[: len(store.objects)] == store.objects
    assert store.objects[2].category is store.data["context"]["categories"][0][0]
    store.objects[2].module = io  # a reference the file's table does not have
    with pytest.raises(snapshot_file.NotInTable):
        store.dump_post(2, ())

"""Moderation writes the comment files; live publishing re-renders one post exactly as a full
build does."""

from __future__ import annotations

import time

from ownmedia.comments.moderation import Moderator
from ownmedia.comments.publish import LivePublisher
from ownmedia.comments.store import CommentStore, Store, new_comment_id
from ownmedia.storage import open_backend
from ownmedia.storage.ports import comment_row
from tests.comments.sitekit import POST, POST_URL, build_into, make_site


def add_pending(store: CommentStore, post: str = POST, **fields) -> str:
    now = time.time()
    cid = new_comment_id(now)
    row = dict(id=cid, post=post, status="pending", author="Ann", body="Hello", created=now,
               updated=now)
    row.update(fields)
    with store.transaction() as tx:
        tx.insert(comment_row(**row))
    return cid


def test_approve_reject_delete_files_and_render_queue(tmp_path, storage_url):
    site = make_site(tmp_path, build=False, storage_url=storage_url)
    config = site.config()
    backend = open_backend(config)
    store = backend.comments
    mod = Moderator(store, config, b"k" * 32)
    cid = add_pending(store, website="https://ann.example")
    [res] = mod.approve([cid])
    assert res.ok and res.post == POST
    path = site.content / "comments" / POST / f"{cid}.md"
    text = path.read_text()
    assert "author: Ann" in text and "website: https://ann.example" in text
    assert "email" not in text
    assert [p for p, _ in store.pending_renders()] == [POST]
    assert mod.reject([cid])[0].ok and not path.exists()
    assert mod.approve([cid])[0].ok and path.exists()
    assert mod.edit(cid, body="Edited **now**").ok
    assert "Edited **now**" in path.read_text()
    assert mod.delete([cid])[0].ok and not path.exists() and store.get(cid) is None
    assert not mod.approve(["no-such-id"])[0].ok
    backend.close()


def test_live_render_equals_full_build(tmp_path):
    site = make_site(tmp_path)
    config = site.config()
    store = Store(config.data_dir)
    mod = Moderator(store, config, b"k" * 32)
    publisher = LivePublisher(site.settings, site.content, site.output)
    publisher.load()
    parent = add_pending(store, body="First <script>alert(1)</script> **bold**")
    mod.approve([parent])
    child = add_pending(store, author="Bob <i>", body="A reply", reply_to=parent)
    mod.approve([child])
    start = time.perf_counter()
    written = publisher.render_post(POST)
    assert time.perf_counter() - start < 1.0
    page = site.page()
    assert f'id="comment-{child}"' in page and "Bob &lt;i&gt;" in page
    assert "<script>alert(1)" not in page
    assert f'id="comment-{parent}"' in site.print_page()
    full = build_into(site, tmp_path / "full")
    assert len(written) >= 4  # fr + en page and print view (+ feeds)
    for path in written:
        rel = path.relative_to(site.output)
        assert path.read_bytes() == (full / rel).read_bytes(), rel
    # listings too: the index, category, tag and archive pages show the new comment count
    names = {p.relative_to(site.output).as_posix() for p in written}
    assert any(n.startswith("tag/") for n in names), sorted(names)
    assert any(n.startswith("category/") for n in names), sorted(names)
    listed = [n for n in names if "page/" in n or n == "index.html"]
    assert listed and any(f"comment-{child}" not in (site.output / n).read_text()
                          and "comment-count" in (site.output / n).read_text() for n in listed)
    assert_same_site(site.output, full)
    # unpublishing re-renders too, back to no comments, and the feed goes away
    mod.delete([parent, child])
    publisher.render_post(POST)
    assert f'id="comment-{parent}"' not in site.page()
    assert not (site.output / POST_URL.strip("/") / "comments.atom.xml").exists()
    store.close()


def assert_same_site(got, want) -> None:
    """Every file of the live site is the full build's, byte for byte."""
    files = sorted(p.relative_to(want) for p in want.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(got) for p in got.rglob("*") if p.is_file())
    for rel in files:
        assert (got / rel).read_bytes() == (want / rel).read_bytes(), rel


def test_many_approvals_then_full_build_is_identical(tmp_path):
    """Approvals and unpublishing on two posts, each re-rendered live; then a full build
    from nothing writes exactly the same site."""
    site = make_site(tmp_path)
    config = site.config()
    store = Store(config.data_dir)
    mod = Moderator(store, config, b"k" * 32)
    publisher = LivePublisher(site.settings, site.content, site.output)
    publisher.ensure_loaded()
    other = "measure-without-cookies"
    ids = []
    for n, post in enumerate([POST, other, POST, other, POST]):
        ids.append(add_pending(store, post=post, body=f"Comment {n}"))
        mod.approve([ids[-1]])
        publisher.render_post(post)
    mod.delete([ids[1]])
    publisher.render_post(other)
    assert_same_site(site.output, build_into(site, tmp_path / "full"))
    store.close()


def test_edited_post_is_read_again_before_a_live_render(tmp_path):
    site = make_site(tmp_path)
    publisher = LivePublisher(site.settings, site.content, site.output)
    publisher.ensure_loaded()
    source = next(site.content.joinpath("posts").glob("own-your-channel.fr.md"))
    source.write_text(source.read_text() + "\n\nA sentence added after the start.\n")
    publisher.render_post(POST)
    assert "A sentence added after the start." in site.page()


def add_pending_and_approve(site, post: str) -> str:
    store = Store(site.config().data_dir)
    try:
        cid = add_pending(store, post=post)
        Moderator(store, site.config(), b"k" * 32).approve([cid])
        return cid
    finally:
        store.close()


def _files(folder) -> dict:
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}


def test_the_warm_build_writes_nothing(tmp_path):
    """The service reads the site at start; it does not render it (until approvals), nor copy
    its static files again: Pelican's copy truncates a file then writes it, and a request in
    between (redirects.json, an image) would get an empty file."""
    site = make_site(tmp_path)
    build_into(site)  # a build of this very output folder: its record exists
    before = _files(site.output)
    assert site.output / "redirects.json" in before or site.output / "robots.txt" in before
    publisher = LivePublisher(site.settings, site.content, site.output)
    publisher.ensure_loaded()
    assert _files(site.output) == before  # same bytes, not written again
    # the build record is left in place: a render writes only what the comment changes
    from ownmedia import incremental

    record = incremental.BuildState(publisher.settings, open_cache=False).record_path
    assert record.is_file() and len(record.read_text()) > 2000
    add_pending_and_approve(site, POST)
    written = publisher.render_post(POST)
    # the post's page, print view and feed, and the listings (both languages: plugins/
    # lang_sites) that show its comment count; not the whole site
    assert 4 <= len(written) <= 45, len(written)


def test_the_warm_build_never_deletes_the_output(tmp_path):
    """publishconf.py sets DELETE_OUTPUT_DIRECTORY: Pelican would empty the served site before
    the warm build, which then writes nothing."""
    site = make_site(tmp_path, build=False)
    with site.settings.open("a", encoding="utf-8") as fh:
        fh.write("DELETE_OUTPUT_DIRECTORY = True\n")
    build_into(site)
    before = _files(site.output)
    assert (site.output / "index.html") in before
    LivePublisher(site.settings, site.content, site.output).load()
    assert _files(site.output) == before

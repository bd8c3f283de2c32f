"""kill -9 in the middle of a moderation action, at the real boundary: a child process runs
the action and is killed just before or just after the comment file is written or removed.
Whatever the point, the next start (create_app) leaves the database and the files agreeing
(the committed change holds), with the post queued for a re-render; interrupted atomic
writes leave no temporary file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ownmedia.comment_format import read_comment_file
from ownmedia.comments.moderation import Moderator
from ownmedia.comments.store import Store
from ownmedia.service.app import create_app
from tests.comments.sitekit import POST, ROOT, make_site
from tests.comments.test_publish import add_pending

CHILD = r"""
import os, pathlib, signal, sys
from ownmedia.comments import moderation
from ownmedia.comments.store import Store
from ownmedia.config import load_config

config = load_config(sys.argv[1])
action, comment_id, point = sys.argv[2:5]
real_write, real_unlink = moderation.write_comment_file, pathlib.Path.unlink

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def write(*args, **kwargs):
    if point == "before":
        die()
    real_write(*args, **kwargs)
    die()

def unlink(self, *args, **kwargs):
    if self.suffix == ".md":
        if point == "before":
            die()
        real_unlink(self, *args, **kwargs)
        die()
    return real_unlink(self, *args, **kwargs)

moderation.write_comment_file, pathlib.Path.unlink = write, unlink
mod = moderation.Moderator(Store(config.data_dir), config, b"k" * 32)
{"approve": lambda: mod.approve([comment_id]), "reject": lambda: mod.reject([comment_id]),
 "delete": lambda: mod.delete([comment_id]),
 "edit": lambda: mod.edit(comment_id, body="edited body")}[action]()
sys.exit(3)  # the kill never came: the action touched no file
"""


KILLED_WRITE = (  # killed between the temporary file's fsync and its rename
    "import os, signal, sys\n"
    "from ownmedia import fsutil\n"
    "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
    "fsutil.atomic_write_text(sys.argv[1], 'half done')\n"
)


def run_killed(site, action: str, comment_id: str, point: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(site.config_file), action, comment_id, point],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr


def state(site, comment_id: str):
    store = Store(site.data)
    try:
        return (store.get(comment_id), [p for p, _ in store.pending_renders()],
                store.pending_files())
    finally:
        store.close()


@pytest.mark.parametrize("point", ["before", "after"])
@pytest.mark.parametrize("action", ["approve", "reject", "delete", "edit"])
def test_a_kill_around_the_file_is_repaired_at_start(tmp_path, action, point):
    site = make_site(tmp_path, build=False)
    config = site.config(comments={"live_publish": False})
    store = Store(site.data)
    comment_id = add_pending(store, body="original body")
    if action != "approve":
        Moderator(store, config, b"k" * 32).approve([comment_id])
        for post, queued in store.pending_renders():
            store.done_render(post, queued)
    store.close()
    path = site.content / "comments" / POST / f"{comment_id}.md"

    run_killed(site, action, comment_id, point)
    create_app(config)  # the next start

    row, renders, intents = state(site, comment_id)
    assert intents == []
    published = path.exists()
    assert published == (row is not None and row.status == "approved"), (row, published)
    if published:
        assert read_comment_file(path).body == row.body
    # the change is committed before the file is touched, so after the repair it holds
    if action == "delete":
        assert row is None
    else:
        assert row.status == {"approve": "approved", "reject": "rejected",
                              "edit": "approved"}[action]
    if action == "edit":
        assert row.body == "edited body"
    assert POST in renders  # the page follows the file


def test_interrupted_atomic_writes_leave_no_temporary_file(tmp_path):
    site = make_site(tmp_path, build=False)
    folders = [site.data, site.output, site.content / "comments" / POST]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        child = subprocess.run(
            [sys.executable, "-c", KILLED_WRITE, str(folder / "page.html")],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
        assert child.returncode == -signal.SIGKILL
    leftovers = [p for f in folders for p in f.glob(".*.tmp")]
    assert len(leftovers) == 3
    recent = site.content / "comments" / POST / ".other.md.abcdefgh.tmp"
    recent.write_text("another process is writing this right now")
    old = time.time() - 3600
    for path in leftovers:
        os.utime(path, (old, old))  # a crash long ago, not a write in progress
    create_app(site.config(comments={"live_publish": False}))
    assert not any(p.exists() for p in leftovers)
    assert recent.exists()  # younger than a minute: left alone

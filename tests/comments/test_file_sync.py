"""Published comments that exist only as files are known to the service: the demo's comment
files copied into a site, a real `ownmedia serve`, a reply to one of them over HTTP; files
added and removed on disk while it runs are noticed; the CLI sees them too."""

from __future__ import annotations

import shutil
import sqlite3

import httpx
from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.comments.file_sync import REMOVED_REASON, FileSync
from ownmedia.comments.store import Store
from tests.comments.sitekit import POST, POST_URL, ROOT, make_site, wait_for

DEMO_ID = "20260909-081500-a1b2"  # content/comments/own-your-channel/, only a file


def demo_site(tmp_path):
    site = make_site(tmp_path, comments_toml="rate_limit = 1000000\n")
    shutil.copytree(ROOT / "content" / "comments" / POST, site.content / "comments" / POST)
    return site


def status_of(site, comment_id: str) -> tuple[str, str] | None:
    with sqlite3.connect(site.data / "comments.sqlite3") as conn:
        row = conn.execute("SELECT status, reason FROM comments WHERE id = ?",
                           (comment_id,)).fetchone()
    return tuple(row) if row else None


def test_reply_to_a_file_only_comment_on_a_real_service(tmp_path, start_service):
    site = demo_site(tmp_path)
    svc = start_service("--config", site.config_file)
    with httpx.Client(base_url=svc.url, timeout=30) as client:
        token = client.get(f"/api/comments/token?post={POST}").json()["token"]
        answer = client.post("/api/comments", headers={"Accept": "application/json"}, data={
            "post": POST, "name": "Ann", "body": "A reply to the demo", "token": token,
            "url": POST_URL, "lang": "en", "reply_to": DEMO_ID})
        assert answer.status_code == 201, answer.text
    assert status_of(site, DEMO_ID) == ("approved", "")

    # a file committed by hand while the service runs is imported; a removed one unpublished
    added = site.content / "comments" / POST / "20261101-100000-hand.md"
    added.write_text(f"id: 20261101-100000-hand\npost: {POST}\nauthor: Bea\n"
                     "date: 2026-11-01T10:00:00+00:00\ntype: comment\n\nCommitted by hand.\n",
                     encoding="utf-8")
    (site.content / "comments" / POST / f"{DEMO_ID}.md").unlink()
    wait_for(lambda: status_of(site, "20261101-100000-hand") == ("approved", ""), timeout=30)
    wait_for(lambda: status_of(site, DEMO_ID) == ("rejected", REMOVED_REASON), timeout=30)


def test_cli_sees_file_only_comments_and_edits_them(tmp_path):
    site = demo_site(tmp_path)
    cfg = ["--config", str(site.config_file)]
    out = CliRunner().invoke(main, ["comments", "show", DEMO_ID, *cfg])
    assert out.exit_code == 0 and DEMO_ID in out.output, out.output
    out = CliRunner().invoke(main, ["comments", "edit", DEMO_ID, "--body", "Edited text", *cfg])
    assert out.exit_code == 0, out.output
    path = site.content / "comments" / POST / f"{DEMO_ID}.md"
    assert "Edited text" in path.read_text(encoding="utf-8")
    out = CliRunner().invoke(main, ["comments", "delete", DEMO_ID, *cfg])
    assert out.exit_code == 0 and not path.exists()
    out = CliRunner().invoke(main, ["comments", "show", DEMO_ID, *cfg])
    assert out.exit_code != 0  # deleted stays deleted: the scan does not bring it back


def test_scan_parses_only_changed_files_and_follows_edits(tmp_path):
    site = demo_site(tmp_path)
    store = Store(site.data)
    sync = FileSync(store, site.content / "comments")
    first = sync.scan()
    assert first.imported == len(list((site.content / "comments" / POST).glob("*.md")))
    assert sync.scan().changed == 0  # nothing touched: nothing parsed again
    path = site.content / "comments" / POST / f"{DEMO_ID}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA line added by hand.\n",
                    encoding="utf-8")
    assert sync.scan().updated == 1
    assert "added by hand" in store.get(DEMO_ID).body
    (site.content / "comments" / POST / "broken.md").write_text("no header\n", encoding="utf-8")
    assert sync.scan().changed == 0  # a bad file is logged and skipped, never a crash
    store.close()


def test_a_scan_never_republishes_what_the_moderator_is_rejecting(tmp_path, postgres_url):
    """PostgreSQL: the scan parses a comment file while the moderator's transaction rejects
    that comment; once the moderator commits, the row must stay rejected (the scan waits on
    the row's lock and then finds the moderator's file intent)."""
    import threading
    from datetime import UTC, datetime

    import psycopg

    from ownmedia.comment_format import Comment, write_comment_file
    from ownmedia.storage import Backend
    from ownmedia.storage.ports import comment_row

    backend = Backend(postgres_url, tmp_path)
    backend.migrate()
    store, comments_dir = backend.comments, tmp_path / "comments"
    when = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with store.transaction() as tx:
        tx.insert(comment_row(id="c1", post=POST, status="approved", author="Ann", body="Hi",
                              created=when.timestamp(), updated=when.timestamp()))
    write_comment_file(comments_dir, Comment(id="c1", post=POST, author="Ann", date=when,
                                             body="Hi"))
    sync = FileSync(store, comments_dir)
    scanning = threading.Thread(target=sync.scan)
    with psycopg.connect(postgres_url, autocommit=True) as watcher:
        def scan_waits_on_a_lock() -> bool:
            return watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE"
                                   " wait_event_type = 'Lock' AND datname = current_database()"
                                   ).fetchone()[0] > 0

        with store.transaction() as tx:  # what Moderator._set_one does, held open
            tx.get("c1")
            tx.set_status("c1", "rejected", when.timestamp())
            tx.queue_file("c1", POST)
            scanning.start()
            wait_for(scan_waits_on_a_lock, timeout=30)
    scanning.join(timeout=30)
    assert not scanning.is_alive()
    assert store.get("c1").status == "rejected"
    backend.close()

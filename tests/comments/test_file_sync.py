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

"""A full disk under a real `ownmedia serve`: the data and content folders live on a small
tmpfs that a ballast file fills to ENOSPC. Every write path (comment form, admin login,
webmention intake) answers 503 with a message, nothing half-stored, everything answered 2xx
before is still there, and once the ballast is gone the same requests succeed without a
restart."""

from __future__ import annotations

import re
import shutil

import httpx

from ownmedia.admin.auth import set_password
from ownmedia.comments.store import Store
from tests.admin.test_app import PASSWORD
from tests.comments.sitekit import POST, POST_URL, make_site
from tests.service.diskfull import Ballast, small_filesystem

JSON = {"accept": "application/json"}


def on_small_disk(tmp_path, small):
    """The sample site with its data and content folders on the small filesystem."""
    site = make_site(tmp_path / "site", comments_toml="rate_limit = 1000000\n")
    shutil.copytree(site.content, small / "content")
    text = site.config_file.read_text(encoding="utf-8")
    text = text.replace(repr(str(site.data)), repr(str(small / "data")))
    text = text.replace(repr(str(site.content)), repr(str(small / "content")))
    site.config_file.write_text(text, encoding="utf-8")
    site.data, site.content = small / "data", small / "content"
    set_password(site.data, PASSWORD)
    return site


def comment(client: httpx.Client, body: str) -> httpx.Response:
    token = client.get(f"/api/comments/token?post={POST}").json()["token"]
    return client.post("/api/comments", headers=JSON, data={
        "post": POST, "name": "Ann", "body": body, "token": token, "url": POST_URL})


def login(client: httpx.Client) -> httpx.Response:
    """A login from a browser with no session yet."""
    client.cookies.clear()
    page = client.get("/admin/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD})


def test_full_disk_is_503_then_recovers_without_restart(tmp_path, start_service):
    with small_filesystem(tmp_path / "small") as small:
        site = on_small_disk(tmp_path, small)
        svc = start_service("--config", site.config_file)
        ballast = Ballast(small)
        with httpx.Client(base_url=svc.url, timeout=30) as client:
            first = comment(client, "before the disk filled")
            assert first.status_code == 201
            admin = httpx.Client(base_url=svc.url, timeout=30)
            assert login(admin).status_code == 303  # a session from before the disk filled
            queue = admin.get("/admin/")
            csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)
            approve = {"csrf": csrf, "action": "approve", "id": first.json()["id"]}
            ballast.fill()
            # SQLite may still have room in its write-ahead log: post until it has none
            answers = [comment(client, f"while full {i}") for i in range(200)]
            codes = [a.status_code for a in answers]
            assert set(codes) <= {201, 503} and 503 in codes, codes
            refused = answers[codes.index(503)]
            assert "disk is full" in refused.json()["message"]
            assert refused.headers["retry-after"]
            accepted = {f"while full {i}" for i, c in enumerate(codes) if c == 201}

            assert login(client).status_code == 503
            mention = client.post("/api/webmention", data={
                "source": "http://127.0.0.1:9/elsewhere", "target": svc.url + POST_URL})
            assert mention.status_code == 503, mention.text
            assert client.get("/api/health").json() == {"status": "ok"}
            # the comment file cannot be written: 503 (the approval retried is idempotent)
            assert admin.post("/admin/action", data=approve).status_code == 503

            ballast.release()
            assert admin.post("/admin/action", data=approve).status_code == 303
            admin.close()
            published = site.content / "comments" / POST / f"{first.json()['id']}.md"
            assert "before the disk filled" in published.read_text(encoding="utf-8")
            assert comment(client, "after space came back").status_code == 201
            assert login(client).status_code == 303
            mention = client.post("/api/webmention", data={
                "source": "http://127.0.0.1:9/elsewhere", "target": svc.url + POST_URL})
            assert mention.status_code == 202, mention.text
        store = Store(site.data)
        try:
            bodies = {c.body for c in store.list(limit=1000)}
        finally:
            store.close()
        assert {"before the disk filled", "after space came back"} | accepted <= bodies
        refused_bodies = {f"while full {i}" for i, c in enumerate(codes) if c == 503}
        assert not refused_bodies & bodies
        svc.stop()

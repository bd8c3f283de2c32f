"""A commenter's e-mail is kept only when they asked for reply notifications, and forgotten
when they unsubscribe; rows stored before this rule are cleaned by a migration."""

from __future__ import annotations

import sqlite3
import time

import pytest
from starlette.testclient import TestClient

from ownmedia.comments import notify
from ownmedia.comments.store import Store
from ownmedia.service.app import create_app
from ownmedia.storage.sqlite import connect, migrate
from ownmedia.storage.sqlite.comments import COMMENT_MIGRATIONS
from tests.comments.sitekit import POST, POST_URL, make_site

JSON = {"accept": "application/json"}


@pytest.fixture
def client(tmp_path):
    site = make_site(tmp_path, comments_toml="rate_limit = 1000000\n")
    app = create_app(site.config())
    with TestClient(app, base_url="http://127.0.0.1") as c:
        c.site, c.runtime = site, app.state.ctx.state["comments"]
        yield c


def submit(client, **fields) -> str:
    token = client.get(f"/api/comments/token?post={POST}").json()["token"]
    data = {"post": POST, "name": "Ann", "token": token, "url": POST_URL, **fields}
    response = client.post("/api/comments", data=data, headers=JSON)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_email_is_kept_only_with_notifications(client):
    without = submit(client, email="ann@example.org", body="no notifications please")
    with_notify = submit(client, email="bob@example.org", notify="1", body="tell me")
    store = client.runtime.store
    assert store.get(without).email == "" and not store.get(without).notify
    assert store.get(with_notify).email == "bob@example.org" and store.get(with_notify).notify


def test_unsubscribe_forgets_the_address(client):
    first = submit(client, email="Bob@example.org", notify="1", body="first")
    second = submit(client, email="bob@example.org", notify="1", body="second")
    other = submit(client, email="eve@example.org", notify="1", body="other")
    store = client.runtime.store
    with store.transaction() as tx:
        tx.queue_mail("bob@example.org", "a reply", "...")
        tx.queue_mail("eve@example.org", "a reply", "...")
    key = client.runtime.secrets.signing_key
    link = notify.unsubscribe_url(client.runtime.config, key, "bob@example.org")
    token = link.split("token=")[1]
    page = client.post("/api/comments/unsubscribe", data={"token": token})
    assert page.status_code == 200
    for comment_id in (first, second):
        assert store.get(comment_id).email == "" and not store.get(comment_id).notify
    assert store.get(other).email == "eve@example.org"
    recipients = [job.recipient for job in client.runtime.backend.mail.all()]
    assert recipients == ["eve@example.org"]


def test_migration_clears_addresses_stored_without_opt_in(tmp_path):
    conn = connect(tmp_path / "comments.sqlite3")
    migrate(conn, COMMENT_MIGRATIONS[:1])  # a database from before the rule
    now = time.time()
    for cid, email, opted in (("a", "ann@example.org", 0), ("b", "bob@example.org", 1)):
        conn.execute("INSERT INTO comments(id, post, status, author, email, notify, body, "
                     "created, updated) VALUES (?, 'p', 'pending', 'x', ?, ?, 'b', ?, ?)",
                     (cid, email, opted, now, now))
    conn.close()
    store = Store(tmp_path)
    try:
        assert store.get("a").email == ""
        assert store.get("b").email == "bob@example.org"
    finally:
        store.close()
    raw = sqlite3.connect(tmp_path / "comments.sqlite3")
    assert raw.execute("SELECT count(*) FROM comments WHERE email != '' AND notify = 0"
                       ).fetchone()[0] == 0
    raw.close()

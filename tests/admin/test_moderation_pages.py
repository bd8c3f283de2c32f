"""The moderation pages over HTTP on a real store (SQLite and PostgreSQL) and built site: the
queue names the post by title with its link and renders the body; Delete and a Reject that
touches approved replies go through a confirmation page (no JavaScript needed); comments are
edited in the admin; a reply never approves its parent silently and is signed with [comments]
owner_name."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from ownmedia.admin.auth import set_password
from ownmedia.service.app import create_app
from tests.admin.test_app import PASSWORD, csrf_of, login
from tests.comments.sitekit import POST, POST_URL, ROOT, make_site
from tests.comments.test_publish import add_pending

OWNER = "Camille Owner"


def post_title() -> str:
    head = (ROOT / "content" / "posts" / f"{POST}.fr.md").read_text(encoding="utf-8")
    return re.search(r"^Title:\s*(.+)$", head, re.M).group(1).strip()


@pytest.fixture
def admin(tmp_path, storage_url):
    site = make_site(tmp_path, comments_toml=f'owner_name = "{OWNER}"\n',
                     storage_url=storage_url)
    set_password(site.data, PASSWORD)
    app = create_app(site.config())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.site = site
        client.store = app.state.ctx.state["comments"].store
        assert login(client).status_code == 303
        client.csrf = csrf_of(client.get("/admin/").text)
        yield client


def add(client, **fields) -> str:
    return add_pending(client.store, **fields)


def status(client, cid: str) -> str | None:
    row = client.store.get(cid)
    return row.status if row else None


def act(client, cid: str, action: str, **extra):
    data = {"csrf": client.csrf, "id": cid, "action": action, "status": "pending", **extra}
    return client.post("/admin/action", data=data, follow_redirects=False)


def test_queue_names_the_post_and_styles_actions_apart(admin):
    cid = add(admin, author="Zoé", body="A *kind* word")
    html = admin.get("/admin/").text
    block = html[html.index(f'id="c-{cid}"'):]
    block = block[:block.index("</article>")]
    assert f'<a class="post-link" href="{POST_URL}">{post_title()}</a>' in block
    assert "Zoé" in block and "<em>kind</em>" in block and "<time datetime=" in block
    assert 'class="primary" name="action" value="approve"' in block
    assert 'class="danger" name="action" value="delete"' in block
    assert "<main" in html and "<header" in html and "<nav" in html
    assert "<script" not in html  # the CSP refuses inline scripts: none are needed


def test_delete_asks_first(admin):
    cid = add(admin)
    asked = act(admin, cid, "delete")
    assert asked.status_code == 303 and asked.headers["location"].startswith("/admin/confirm")
    assert status(admin, cid) == "pending"  # nothing happened yet
    page = admin.get(asked.headers["location"])
    assert page.status_code == 200 and 'name="confirm" value="yes"' in page.text
    assert act(admin, cid, "delete", confirm="yes").status_code == 303
    assert status(admin, cid) is None
    assert act(admin, cid, "delete", csrf="forged", confirm="yes").status_code == 403


def test_reject_with_approved_replies_lets_the_moderator_choose(admin):
    parent = add(admin, author="Parent")
    reply = add(admin, author="Child", reply_to=parent)
    for cid in (parent, reply):
        assert act(admin, cid, "approve").status_code == 303
    asked = act(admin, parent, "reject")
    assert asked.headers["location"].startswith("/admin/confirm?action=reject")
    page = admin.get(asked.headers["location"]).text
    assert "1 " in page and 'value="keep"' in page and 'value="reject"' in page
    assert status(admin, parent) == "approved"
    assert act(admin, parent, "reject", replies="keep").status_code == 303
    assert (status(admin, parent), status(admin, reply)) == ("rejected", "approved")
    assert act(admin, parent, "approve").status_code == 303
    assert act(admin, parent, "reject", replies="reject").status_code == 303
    assert (status(admin, parent), status(admin, reply)) == ("rejected", "rejected")
    files = admin.site.content / "comments" / POST
    assert not (files / f"{reply}.md").exists()


def test_edit_in_the_admin(admin):
    cid = add(admin, body="Typo teh")
    assert act(admin, cid, "approve").status_code == 303
    form = admin.get(f"/admin/edit?id={cid}")
    assert form.status_code == 200 and "Typo teh" in form.text and "<main" in form.text
    data = {"csrf": admin.csrf, "id": cid, "author": "Ann", "website": "", "body": "Typo the"}
    assert admin.post("/admin/edit", data=data, follow_redirects=False).status_code == 303
    path = admin.site.content / "comments" / POST / f"{cid}.md"
    assert "Typo the" in path.read_text(encoding="utf-8")
    bad = admin.post("/admin/edit", data={**data, "body": "  "}, follow_redirects=False)
    assert bad.status_code == 422 and 'class="error"' in bad.text
    assert "Typo the" in path.read_text(encoding="utf-8")  # nothing changed
    forged = admin.post("/admin/edit", data={**data, "csrf": "x"}, follow_redirects=False)
    assert forged.status_code == 403
    assert admin.get("/admin/edit?id=nope").status_code == 404


def test_reply_never_approves_the_parent_silently(admin):
    parent = add(admin, author="Asker")
    html = admin.get("/admin/").text
    assert f'value="{OWNER}"' in html
    held = admin.post("/admin/reply", data={"csrf": admin.csrf, "id": parent, "body": "Hi",
                                            "approve_parent": "no"}, follow_redirects=False)
    assert held.status_code == 303 and status(admin, parent) == "pending"
    [reply] = [c for c in admin.store.list() if c.reply_to == parent]
    assert reply.status == "pending" and reply.author == OWNER
    both = admin.post("/admin/reply", data={"csrf": admin.csrf, "id": parent, "body": "Again",
                                            "approve_parent": "yes", "author": ""},
                      follow_redirects=False)
    assert both.status_code == 303 and status(admin, parent) == "approved"
    published = [c for c in admin.store.list(status="approved") if c.reply_to == parent]
    assert [c.author for c in published] == [OWNER]

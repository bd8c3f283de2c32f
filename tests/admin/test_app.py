"""The web admin over HTTP (Starlette TestClient, real store on SQLite and on PostgreSQL, real
scrypt, injected clock):
wrong password, missing CSRF and expired session are refused; the login delay grows."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from ownmedia.admin.auth import SESSION_SECONDS, login_delay, set_password
from ownmedia.service.app import create_app
from tests.comments.sitekit import POST, make_site
from tests.comments.test_publish import add_pending

PASSWORD = "a long enough password"


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def admin(tmp_path, storage_url):
    site = make_site(tmp_path, storage_url=storage_url)
    set_password(site.data, PASSWORD)
    app = create_app(site.config())
    clock = Clock()
    app.state.ctx.state["clock"] = clock
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.clock, client.site = clock, site
        client.store = app.state.ctx.state["comments"].store
        yield client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, password: str = PASSWORD, csrf: str | None = "auto"):
    page = client.get("/admin/login")
    data = {"password": password}
    if csrf == "auto":
        data["csrf"] = csrf_of(page.text)
    elif csrf is not None:
        data["csrf"] = csrf
    return client.post("/admin/login", data=data, follow_redirects=False)


def test_login_cookie_flags_and_queue(admin):
    assert admin.get("/admin/", follow_redirects=False).headers["location"] == "/admin/login"
    response = login(admin)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    cid = add_pending(admin.store, body="Moderate **me** <script>alert(1)</script>")
    queue = admin.get("/admin/")
    assert queue.status_code == 200 and cid in queue.text
    # the body rendered as readers will see it, through the same sanitiser
    assert "<strong>me</strong>" in queue.text and "<script>alert" not in queue.text
    assert queue.headers["x-frame-options"] == "DENY"
    csrf = csrf_of(queue.text)
    done = admin.post("/admin/action", data={"csrf": csrf, "id": cid, "action": "approve"},
                      follow_redirects=False)
    assert done.status_code == 303
    assert (admin.site.content / "comments" / POST / f"{cid}.md").exists()
    replied = admin.post("/admin/reply", data={"csrf": csrf, "id": cid, "body": "Thanks!",
                                               "author": "Team"}, follow_redirects=False)
    assert replied.status_code == 303
    assert len(list((admin.site.content / "comments" / POST).glob("*.md"))) == 2


def test_wrong_password_and_growing_delay(admin):
    assert login(admin, "wrong password").status_code == 401
    assert login(admin, "wrong password").status_code == 401
    assert login(admin, "wrong password").status_code == 401  # 3rd failure: delay starts
    blocked = login(admin)  # even the right password waits
    assert blocked.status_code == 429 and blocked.headers["retry-after"] == "1"
    admin.clock.now += 1
    assert login(admin, "wrong again!").status_code == 401
    blocked = login(admin)
    assert blocked.status_code == 429 and blocked.headers["retry-after"] == "2"
    admin.clock.now += 2
    assert login(admin).status_code == 303
    assert [login_delay(n) for n in range(1, 7)] == [0, 0, 1, 2, 4, 8]
    assert login_delay(100) == 300


def test_missing_or_wrong_csrf_refused(admin):
    assert login(admin, csrf=None).status_code == 403
    assert login(admin, csrf="forged.token").status_code == 403
    assert login(admin).status_code == 303
    cid = add_pending(admin.store)
    for data in ({"id": cid, "action": "approve"},
                 {"id": cid, "action": "approve", "csrf": "nope"}):
        response = admin.post("/admin/action", data=data, follow_redirects=False)
        assert response.status_code == 403
    assert admin.store.get(cid).status == "pending"


def test_expired_session_refused(admin):
    assert login(admin).status_code == 303
    csrf = csrf_of(admin.get("/admin/").text)
    admin.clock.now += SESSION_SECONDS + 1
    assert admin.get("/admin/", follow_redirects=False).status_code == 303
    response = admin.post("/admin/action", data={"csrf": csrf, "id": "x", "action": "spam"},
                          follow_redirects=False)
    assert response.status_code == 401


def test_logout(admin):
    assert login(admin).status_code == 303
    csrf = csrf_of(admin.get("/admin/").text)
    assert admin.post("/admin/logout", data={"csrf": csrf},
                      follow_redirects=False).status_code == 303
    assert admin.get("/admin/", follow_redirects=False).headers["location"] == "/admin/login"


def test_session_cookie_secure_over_https(tmp_path):
    site = make_site(tmp_path)
    set_password(site.data, PASSWORD)
    with TestClient(create_app(site.config()), base_url="https://127.0.0.1") as client:
        response = login(client)
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]

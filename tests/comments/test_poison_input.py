"""Inputs that used to end in a 5xx (issue 10): each now gets a 4xx with a message, or is
stored and answered 2xx/303, never half of both."""

from __future__ import annotations

import json

import pytest

from ownmedia.comments.store import Store
from tests.admin.test_app import login
from tests.comments.sitekit import POST, POST_URL
from tests.service.fuzzkit import hostile_client

JSON = {"content-type": "application/json", "accept": "application/json"}
ACCEPT = {"accept": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with hostile_client(tmp_path_factory.mktemp("poison")) as c:
        yield c


def fields(client, **extra) -> dict:
    token = client.get(f"/api/comments/token?post={POST}").json()["token"]
    data = {"post": POST, "name": "Ann", "body": "Hello", "token": token, "url": POST_URL,
            "lang": "en"}
    data.update(extra)
    return data


def stored_bodies(client) -> set[str]:
    store = Store(client.site.data)
    try:
        return {c.body for c in store.list(limit=10_000)}
    finally:
        store.close()


def test_json_nested_a_thousand_deep_is_a_400(client):
    deep = '{"a":' * 1000 + "1" + "}" * 1000
    response = client.post("/api/comments", content=deep, headers=JSON)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["message"]
    listed = client.post("/api/comments", content="[" * 5000 + "]" * 5000, headers=JSON)
    assert listed.status_code == 400


@pytest.mark.parametrize("field", ["body", "name", "email", "website", "post", "token", "lang"])
def test_lone_surrogate_in_any_field_is_a_400_and_nothing_stored(client, field):
    body = f"surrogate in {field}"
    data = fields(client, body=body)
    data[field] = data.get(field, "") + "\ud800"
    response = client.post("/api/comments", content=json.dumps(data), headers=JSON)
    assert response.status_code == 400
    assert "unpaired surrogate" in response.json()["message"]
    assert body not in stored_bodies(client)


def test_lone_surrogate_in_a_key_is_a_400(client):
    data = fields(client, body="surrogate key")
    data["\udfffx"] = "y"
    response = client.post("/api/comments", content=json.dumps(data), headers=JSON)
    assert response.status_code == 400


def test_unparsable_website_is_a_field_error(client):
    response = client.post("/api/comments", data=fields(client, website="http://[x/",
                                                        body="bad website"), headers=ACCEPT)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"website"}
    assert "bad website" not in stored_bodies(client)
    port = client.post("/api/comments", data=fields(client, website="http://x.org:99999/",
                                                    body="bad port"), headers=ACCEPT)
    assert port.status_code == 422


def test_unparsable_url_is_stored_and_sent_back_to_the_post(client):
    response = client.post("/api/comments", data=fields(client, url="http://[x/",
                                                        body="bad url"), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(POST_URL + "?comment=pending")
    assert "bad url" in stored_bodies(client)


def test_unparsable_referer_is_ignored(client):
    response = client.post("/api/comments", data=fields(client, body="bad referer"),
                           headers={"referer": "http://[x/"}, follow_redirects=False)
    assert response.status_code == 303
    assert "bad referer" in stored_bodies(client)


def test_non_ascii_admin_csrf_is_a_403(client):
    assert login(client).status_code == 303
    response = client.post("/admin/action", data={"csrf": "é" * 40, "action": "approve",
                                                  "id": "x"})
    assert response.status_code == 403
    logout = client.post("/admin/logout", data={"csrf": "\u2603"})
    assert logout.status_code == 403
    assert client.get("/api/health").json() == {"status": "ok"}

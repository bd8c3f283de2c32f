"""Hypothesis against every endpoint of the comments, admin, health and static-site parts
(POST /api/event has its own, test_events_fuzz.py): whatever comes in — fields, bodies,
headers, cookies, paths — the answer is never a 5xx and the service stays healthy."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ownmedia.comments.intake import FORM_FIELDS
from tests.admin.test_app import PASSWORD
from tests.comments.sitekit import POST, POST_URL
from tests.service.fuzzkit import (
    FUZZ_SETTINGS,
    NASTY,
    assert_healthy,
    assert_not_5xx,
    form_bodies,
    headers,
    hostile_client,
    latin1_headers,
    short_values,
    values,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with hostile_client(tmp_path_factory.mktemp("fuzz")) as c:
        yield c


@pytest.fixture(scope="module")
def admin(client):
    """A logged-in session on the same client (one app, one lifespan): (cookie header, csrf).
    The cookie jar is left empty; admin requests send the session cookie explicitly."""
    client.cookies.clear()
    page = client.get("/admin/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    cookie = f"om_admin={client.cookies['om_admin']}"
    client.cookies.clear()
    queue = client.get("/admin/", headers={"Cookie": cookie})
    return cookie, re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)


@FUZZ_SETTINGS
@given(body=form_bodies(list(FORM_FIELDS)), hdrs=headers)
def test_comment_form(client, body, hdrs):
    raw, ctype = body
    response = client.post("/api/comments", content=raw,
                           headers={**latin1_headers(hdrs), "Content-Type": ctype})
    assert_not_5xx(response)


@FUZZ_SETTINGS
@given(fields=st.dictionaries(st.sampled_from(list(FORM_FIELDS)), values, max_size=11),
       as_json=st.booleans())
def test_comment_form_with_a_valid_token(client, fields, as_json):
    """Past the token check, into validation and storage."""
    token = client.get(f"/api/comments/token?post={POST}").json()["token"]
    data = {"post": POST, "name": "Fuzz", "body": "fuzz", "token": token, "url": POST_URL,
            **fields}
    if as_json:
        response = client.post("/api/comments", content=json.dumps(data),  # \ud800 escapes
                               headers={"Accept": "application/json",
                                        "Content-Type": "application/json"})
    else:
        response = client.post("/api/comments", data={k: v.encode("utf-8", "surrogatepass")
                                                      for k, v in data.items()},
                               follow_redirects=False)
    assert_not_5xx(response)


@FUZZ_SETTINGS
@given(post=short_values, tok=short_values, lang=short_values,
       method=st.sampled_from(["GET", "POST"]))
def test_token_and_unsubscribe(client, post, tok, lang, method):
    q = lambda v: quote(v.encode("utf-8", "surrogatepass"))  # noqa: E731
    assert_not_5xx(client.get(f"/api/comments/token?post={q(post)}"))
    url = f"/api/comments/unsubscribe?token={q(tok)}&lang={q(lang)}"
    if method == "GET":
        assert_not_5xx(client.get(url))
    else:
        assert_not_5xx(client.post(url, data={"token": tok.encode("utf-8", "surrogatepass")}))


@FUZZ_SETTINGS
@given(body=form_bodies(["csrf", "password"]), hdrs=headers, nonce=st.one_of(st.none(), values))
def test_admin_login(client, body, hdrs, nonce):
    raw, ctype = body
    sent = latin1_headers(hdrs)
    if nonce:  # a raw Cookie header: the bytes a client may send, not only ASCII
        sent["Cookie"] = b"om_login=" + nonce.encode("utf-8", "surrogatepass")
    client.cookies.clear()
    response = client.post("/admin/login", content=raw,
                           headers={**sent, "Content-Type": ctype})
    assert_not_5xx(response)


@FUZZ_SETTINGS
@given(path=st.sampled_from(["/admin/action", "/admin/reply", "/admin/logout"]),
       fields=st.dictionaries(st.sampled_from(["csrf", "action", "id", "status", "body",
                                               "author"]), values, max_size=6),
       keep_csrf=st.booleans(), query=short_values)
def test_admin_actions(client, admin, path, fields, keep_csrf, query):
    cookie, csrf = admin
    if keep_csrf and path != "/admin/logout":  # stay logged in for the next examples
        fields["csrf"] = csrf
    elif path == "/admin/logout":
        fields["csrf"] = fields.get("csrf", "") + "x"  # never the real one
    client.cookies.clear()
    response = client.post(path, data={k: v.encode("utf-8", "surrogatepass")
                                       for k, v in fields.items()},
                           headers={"Cookie": cookie}, follow_redirects=False)
    assert_not_5xx(response)
    q = quote(query.encode("utf-8", "surrogatepass"))
    assert_not_5xx(client.get(f"/admin/?status={q}&notice={q}", headers={"Cookie": cookie}))


segments = st.one_of(st.sampled_from(["", ".", "..", "%2e%2e", "index.html", "theme", "css",
                                      "2026", "own-your-channel", "print", "feeds", "%00",
                                      "%ff", "%c0%af", "a" * 300] + NASTY[:12]),
                     st.text(max_size=20))


@FUZZ_SETTINGS
@given(parts=st.lists(segments, max_size=6), method=st.sampled_from(["GET", "HEAD", "OPTIONS",
                                                                     "POST", "PUT"]),
       hdrs=headers)
def test_static_site_and_health(client, parts, method, hdrs):
    path = "/" + "/".join(quote(p.encode("utf-8", "surrogatepass"), safe="%/") for p in parts)
    # absolute, so that "//x" stays a path and is not read as a host by the client
    response = client.request(method, "http://127.0.0.1" + path, headers=latin1_headers(hdrs))
    assert_not_5xx(response)
    health = client.request(method, "/api/health", headers=latin1_headers(hdrs))
    assert_not_5xx(health)


def test_still_healthy_after_the_fuzz(client, admin):
    assert_healthy(client)
    token = client.get(f"/api/comments/token?post={POST}").json()["token"]
    ok = client.post("/api/comments", headers={"Accept": "application/json"}, data={
        "post": POST, "name": "After", "body": "still taking comments", "token": token})
    assert ok.status_code == 201
    client.cookies.clear()
    assert client.get("/admin/", headers={"Cookie": admin[0]}).status_code == 200

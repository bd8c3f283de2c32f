"""Webmention and pingback receivers against a real source page served on loopback, with the
stores on SQLite and on PostgreSQL."""

from __future__ import annotations

import xmlrpc.client

import pytest
from starlette.testclient import TestClient

from ownmedia.service.app import create_app
from tests.comments.sitekit import POST, POST_URL, make_site, wait_for
from tests.mentions.loopback import Pages

BASE = "http://127.0.0.1"
TARGET = BASE + POST_URL


def source_html(target: str = TARGET, text: str = "Great read about owning a channel.") -> str:
    return f"""<!doctype html><html><head><title>Their post</title></head><body>
<article class="h-entry"><h1 class="p-name">Their post</h1>
<a class="p-author h-card" href="https://carol.example/">Carol Writer</a>
<div class="e-content">{text} See <a href="{target}">this post</a>.</div></article>
</body></html>"""


@pytest.fixture
def env(tmp_path, storage_url):
    site = make_site(tmp_path, storage_url=storage_url)
    pages = Pages()
    app = create_app(site.config())
    with TestClient(app, base_url=BASE) as client:
        client.site, client.pages = site, pages
        client.runtime = app.state.ctx.state["comments"]
        yield client
    pages.close()


def mention(client, source: str):
    return client.runtime.store.by_mention(source, TARGET)


def test_webmention_lifecycle(env):
    source = env.pages.set("/their-post", source_html())
    response = env.post("/api/webmention", data={"source": source, "target": TARGET})
    assert response.status_code == 202
    assert "location" not in response.headers  # webmention.rocks receiver test 1
    row = wait_for(lambda: mention(env, source))
    assert row.type == "webmention" and row.status == "pending" and row.post == POST
    assert row.author == "Carol Writer" and row.website == "https://carol.example/"
    assert "Great read" in row.body
    env.runtime.moderator.approve([row.id])
    wait_for(lambda: f'id="comment-{row.id}"' in env.site.page())
    # update: the source changed
    env.pages.set("/their-post", source_html(text="Updated thoughts."))
    assert env.post("/api/webmention", data={"source": source, "target": TARGET}).status_code \
        == 202
    wait_for(lambda: "Updated thoughts" in mention(env, source).body)
    wait_for(lambda: "Updated thoughts" in env.site.page())
    # deletion: 410 Gone
    env.pages.set("/their-post", "gone", status=410)
    env.post("/api/webmention", data={"source": source, "target": TARGET})
    wait_for(lambda: mention(env, source) is None)
    wait_for(lambda: f'id="comment-{row.id}"' not in env.site.page())


def test_webmention_link_removed_and_never_linked(env):
    source = env.pages.set("/no-link", source_html(target="https://elsewhere.example/"))
    assert env.post("/api/webmention", data={"source": source, "target": TARGET}).status_code \
        == 202
    wait_for(lambda: not env.runtime.backend.mention_queue.jobs())
    assert mention(env, source) is None


@pytest.mark.parametrize("data, fragment", [
    ({}, "source: missing"),
    ({"source": "ftp://x.example/", "target": TARGET}, "source"),
    ({"source": "https://a.example/", "target": "https://other.example/post/"}, "not a URL of"),
    ({"source": "https://a.example/", "target": BASE + "/no/such/post/"}, "no post"),
    ({"source": TARGET, "target": TARGET}, "differ"),
])
def test_webmention_bad_requests(env, data, fragment):
    response = env.post("/api/webmention", data=data)
    assert response.status_code == 400 and fragment in response.text


def pingback(client, source: str, target: str = TARGET):
    body = xmlrpc.client.dumps((source, target), "pingback.ping")
    response = client.post("/api/pingback", content=body.encode(),
                           headers={"Content-Type": "text/xml"})
    assert response.status_code == 200
    try:
        return xmlrpc.client.loads(response.content)[0][0]
    except xmlrpc.client.Fault as fault:
        return fault.faultCode


def test_pingback(env):
    source = env.pages.set("/classic", source_html())
    assert "registered" in pingback(env, source)
    row = mention(env, source)
    assert row.type == "pingback" and row.status == "pending" and row.author == "Their post"
    assert pingback(env, source) == 0x0030
    assert pingback(env, env.pages.set("/nolink", source_html("https://x.example/"))) == 0x0011
    assert pingback(env, env.pages.url + "/missing") == 0x0010
    assert pingback(env, source, BASE + "/nope/") == 0x0020
    assert pingback(env, source, "https://other.example/") == 0x0021
    assert pingback(env, "not a url") == 0x0010
    bad = env.post("/api/pingback", content=b"<not xml", headers={"Content-Type": "text/xml"})
    assert bad.status_code == 200 and b"fault" in bad.content.lower()
    other = xmlrpc.client.dumps(("a",), "system.listMethods").encode()
    assert b"-32601" in env.post("/api/pingback", content=other).content


def test_discovery_headers_on_article_pages(env):
    page = env.get(POST_URL)
    assert page.status_code == 200
    assert 'rel="webmention"' in page.headers["link"]
    assert page.headers["x-pingback"] == BASE + "/api/pingback"
    assert '<link rel="webmention"' in page.text and '<link rel="pingback"' in page.text

"""The redirect map: matching rules, the nginx and Caddy forms, and the service's middleware
reading the built site's redirects.json again when it changes."""

from __future__ import annotations

import asyncio
import json

import httpx
from starlette.responses import PlainTextResponse

from ownmedia.importers import serving
from ownmedia.importers.redirects import (
    caddy_rules,
    lookup,
    nginx_rules,
    normalise_source,
    read_redirects,
    write_redirects,
)

RULES = {"/?p=10": "/2020/cafe/", "/2020/05/café/": "/2020/cafe/"}


def test_normalise_source():
    assert normalise_source("http://old.example/?p=10") == "/?p=10"
    assert normalise_source("http://old.example//blog/caf%C3%A9/#x") == "/blog/café/"
    assert normalise_source("http://old.example/") is None  # the root is never redirected


def test_lookup_with_and_without_slash_and_extra_parameters():
    assert lookup(RULES, "/", "p=10") == "/2020/cafe/"
    assert lookup(RULES, "/", "utm_source=x&p=10") == "/2020/cafe/"
    assert lookup(RULES, "/2020/05/café") == "/2020/cafe/"
    assert lookup(RULES, "/2020/05/café/") == "/2020/cafe/"
    assert lookup(RULES, "/", "p=11") is None
    assert lookup(RULES, "/elsewhere/") is None


def test_server_rules():
    nginx = nginx_rules(RULES)
    assert 'map $request_uri $ownmedia_redirect {' in nginx
    assert '"/2020/05/caf%C3%A9/" "/2020/cafe/";' in nginx and '"/?p=10" "/2020/cafe/";' in nginx
    caddy = caddy_rules(RULES)
    assert "(ownmedia_redirects) {" in caddy
    assert "    @ownmedia_redirect_1 {\n        path /\n        query p=10\n    }" in caddy
    assert "@ownmedia_redirect_2 path /2020/05/caf%C3%A9/" in caddy
    assert caddy.count("redir @ownmedia_redirect_") == 2


def test_write_merges_with_an_earlier_import(tmp_path):
    write_redirects(tmp_path, {"/?p=1": "/a/"})
    write_redirects(tmp_path, {"/?p=2": "/b/"})
    assert read_redirects(tmp_path / "redirects.json") == {"/?p=1": "/a/", "/?p=2": "/b/"}
    assert '"/?p=1" "/a/";' in (tmp_path / "redirects.nginx.conf").read_text()


async def _site(request_scope, receive, send):
    await PlainTextResponse("the site")(request_scope, receive, send)


def test_middleware_serves_301_and_rereads_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(serving, "RECHECK_SECONDS", 0.0)
    app = serving.RedirectsApp(_site, tmp_path)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/?p=10")).text == "the site"  # no file: straight through
            (tmp_path / "redirects.json").write_text(json.dumps({"redirects": RULES}))
            moved = await client.get("/?p=10")
            assert (moved.status_code, moved.headers["location"]) == (301, "/2020/cafe/")
            assert (await client.head("/2020/05/caf%C3%A9")).status_code == 301
            assert (await client.post("/?p=10")).text == "the site"  # only GET and HEAD
            (tmp_path / "redirects.json").write_text("{broken")
            kept = await client.get("/?p=10")  # a bad file breaks nothing: the last map stays
            assert (kept.status_code, kept.headers["location"]) == (301, "/2020/cafe/")
            (tmp_path / "redirects.json").write_text(json.dumps({"redirects": {"/?p=10": "/n/"}}))
            assert (await client.get("/?p=10")).headers["location"] == "/n/"
            (tmp_path / "redirects.json").unlink()
            assert (await client.get("/?p=10")).text == "the site"  # no file: straight through

    asyncio.run(scenario())


def test_a_broken_file_at_start_lets_requests_through(tmp_path):
    (tmp_path / "redirects.json").write_text("{broken")
    app = serving.RedirectsApp(_site, tmp_path)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/?p=10")).text == "the site"

    asyncio.run(scenario())


def test_first_request_while_a_build_copies_the_file(tmp_path, monkeypatch):
    """Pelican copies redirects.json by truncating it then writing it, and the service's warm
    build does so right after start: a request in between is still redirected, the very first
    one included (the map is read when the service starts, and kept over an empty file)."""
    (tmp_path / "redirects.json").write_text(json.dumps({"redirects": RULES}))
    app = serving.RedirectsApp(_site, tmp_path)  # `ownmedia serve` starts
    (tmp_path / "redirects.json").write_bytes(b"")  # the warm build's copy, half-way
    for recheck in (1.0, 0.0):  # the request before the recheck is due, then after it
        monkeypatch.setattr(serving, "RECHECK_SECONDS", recheck)

        async def scenario():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return await client.get("/?p=10")

        moved = asyncio.run(scenario())
        assert (moved.status_code, moved.headers.get("location")) == (301, "/2020/cafe/")

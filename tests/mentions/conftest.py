"""Fixtures of the mention tests: a loopback page server, and the service app on a copy of
the sample site."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from ownmedia.service.app import create_app
from tests.comments.sitekit import make_site
from tests.mentions.loopback import Pages

BASE = "http://127.0.0.1"


@pytest.fixture
def pages():
    p = Pages()
    yield p
    p.close()


def service(site, pages, **mentions):
    """The app under a TestClient (lifespan running: the background worker verifies)."""
    app = create_app(site.config(mentions=mentions) if mentions else site.config())
    client = TestClient(app, base_url=BASE)
    client.site, client.pages = site, pages
    client.app_state = app.state
    return client


@pytest.fixture
def make_service(tmp_path, pages):
    """Factory: make_service(extra_toml=..., **mentions_overrides) -> a started TestClient;
    calling it again on the same tmp_path reuses the site and data (a restart)."""
    started: list[TestClient] = []
    sites: dict = {}

    def _make(extra_toml: str = "", **mentions) -> TestClient:
        if "site" not in sites:
            sites["site"] = make_site(tmp_path, extra_toml=extra_toml)
        client = service(sites["site"], pages, **mentions)
        client.__enter__()
        client.runtime = client.app_state.ctx.state["comments"]
        started.append(client)
        return client

    yield _make
    for client in started:
        client.__exit__(None, None, None)

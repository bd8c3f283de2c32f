"""/admin/review over HTTP (Starlette TestClient, the generated store, injected clock): behind
the login, the period from the form's GET parameters, the same numbers as `ownmedia review`,
bad periods refused with a message, nothing from another origin."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ownmedia.admin.auth import set_password
from ownmedia.service.app import create_app
from tests.admin.test_app import PASSWORD, Clock, login
from tests.stats.conftest import PERIOD, SPEC, sim  # noqa: F401


def review_config(data: Path, tmp: Path, extra_toml: str = "") -> Path:
    """A service over a copy of the generated store `data` and its site, with an admin
    password."""
    copy = tmp / "data"
    shutil.copytree(data, copy)
    set_password(copy, PASSWORD)
    config = tmp / "ownmedia.toml"
    config.write_text(
        f"[server]\ndata = {str(copy)!r}\nsite = {str(copy / 'site')!r}\n"
        f"[comments]\ncontent_dir = {str(tmp / 'content')!r}\n"
        f"pelican_settings = {str(copy / 'site' / 'no-settings.py')!r}\n" + extra_toml,
        encoding="utf-8")
    return config


@pytest.fixture
def admin(sim, tmp_path):  # noqa: F811
    from ownmedia.config import load_config

    app = create_app(load_config(review_config(sim[0], tmp_path)))
    clock = Clock()
    clock.now = datetime.combine(SPEC.end, time(12), UTC).timestamp()
    app.state.ctx.state["clock"] = clock
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def test_the_review_needs_the_admin_login(admin):
    r = admin.get("/admin/review", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/login"
    r = admin.get("/admin/review?format=json", follow_redirects=False)
    assert r.status_code == 303


def test_the_period_chosen_on_the_page(admin, sim):  # noqa: F811
    _, truth = sim
    login(admin)
    r = admin.get(f"/admin/review?from={PERIOD[0]}&to={PERIOD[1]}")
    assert r.status_code == 200
    html = r.text
    assert f"{PERIOD[0]} → {PERIOD[1]}" in html
    assert f'value="{PERIOD[0]}"' in html and f'value="{PERIOD[1]}"' in html
    assert html.count("<svg") >= 4  # the charts, inline
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    for external in ("src=", "<link", "@import", "<script"):  # nothing loaded
        assert external not in html
    assert not re.search(r"url\((?!#)", html)
    doc = admin.get(f"/admin/review?from={PERIOD[0]}&to={PERIOD[1]}&format=json").json()
    assert doc["overview"]["visitors"]["value"] == truth["visitors"]
    assert doc["overview"]["cta_clicks"]["value"] == truth["goals"]["CTA Click"]["events"]
    assert "ownmedia.embedded" not in r.text + str(doc)
    # a relative period ends on the (injected) clock's day
    week = admin.get("/admin/review?period=7d")
    assert week.status_code == 200
    assert "2026-03-30 → 2026-04-05" in week.text
    assert '<option value="7d" selected>' in week.text


@pytest.mark.parametrize("query, message", [
    ("period=3y", "choose one of 7d, 30d, 6mo, 12mo"),
    (f"from={PERIOD[0]}", "give both dates"),
    ("from=2026-02-30&to=2026-03-01", "expected YYYY-MM-DD..YYYY-MM-DD"),
    ("from=2026-03-01&to=2026-02-01", "the start is after the end"),
    ("from=0001-01-01&to=0001-12-31", "dates between 1970 and 9000"),
    ("from=2000-01-01&to=2026-01-01", "at most 1827 days"),
    ("from=%00%FF&to=%3Cscript%3E", "expected YYYY-MM-DD..YYYY-MM-DD"),
])
def test_a_bad_period_is_refused_with_a_message(admin, query, message):
    login(admin)
    r = admin.get(f"/admin/review?{query}")
    assert r.status_code == 400
    assert message in r.text
    assert '<form class="period"' in r.text  # the form stays, to correct it
    assert "<script" not in r.text  # what was typed comes back escaped

"""Stats API keys scoped to sites (`ownmedia keys create NAME --site DOMAIN`): such a key reads
its sites only; a site it may not read and a site that does not exist get the same 400, and no
error lists the server's sites."""

from __future__ import annotations

import json
import sqlite3

import pytest
from starlette.testclient import TestClient

from ownmedia.config import load_config
from ownmedia.service.app import create_app
from ownmedia.stats.keys import KEY_MIGRATIONS, KeyStore
from ownmedia.storage.sqlite import connect, migrate
from tests.clikit import run_cli

DOMAINS = ["blog.example.org", "shop.example.org"]
BODY = {"metrics": ["visitors"], "date_range": ["2026-01-01", "2026-01-31"]}


@pytest.fixture
def api(tmp_path):
    config_file = tmp_path / "ownmedia.toml"
    config_file.write_text(f"[server]\ndata = {str(tmp_path / 'data')!r}\n"
                           f"site = {str(tmp_path / 'site')!r}\n"
                           f"[analytics]\ndomains = {DOMAINS!r}\n", encoding="utf-8")
    with TestClient(create_app(load_config(config_file))) as client:
        client.config_file = config_file
        yield client


def cli_key(api, *sites: str) -> str:
    args = ["keys", "create", "k", "--config", str(api.config_file)]
    for site in sites:
        args += ["--site", site]
    made = run_cli(*args)  # its own process: stdout is the command's alone
    assert made.returncode == 0, made.stderr
    [key] = made.stdout.splitlines()
    return key


def ask(api, key: str, site: str):
    return api.post("/api/v2/query", json={"site_id": site, **BODY},
                    headers={"Authorization": f"Bearer {key}"})


def test_scoped_key_reads_its_site_only(api):
    key = cli_key(api, "blog.example.org")
    listed = run_cli("keys", "list", "--json", "--config", api.config_file)
    assert json.loads(listed.stdout)[0]["sites"] == ["blog.example.org"]
    assert ask(api, key, "blog.example.org").status_code == 200
    other, missing = ask(api, key, "shop.example.org"), ask(api, key, "nope.example.org")
    assert other.status_code == missing.status_code == 400
    assert other.json()["error"].replace("shop", "X") == missing.json()["error"].replace(
        "nope", "X")
    goals = api.get("/api/v1/sites/goals", params={"site_id": "shop.example.org"},
                    headers={"Authorization": f"Bearer {key}"})
    assert goals.status_code == 400
    put = api.put("/api/v1/sites/goals", json={"site_id": "shop.example.org",
                                               "goal_type": "event", "event_name": "x"},
                  headers={"Authorization": f"Bearer {key}"})
    assert put.status_code == 400


def test_unscoped_key_reads_every_site_and_errors_list_none(api):
    key = cli_key(api)
    for site in DOMAINS:
        assert ask(api, key, site).status_code == 200
    error = ask(api, key, "nope.example.org").json()["error"]
    assert not any(domain in error for domain in DOMAINS)


def test_cli_refuses_a_site_the_server_does_not_have(api):
    made = run_cli("keys", "create", "k", "--config", api.config_file,
                   "--site", "nope.example.org")
    assert made.returncode != 0 and "nope.example.org" in made.stderr
    listed = run_cli("keys", "list", "--json", "--config", api.config_file)
    assert json.loads(listed.stdout) == []


def test_keys_from_before_scopes_read_every_site(tmp_path):
    conn = connect(tmp_path / "keys.sqlite3")
    migrate(conn, KEY_MIGRATIONS[:1])
    conn.execute("INSERT INTO api_keys (name, hint, hash, created) VALUES ('old', 'om_x', "
                 "'00', 0)")
    conn.close()
    store = KeyStore(tmp_path)
    try:
        [old] = store.list()
        assert old.sites == () and old.may_read("anything.example")
    finally:
        store.close()
    assert sqlite3.connect(tmp_path / "keys.sqlite3").execute(
        "SELECT sites FROM api_keys").fetchone()[0] == "[]"


def test_non_ascii_bearer_is_a_401(api):
    response = api.post("/api/v2/query", json={"site_id": DOMAINS[0], **BODY},
                        headers={"Authorization": "Bearer clé-é".encode()})
    assert response.status_code == 401


def test_json_nested_a_thousand_deep_is_a_400(api):
    key = cli_key(api)
    deep = '{"a":' * 1000 + "1" + "}" * 1000
    for method, path in (("POST", "/api/v2/query"), ("PUT", "/api/v1/sites/goals")):
        response = api.request(method, path, content=deep,
                               headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 400 and "nested" in response.json()["error"]

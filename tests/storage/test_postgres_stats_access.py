"""On PostgreSQL, what the command line stores is what the service reads: a key made with
`ownmedia keys create` opens the Stats API of `ownmedia serve`, and a goal added with
`ownmedia goals add` is one the API knows, on every instance."""

from __future__ import annotations

import httpx
from click.testing import CliRunner

from ownmedia.cli import main
from tests.storage.test_postgres_service import pg_site

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari/537"


def _cli(site, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--config", str(site.config_file)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_keys_and_goals_are_the_services(tmp_path, postgres_url, start_service):
    site = pg_site(tmp_path, postgres_url)
    printed = _cli(site, "keys", "create", "review").split()
    key = next(word for word in printed if len(word) >= 20)
    _cli(site, "goals", "add", "--event", "Signup")
    svc = start_service("--config", site.config_file)
    sent = httpx.post(f"{svc.url}/api/event", headers={"User-Agent": UA}, timeout=30,
                      content='{"n":"Signup","u":"http://127.0.0.1/merci/","d":"127.0.0.1"}')
    assert sent.status_code == 202, sent.text
    query = {"site_id": "127.0.0.1", "metrics": ["visitors"], "date_range": "all",
             "filters": [["is", "event:goal", ["Signup"]]]}
    answer = httpx.post(f"{svc.url}/api/v2/query", json=query, timeout=30,
                        headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["metrics"] == [1]
    wrong = httpx.post(f"{svc.url}/api/v2/query", json=query, timeout=30,
                       headers={"Authorization": "Bearer not-a-key"})
    assert wrong.status_code == 401

"""`ownmedia serve` on PostgreSQL, in real processes: refused start-ups say why in one line,
two instances on one database behave as one service, and a database stopped while serving
costs 503s, never data, and no restart of ownmedia."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import psycopg
import pytest
from click.testing import CliRunner

from ownmedia.admin.auth import set_password
from ownmedia.cli import main
from tests.comments.sitekit import POST, POST_URL, ROOT, make_site, wait_for
from tests.conftest import free_port

PASSWORD = "a long enough password"
JSON = {"accept": "application/json"}


def pg_site(tmp_path, url: str, comments_toml: str = ""):
    site = make_site(tmp_path, comments_toml=comments_toml,
                     extra_toml=f"[storage]\nurl = {url!r}\n")
    set_password(site.data, PASSWORD)
    return site


def migrate(site) -> None:
    result = CliRunner().invoke(main, ["storage", "migrate", "--config", str(site.config_file)])
    assert result.exit_code == 0, result.output


def serve_and_fail(site) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ownmedia.cli", "serve", "--config",
                           str(site.config_file), "--port", str(free_port())], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def post_comment(base: str, body: str, client: httpx.Client | None = None) -> httpx.Response:
    http = client or httpx
    token = http.get(f"{base}/api/comments/token?post={POST}").json()["token"]
    return http.post(f"{base}/api/comments", headers=JSON, timeout=30, data={
        "post": POST, "name": "Ann", "body": body, "token": token})


def admin_login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/admin/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    done = client.post("/admin/login", data={"password": PASSWORD, "csrf": csrf})
    assert done.status_code == 303, done.text
    return client


def test_serve_refuses_to_start_when_postgres_is_down(tmp_path):
    url = f"postgresql://ownmedia:s3cret@127.0.0.1:{free_port()}/blog"
    run = serve_and_fail(pg_site(tmp_path, url))
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, run.stderr
    assert "postgresql://ownmedia:***@127.0.0.1" in errors[0] and "s3cret" not in run.stderr


def test_serve_refuses_a_schema_newer_than_itself_naming_the_command(tmp_path, postgres_url):
    site = pg_site(tmp_path, postgres_url)
    migrate(site)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_migrations(name) VALUES ('comments_9999_future')")
    run = serve_and_fail(site)
    assert run.returncode == 1
    assert "newer than this ownmedia (comments_9999_future)" in run.stderr
    assert "ownmedia storage migrate" in run.stderr


def test_two_instances_are_one_service(tmp_path, postgres_url, start_service):
    site = pg_site(tmp_path, postgres_url, comments_toml="rate_limit = 3\n")
    migrate(site)
    one = start_service("--config", site.config_file)
    two = start_service("--config", site.config_file)
    for svc in (one, two):
        wait_for(lambda svc=svc: "live publishing ready" in "".join(svc.log), timeout=120)

    # posted on one, approved on the other's /admin/, live once
    posted = post_comment(one.url, "Posted on one, approved on two")
    assert posted.status_code == 201, posted.text
    comment_id = posted.json()["id"]
    admin = admin_login(two.url)
    queue = admin.get("/admin/")
    assert comment_id in queue.text  # the other instance's comment is in this one's queue
    csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)
    approved = admin.post("/admin/action", data={"action": "approve", "id": comment_id,
                                                 "csrf": csrf})
    assert approved.status_code == 303
    wait_for(lambda: f'id="comment-{comment_id}"' in site.page(POST_URL), timeout=60)
    renders = wait_for(lambda: [svc for svc in (one, two)
                                if f"re-rendered {POST}" in "".join(svc.log)])
    assert len(renders) == 1, "exactly one instance re-renders the shared output"

    # the rate limit counts a visitor's comments on both instances together
    statuses = [post_comment(svc.url, f"comment {n}").status_code
                for n, svc in enumerate((two, one, two))]
    assert statuses == [201, 201, 429]  # the first comment was the third of three

    # a login delay earned on one instance holds on the other: wrong passwords sent to each
    # in turn; counted apart, neither would reach the 3 failures that start a delay by the
    # 6th attempt; counted together the 4th (or, on a slow machine, the next) is refused
    statuses = []
    for attempt in range(6):
        with httpx.Client(base_url=(one, two)[attempt % 2].url, timeout=30) as client:
            page = client.get("/admin/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            statuses.append(client.post("/admin/login", data={
                "password": "wrong password!", "csrf": csrf}).status_code)
    assert statuses[:3] == [401, 401, 401] and 429 in statuses[3:], statuses
    admin.close()


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, to stop and start (not the shared one)."""
    from tests.pgserver import PostgresServer

    server = PostgresServer().start()
    yield server
    server.destroy()


def test_postgres_stopped_while_serving(tmp_path, own_postgres, start_service):
    url = own_postgres.create_database("faults")
    site = pg_site(tmp_path, url)
    migrate(site)
    svc = start_service("--config", site.config_file)
    before = post_comment(svc.url, "before the outage")
    assert before.status_code == 201

    own_postgres.stop("immediate")
    down = post_comment(svc.url, "during the outage")
    assert down.status_code == 503
    assert "database is unavailable" in down.json()["message"]
    assert down.headers["retry-after"]
    assert httpx.get(f"{svc.url}/api/health").status_code == 200  # the rest still answers

    own_postgres.restart()
    # the pool replaces its broken connections by itself: no restart of ownmedia
    after = wait_for(lambda: (r := post_comment(svc.url, "after the outage")).status_code == 201
                     and r, timeout=60)
    assert after.json()["id"] != before.json()["id"]
    assert svc.proc.poll() is None
    migrate(site)  # nothing to do: the data and schema survived the crash
    from ownmedia.storage import Backend

    backend = Backend(url, site.data)
    try:
        bodies = {c.body for c in backend.comments.list()}
    finally:
        backend.close()
    assert bodies == {"before the outage", "after the outage"}  # nothing accepted was lost

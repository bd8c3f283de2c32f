"""The reverse-proxy files under deploy/ run for real (Debian's nginx and Caddy) in front of a
real `ownmedia serve`: assets come from disk, HTML from ownmedia with its CSP, a dead instance
is skipped, and a visitor cannot choose the address ownmedia sees by sending X-Forwarded-For."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.comments.sitekit import make_site
from tests.conftest import free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
HOST = "blog.example.org"
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari/537"


def _wait_port(port: int, proc: subprocess.Popen, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"proxy exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)  # poll interval of a deadline loop, not a synchronisation
    raise AssertionError(f"nothing listens on {port} after {deadline} s")


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def nginx_proxy(tmp: Path, site: Path, live: int, dead: int) -> tuple[list[str], str]:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    port, http_port = free_port(), free_port()
    cert, key = _self_signed(tmp)
    conf = (conf.replace("127.0.0.1:8001", f"127.0.0.1:{live}")
            .replace("127.0.0.1:8002", f"127.0.0.1:{dead}")
            .replace("/srv/ownmedia/output", str(site))
            .replace(f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert))
            .replace(f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key))
            .replace("/var/log/nginx/", f"{tmp}/"))
    conf = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", conf)
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = conf.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
    (tmp / "server.conf").write_text(conf, encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temps = "".join(f"{kind}_temp_path {tmp}/{kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        f"{user}daemon off;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{\ninclude /etc/nginx/mime.types;\n{temps}"
        f"include {DEPLOY / 'nginx-log-format.conf'};\ninclude {tmp / 'server.conf'};\n}}\n",
        encoding="utf-8")
    check = subprocess.run(["nginx", "-t", "-c", str(tmp / "nginx.conf")], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr
    return ["nginx", "-c", str(tmp / "nginx.conf")], f"https://127.0.0.1:{port}"


def caddy_proxy(tmp: Path, site: Path, live: int, dead: int) -> tuple[list[str], str]:
    conf = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    port = free_port()
    conf = (conf.replace(f"{HOST} {{", f"http://{HOST}:{port}, http://127.0.0.1:{port} {{", 1)
            .replace("127.0.0.1:8001 127.0.0.1:8002", f"127.0.0.1:{live} 127.0.0.1:{dead}")
            .replace("/srv/ownmedia/output", str(site))
            .replace("/var/log/caddy/", f"{tmp}/"))
    conf = "{\n\tadmin off\n}\n" + conf
    (tmp / "Caddyfile").write_text(conf, encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp)}
    check = subprocess.run(["caddy", "validate", "--config", str(tmp / "Caddyfile"),
                            "--adapter", "caddyfile"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stderr
    return (["env", f"XDG_DATA_HOME={tmp}", f"XDG_CONFIG_HOME={tmp}", "caddy", "run",
             "--config", str(tmp / "Caddyfile"), "--adapter", "caddyfile"],
            f"http://127.0.0.1:{port}")


PROXIES = {"nginx": nginx_proxy, "caddy": caddy_proxy}


@pytest.fixture(params=sorted(PROXIES))
def proxied(request, tmp_path, start_service):
    name = request.param
    if shutil.which(name) is None:
        pytest.fail(f"{name} is missing: apt-get install {name} (.ci/run installs it)")
    site = make_site(tmp_path / "site")
    config = tmp_path / "ownmedia.toml"
    config.write_text(
        "[server]\n"
        f"data = {str(site.data)!r}\nsite = {str(site.output)!r}\n"
        'trusted_proxies = ["127.0.0.1"]\n'
        "[analytics]\n"
        f'domains = ["{HOST}"]\n', encoding="utf-8")
    svc = start_service("--config", config)
    work = tmp_path / name
    work.mkdir()
    command, url = PROXIES[name](work, site.output, svc.port, free_port())
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_port(int(url.rsplit(":", 1)[1]), proc)
        yield name, url, svc, site
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _visitors(data: Path) -> int:
    with sqlite3.connect(data / "events.sqlite3") as conn:
        return conn.execute("SELECT COUNT(DISTINCT visitor_id) FROM events").fetchone()[0]


def _event(client: httpx.Client, url: str, spoofed: str) -> None:
    answer = client.post(f"{url}/api/event", headers={
        "Host": HOST, "User-Agent": UA, "Content-Type": "text/plain",
        "X-Forwarded-For": spoofed},
        content=f'{{"n":"pageview","u":"https://{HOST}/","d":"{HOST}"}}')
    assert answer.status_code == 202, answer.text


def test_proxy_serves_the_site_and_hides_the_visitors_choice_of_address(proxied):
    name, url, svc, site = proxied
    with httpx.Client(verify=False, timeout=10) as client:
        # several rounds: each must pass whichever upstream the proxy tries first (one is dead)
        for _ in range(4):
            page = client.get(f"{url}/", headers={"Host": HOST})
            assert page.status_code == 200
            assert "content-security-policy" in page.headers, "HTML must come from ownmedia"
            css = client.get(f"{url}/theme/css/main.css", headers={"Host": HOST})
            assert css.status_code == 200
            assert "max-age=604800" in css.headers.get("cache-control", ""), \
                f"{name} must serve assets from disk with its cache header"
            assert css.headers.get("x-content-type-options") == "nosniff"
        _event(client, url, "203.0.113.7")
        _event(client, url, "198.51.100.9")
        assert _visitors(site.data) == 1, "a visitor chose its address through the proxy"
        # the same two addresses straight from a trusted proxy are two visitors: the header
        # is what the proxy must control
        _event(client, svc.url, "203.0.113.7")
        _event(client, svc.url, "198.51.100.9")
        assert _visitors(site.data) == 3

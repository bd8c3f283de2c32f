"""`ownmedia mentions send` for changed and deleted posts (webmention.rocks update 1-2 and
delete 1, on loopback): re-sent to kept, added and removed targets; a deleted post answers
410 Gone on the live site and its former targets are notified."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs

from click.testing import CliRunner
from starlette.testclient import TestClient

from ownmedia.cli import main
from ownmedia.config import load_config
from ownmedia.service.app import create_app

BASE = "https://blog.example"
SOURCE = BASE + "/2026/a-post/"


def write_post(site, links: list[str], text: str = "") -> None:
    post = site / "2026" / "a-post"
    post.mkdir(parents=True, exist_ok=True)
    anchors = "".join(f'<a href="{u}">l</a> ' for u in links)
    post.joinpath("index.html").write_text(
        f'<html><body><div class="e-content">{text}{anchors}</div>'
        '<input type="hidden" name="post" value="a-post"></body></html>')


def targets_notified(pages) -> list[str]:
    """Targets of the webmentions received since the last call (in order), all from SOURCE."""
    seen = []
    for path, _headers, body in pages.posts:
        form = parse_qs(body.decode())
        assert path.startswith("/endpoint/") and form["source"] == [SOURCE]
        seen.append(form["target"][0].removeprefix(pages.url))
    pages.posts.clear()
    return sorted(seen)


def test_update_and_delete(pages, tmp_path):
    for name in ("update-1", "update-2", "part-2", "new"):
        pages.set(f"/{name}", "<html>target</html>",
                  headers={"Link": f'</endpoint/{name}>; rel="webmention"'})
        pages.set(f"/endpoint/{name}", "accepted", 202)
    site, data = tmp_path / "site", tmp_path / "data"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[server]\ndata = {str(data)!r}\nsite = {str(site)!r}\n"
                   "[mentions]\nallow_private_addresses = true\n")
    args = ["mentions", "send", "--config", str(cfg), "--base-url", BASE]

    def send() -> list[str]:
        out = CliRunner().invoke(main, args)
        assert out.exit_code == 0, out.output
        return targets_notified(pages)

    u = pages.url
    write_post(site, [u + "/update-1", u + "/update-2", u + "/part-2"])
    assert send() == ["/part-2", "/update-1", "/update-2"]
    assert send() == []  # unchanged: nothing goes twice
    # update 1 (a link added) and update 2 (a link removed) at once
    write_post(site, [u + "/update-1", u + "/update-2", u + "/new"], text="Edited. ")
    assert send() == ["/new", "/part-2", "/update-1", "/update-2"]
    assert send() == []
    # delete 1: the post leaves the site
    shutil.rmtree(site / "2026" / "a-post")
    (site / "index.html").write_text("<html>home</html>")
    app = create_app(load_config(cfg))
    with TestClient(app, base_url=BASE) as client:
        assert client.get("/2026/a-post/").status_code == 404  # before `mentions send`
        assert send() == ["/new", "/update-1", "/update-2"]
        gone = client.get("/2026/a-post/")
        assert gone.status_code == 410 and "deleted" in gone.text
        assert client.get("/2026/a-post").status_code == 410
        assert client.get("/").status_code == 200
        assert send() == []
        write_post(site, [u + "/update-1"])  # published again: served again, and re-sent
        assert client.get("/2026/a-post/").status_code == 200
        assert send() == ["/new", "/update-1", "/update-2"]
        assert "a-post" not in (data / "tombstones.json").read_text()


def test_failed_send_is_retried_next_run(pages, tmp_path):
    pages.set("/t", "<html>t</html>", headers={"Link": '</endpoint/t>; rel="webmention"'})
    pages.set("/endpoint/t", "try later", 503)
    site = tmp_path / "site"
    write_post(site, [pages.url + "/t"])
    args = ["mentions", "send", "--site", str(site), "--data", str(tmp_path / "data"),
            "--base-url", BASE, "--config", str(tmp_path / "c.toml")]
    (tmp_path / "c.toml").write_text("[mentions]\nallow_private_addresses = true\n")
    first = CliRunner().invoke(main, args)
    assert first.exit_code != 0 and "retried" in first.output
    pages.set("/endpoint/t", "accepted", 202)
    assert CliRunner().invoke(main, args).exit_code == 0
    assert [p for p, _, _ in pages.posts] == ["/endpoint/t", "/endpoint/t"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert len(pages.posts) == 2

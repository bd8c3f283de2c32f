"""`ownmedia comments ...` through click's runner, on a real store and a built site."""

from __future__ import annotations

from click.testing import CliRunner

from ownmedia.admin.auth import check_password
from ownmedia.cli import main
from ownmedia.comments.store import Store
from tests.comments.sitekit import POST, make_site
from tests.comments.test_publish import add_pending


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result


def test_list_show_approve_render_reject(tmp_path):
    site = make_site(tmp_path)
    cfg = ["--config", str(site.config_file)]
    store = Store(site.data)
    cid = add_pending(store, body="CLI **comment**", email="a@example.org")
    spam = add_pending(store, body="buy", status="spam", reason="honeypot field filled")
    store.close()
    out = run("comments", "list", *cfg)
    assert out.exit_code == 0 and cid in out.output and spam in out.output
    out = run("comments", "list", "--status", "spam", *cfg)
    assert spam in out.output and cid not in out.output
    out = run("comments", "show", cid, *cfg)
    assert out.exit_code == 0 and "a@example.org" in out.output
    out = run("comments", "approve", cid, "--render", *cfg)
    assert out.exit_code == 0, out.output
    assert "re-rendered own-your-channel" in out.output
    assert f'id="comment-{cid}"' in site.page() and f'id="comment-{cid}"' in site.print_page()
    out = run("comments", "reject", cid, *cfg)
    assert out.exit_code == 0 and "Queued for live publishing" in out.output
    out = run("comments", "edit", spam, "--body", "fixed", *cfg)
    assert out.exit_code == 0
    out = run("comments", "delete", spam, *cfg)
    assert out.exit_code == 0
    out = run("comments", "show", spam, *cfg)
    assert out.exit_code == 2 and "not found" in out.output
    out = run("comments", "approve", "nope", *cfg)
    assert out.exit_code != 0 and "not found" in out.output
    assert (site.content / "comments" / POST).is_dir()


def test_bad_options_are_clear(tmp_path):
    out = run("comments", "list", "--config", str(tmp_path / "missing.toml"))
    assert out.exit_code != 0 and "no such configuration file" in out.output
    out = run("comments", "list", "--status", "weird", "--data", str(tmp_path))
    assert out.exit_code == 2 and "weird" in out.output
    assert run("comments", "--help").exit_code == 0
    for sub in ("list", "show", "approve", "reject", "spam", "delete", "edit", "set-password"):
        assert run("comments", sub, "--help").exit_code == 0


def test_set_password(tmp_path):
    out = run("comments", "set-password", "--data", str(tmp_path), "--password-stdin",
              input="short\n")
    assert out.exit_code != 0 and "at least" in out.output
    out = run("comments", "set-password", "--data", str(tmp_path), "--password-stdin",
              input="correct horse battery\n")
    assert out.exit_code == 0
    assert check_password(tmp_path, "correct horse battery")
    assert not check_password(tmp_path, "wrong password!")
    assert (tmp_path / "admin.json").stat().st_mode & 0o077 == 0

"""The review where the team already is: `ownmedia review --email` and the Monday mail of the
running service, both through a real SMTP server (aiosmtpd on loopback), on generated traffic.
The weekly sender runs on an injected clock: no waiting for Monday."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from ownmedia.config import load_config
from ownmedia.review.weekly import STATE_NAME, due_week
from ownmedia.service.app import create_app
from tests.admin.test_app import Clock
from tests.admin.test_review_page import review_config
from tests.comments.test_notify import smtp  # noqa: F401
from tests.stats.conftest import PERIOD, SPEC, sim  # noqa: F401

TEAM = ["team@example.org", "lead@example.org"]


def smtp_toml(port: int, weekly: bool = False) -> str:
    text = f"[smtp]\nhost = '127.0.0.1'\nport = {port}\nsender = 'review@example.org'\n"
    if weekly:
        text += f"[review]\nweekly_to = {TEAM!r}\nweekly_hour = 7\n"
    return text


def wait_messages(inbox, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)  # polling an observable condition, with a deadline
    assert len(inbox.messages) >= count, f"{len(inbox.messages)} of {count} mails arrived"


def check_review_mail(msg, first: str, last: str) -> None:
    """An HTML review whose charts are PNG parts referenced by cid:, and a text part."""
    assert msg["Subject"] == f"Review / bilan — 127.0.0.1 — {first} → {last}"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    assert "Overview / vue d'ensemble" in text
    html_part = msg.get_body(("related",))
    html = msg.get_body(("html",)).get_content()
    assert f"{first} → {last}" in html and "<svg" not in html
    images = [p for p in html_part.iter_parts() if p.get_content_type() == "image/png"]
    assert len(images) >= 4
    for part in images:
        cid = "".join(str(part["Content-ID"]).split()).strip("<>")
        assert f'src="cid:{cid}"' in html
        assert part.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "src=\"http" not in html and "ownmedia.embedded" not in html


def test_review_email_from_the_command_line(sim, smtp, tmp_path):  # noqa: F811
    data, truth = sim
    config = tmp_path / "mail.toml"
    config.write_text(smtp_toml(smtp.port))
    out = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "review", "--config", str(config), "--data",
         str(data), "--site", str(data / "site"), "--period", f"{PERIOD[0]}..{PERIOD[1]}",
         "--email", TEAM[0], "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"sent the review to {TEAM[0]}" in out.stderr
    wait_messages(smtp, 1)
    (msg,) = smtp.messages
    assert msg["To"] == TEAM[0] and msg["From"] == "review@example.org"
    check_review_mail(msg, PERIOD[0], PERIOD[1])
    assert f"<b>{truth['visitors']:,}</b>" in msg.get_body(("html",)).get_content()


@pytest.mark.parametrize("args, message", [
    (["--email", "not-an-address"], "is not an e-mail address"),
    (["--email", "team@example.org"], "--email needs an SMTP server"),
])
def test_review_email_bad_input(sim, tmp_path, args, message):  # noqa: F811
    data, _ = sim
    out = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "review", "--data", str(data), *args],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and message in out.stderr


def test_review_email_smtp_down_is_an_error(sim, tmp_path):  # noqa: F811
    from tests.conftest import free_port

    data, _ = sim
    config = tmp_path / "mail.toml"
    config.write_text(smtp_toml(free_port()))  # nobody listens there
    out = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "review", "--config", str(config), "--data",
         str(data), "--period", f"{PERIOD[0]}..{PERIOD[1]}", "--email", TEAM[0], "--json"],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and "did not take the review" in out.stderr


def at(day: str, hour: int) -> float:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00").timestamp()


def test_due_week():
    monday = datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert due_week(monday, 7).isoformat() == "2026-03-23"
    assert due_week(monday.replace(hour=6), 7) is None  # before Monday's hour
    assert due_week(datetime(2026, 4, 1, 3, tzinfo=UTC), 7).isoformat() == "2026-03-23"


def test_weekly_mail_every_monday_once(sim, smtp, tmp_path):  # noqa: F811
    config = load_config(review_config(sim[0], tmp_path, smtp_toml(smtp.port, weekly=True)))
    assert SPEC.end.isoformat() == "2026-04-05"
    clock = Clock()
    clock.now = at("2026-03-30", 8)  # a Monday, after weekly_hour

    app = create_app(config)
    app.state.ctx.state["clock"] = clock
    with TestClient(app, base_url="http://127.0.0.1"):
        wait_messages(smtp, 1)  # sent by the service's own background task at start
        weekly = app.state.ctx.state[STATE_NAME]
    assert weekly.task.done()  # stopped with the service
    (msg,) = smtp.messages
    assert sorted(a.strip() for a in msg["To"].split(",")) == sorted(TEAM)
    check_review_mail(msg, "2026-03-23", "2026-03-29")

    # a restart in the same week sends nothing more
    app = create_app(config)
    app.state.ctx.state["clock"] = clock
    with TestClient(app, base_url="http://127.0.0.1") as client:
        weekly = app.state.ctx.state[STATE_NAME]
        assert client.portal.call(weekly.tick) is None
        clock.now = at("2026-04-03", 12)  # later that week
        assert client.portal.call(weekly.tick) is None
        clock.now = at("2026-04-06", 6)  # next Monday, before 07:00 UTC
        assert client.portal.call(weekly.tick) is None
        assert len(smtp.messages) == 1
        clock.now = at("2026-04-06", 7)
        # another instance on the same storage is sending that week: this one stays quiet
        assert weekly.sent.claim("2026-03-30", "other", clock.now, 900)
        assert client.portal.call(weekly.tick) is None
        weekly.sent.release("2026-03-30", "other")  # it failed and let go
        assert client.portal.call(weekly.tick) == "2026-03-30"
        wait_messages(smtp, 2)
        assert client.portal.call(weekly.tick) is None
    check_review_mail(smtp.messages[1], "2026-03-30", "2026-04-05")
    assert len(smtp.messages) == 2


def test_weekly_config_is_checked(tmp_path):
    from ownmedia.config import ConfigError

    bad = tmp_path / "bad.toml"
    bad.write_text("[review]\nweekly_to = ['team@example.org']\n")
    with pytest.raises(ConfigError, match=r"weekly_to needs an SMTP server"):
        load_config(bad)
    bad.write_text("[smtp]\nhost = 'x'\n[review]\nweekly_to = ['nobody']\n")
    with pytest.raises(ConfigError, match=r"'nobody' is not an e-mail address"):
        load_config(bad)
    bad.write_text("[review]\ncurrency = 'euro'\n")
    with pytest.raises(ConfigError, match=r"ISO 4217"):
        load_config(bad)

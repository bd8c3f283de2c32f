"""Notifications through a real SMTP server (aiosmtpd on loopback): the moderator hears of a
new comment; an opted-in commenter hears of an approved reply and can unsubscribe."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from aiosmtpd.controller import Controller
from starlette.testclient import TestClient

from ownmedia.comments import notify
from ownmedia.comments.store import Store
from ownmedia.service.app import create_app
from ownmedia.storage import open_backend
from tests.comments.sitekit import POST, POST_URL, make_site, wait_for
from tests.conftest import free_port


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def submit(client, **fields):
    token = client.get(f"/api/comments/token?post={POST}").json()["token"]
    data = {"post": POST, "name": "Ann", "body": "Hello", "token": token, "lang": "en",
            "url": POST_URL, **fields}
    return client.post("/api/comments", data=data, headers={"Accept": "application/json"})


def test_moderator_and_reply_notifications(tmp_path, smtp):
    site = make_site(
        tmp_path, comments_toml='moderator_email = "mod@blog.example"\n',
        extra_toml=f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\n'
        'sender = "blog@blog.example"\n',
    )
    app = create_app(site.config())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        runtime = app.state.ctx.state["comments"]
        first = submit(client, email="ann@example.org", notify="1", body="Question?")
        assert first.status_code == 201, first.text
        mail = wait_for(lambda: smtp.messages and smtp.messages[0])
        assert mail["To"] == "mod@blog.example" and POST in mail["Subject"]
        assert "Question?" in mail.get_content() and "/admin/" in mail.get_content()
        parent = first.json()["id"]
        runtime.moderator.approve([parent])
        wait_for(lambda: f'id="comment-{parent}"' in site.page())
        reply = submit(client, name="Bob", email="bob@example.org", body="Answer!",
                       reply_to=parent)
        assert reply.status_code == 201
        wait_for(lambda: len(smtp.messages) == 2)
        runtime.moderator.approve([reply.json()["id"]])
        note = wait_for(lambda: len(smtp.messages) == 3 and smtp.messages[2])
        assert note["To"] == "ann@example.org" and "Answer!" in note.get_content()
        assert note["List-Unsubscribe"]
        link = re.search(r"(http://\S+/api/comments/unsubscribe\?token=\S+)",
                         note.get_content()).group(1)
        path = link.split("127.0.0.1:8000", 1)[1]
        page = client.get(path)
        assert page.status_code == 200 and "désinscrire" in page.text
        token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
        done = client.post("/api/comments/unsubscribe", data={"token": token})
        assert done.status_code == 200
        assert Store(site.data).get(parent).notify is False
        assert client.post("/api/comments/unsubscribe", data={"token": "x.y"}).status_code == 400


def test_smtp_outage_keeps_mail_for_retry(tmp_path, storage_url):
    site = make_site(tmp_path, build=False, comments_toml='moderator_email = "m@x.example"\n',
                     extra_toml=f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\n',
                     storage_url=storage_url)
    config = site.config()
    backend = open_backend(config)
    with backend.comments.transaction() as tx:
        tx.queue_mail("m@x.example", "s", "b")
    assert notify.deliver_outbox(backend.mail, config) == (0, 1)
    assert notify.deliver_outbox(backend.mail, config) == (0, 0)  # not due yet: backoff
    (job,) = backend.mail.all()  # kept for the retry, with the reason
    assert job.attempts == 1 and "connect" in job.last_error
    backend.close()

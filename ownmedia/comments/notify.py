"""E-mail notifications: the moderator hears of each new pending comment or mention, a
commenter who opted in hears of an approved reply (with a signed unsubscribe link).

Mails are queued in the mail queue inside the transaction that caused them, then sent by
`deliver_outbox` (the service's background loop, or the CLI right after an action), with
retries: an SMTP outage delays a mail, it never loses it."""

from __future__ import annotations

import os
import smtplib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ownmedia.comments import tokens
from ownmedia.comments.messages import t
from ownmedia.comments.store import CommentStore, StoredComment
from ownmedia.config import Config
from ownmedia.storage.ports import CommentTx, MailQueue

MAX_ATTEMPTS = 20


def public_url(config: Config) -> str:
    """The site's public base URL, without a trailing slash."""
    if config.server.public_url:
        return config.server.public_url.rstrip("/")
    return f"http://{config.server.host}:{config.server.port}"


def mail_enabled(config: Config) -> bool:
    return bool(config.smtp.host)


def unsubscribe_url(config: Config, signing_key: bytes, email: str) -> str:
    token = tokens.sign(signing_key, "unsubscribe", email.lower())
    return f"{public_url(config)}/api/comments/unsubscribe?token={token}"


PostUrl = str | Callable[[], str | None] | None  # a callable is only called when a mail is due


def _resolve(post_url: PostUrl) -> str | None:
    return post_url() if callable(post_url) else post_url


def queue_moderator_mail(
    tx: CommentTx, config: Config, comment: StoredComment,
    post_url: PostUrl = None,
) -> None:
    """Tell the moderator a comment or mention waits (no-op without SMTP or moderator)."""
    if not (mail_enabled(config) and config.comments.moderator_email):
        return
    post_url = _resolve(post_url)
    kind = {"comment": "comment", "webmention": "webmention", "pingback": "pingback"}[comment.type]
    subject = f"[ownmedia] New {kind} to moderate on {comment.post} / Nouveau {kind} à modérer"
    lines = [
        f"Post / Article : {comment.post}" + (f" ({public_url(config)}{post_url})"
                                              if post_url else ""),
        f"Author / Auteur : {comment.author}",
    ]
    if comment.website:
        lines.append(f"Website / Site : {comment.website}")
    if comment.source:
        lines.append(f"Source : {comment.source}")
    lines += [
        "",
        comment.body,
        "",
        f"Moderate / Modérer : {public_url(config)}/admin/",
        f"CLI : ownmedia comments approve {comment.id}",
    ]
    tx.queue_mail(config.comments.moderator_email, subject, "\n".join(lines))


def queue_reply_mail(
    tx: CommentTx, config: Config, signing_key: bytes,
    reply: StoredComment, post_url: PostUrl,
) -> bool:
    """On approval of a reply, mail the parent's author if they opted in and are not the
    replier. Returns whether a mail was queued."""
    if not (mail_enabled(config) and reply.reply_to):
        return False
    parent = tx.get(reply.reply_to)
    if parent is None:
        return False
    if not (parent.notify and parent.email) or parent.email.lower() == reply.email.lower():
        return False
    lang = parent.lang
    url = f"{public_url(config)}{_resolve(post_url) or '/'}#comment-{reply.id}"
    subject = t(lang, "mail_reply_subject", post=parent.post)
    body = t(lang, "mail_reply_body", name=parent.author, author=reply.author, body=reply.body,
             url=url, unsubscribe=unsubscribe_url(config, signing_key, parent.email))
    tx.queue_mail(parent.email, subject, body)
    return True


def unsubscribe(store: CommentStore, signing_key: bytes, token: str) -> bool:
    """Stop reply mails to the address the token was made for, and forget the address: it
    was only kept for them (the comments stay, without it; mails not yet sent are dropped)."""
    email = tokens.unsign(signing_key, "unsubscribe", token)
    if not email:
        return False
    with store.transaction() as tx:
        tx.forget_email(email)
    return True


def _message(config: Config, recipient: str, subject: str, body: str, created: float,
             signing_key: bytes | None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.smtp.sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.fromtimestamp(created, UTC))
    msg["Message-ID"] = make_msgid(domain=config.smtp.sender.rpartition("@")[2] or None)
    if signing_key is not None and recipient != config.comments.moderator_email:
        link = unsubscribe_url(config, signing_key, recipient)
        msg["List-Unsubscribe"] = f"<{link}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(body)
    return msg


def deliver_outbox(mail: MailQueue, config: Config, signing_key: bytes | None = None,
                   now: float | None = None) -> tuple[int, int]:
    """Send what is due; returns (sent, failed). Failures are retried with backoff."""
    if not mail_enabled(config):
        return 0, 0
    now = time.time() if now is None else now
    due = mail.due(now, MAX_ATTEMPTS)
    if not due:
        return 0, 0
    sent = failed = 0
    smtp = config.smtp
    try:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=10)
    except OSError as exc:
        mail.failed([job.id for job in due], now, f"connect: {exc}"[:500])
        return 0, len(due)
    try:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, os.environ.get(smtp.password_env, ""))
        for job in due:
            msg = _message(config, job.recipient, job.subject, job.body, job.created,
                           signing_key)
            try:
                client.send_message(msg)
            except (smtplib.SMTPException, OSError) as exc:
                mail.failed([job.id], now, str(exc)[:500])
                failed += 1
                continue
            mail.sent(job.id)
            sent += 1
    except (smtplib.SMTPException, OSError) as exc:
        mail.failed([job.id for job in due[sent + failed:]], now, str(exc)[:500])
        failed = len(due) - sent
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return sent, failed


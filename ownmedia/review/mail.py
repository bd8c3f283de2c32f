"""The review as an HTML e-mail, through the configured SMTP server ([smtp]).

Charts travel as PNG images attached to the HTML part (multipart/related) and referenced by
`cid:`: that is what Gmail, Outlook, Apple Mail and Thunderbird all display. Inline SVG is
stripped by Gmail and not drawn by Outlook, and `data:` images are blocked by both; an
external image URL would be a request to our server from the reader's mail client, which
mail clients block until asked (and which would tell us who opened it). A plain-text part
(the terminal review) comes first, for text-only clients."""

from __future__ import annotations

import io
import os
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from rich.console import Console

from ownmedia.config import Config
from ownmedia.review.html import CHART_ALT, charts, render_html
from ownmedia.review.model import Report
from ownmedia.review.terminal import render


class MailError(Exception):
    """The review could not be sent (a message naming the server and what went wrong)."""


def subject_of(report: Report) -> str:
    return f"Review / bilan — {report.site_id} — {report.period[0]} → {report.period[1]}"


def plain_text(report: Report) -> str:
    buf = io.StringIO()
    render(report, Console(file=buf, width=110, color_system=None, force_terminal=False,
                           emoji=False), top=10)
    return buf.getvalue()


def review_email(report: Report, config: Config, recipients: list[str]) -> EmailMessage:
    """A multipart/alternative message: the text review, and the HTML review with its charts
    as CID-referenced PNG parts."""
    domain = config.smtp.sender.rpartition("@")[2] or None
    images = charts(report, "png")
    cids = {name: make_msgid(f"chart-{name}", domain=domain) for name in images}
    chart_html = {name: f'<img src="cid:{cids[name][1:-1]}" alt="{CHART_ALT[name]}" '
                        'style="max-width:100%;height:auto">' for name in images}
    html = render_html(report, top=10, chart_html=chart_html,
                       more_hint="in `ownmedia review --csv DIR` or --json")
    msg = EmailMessage()
    msg["From"] = config.smtp.sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject_of(report)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(plain_text(report))
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[1]
    for name, data in images.items():
        html_part.add_related(data, "image", "png", cid=cids[name], filename=f"{name}.png")
    return msg


def send(config: Config, msg: EmailMessage) -> None:
    """Hand the message to [smtp] (STARTTLS and login when configured); MailError if not."""
    smtp = config.smtp
    if not smtp.host:
        raise MailError("no SMTP server: set [smtp] host in the configuration / pas de serveur "
                        "SMTP")
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.username:
                client.login(smtp.username, os.environ.get(smtp.password_env, ""))
            client.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"{smtp.host}:{smtp.port} did not take the review: {exc} / envoi "
                        "refusé") from None

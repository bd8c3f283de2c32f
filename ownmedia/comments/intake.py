"""Turn a submitted form into a stored comment, or into field-level errors.

Order of the checks, and why:
1. field validation (errors shown next to each field, nothing stored);
2. the signed timestamp token: missing or expired -> the commenter is asked to confirm
   (a fresh token is issued; this is the no-JavaScript path), too fast -> asked to wait;
3. rate limit per visitor (keyed hash of the address), duplicate of an existing comment;
4. honeypot filled or too many links -> stored with status "spam" (never lost, reviewable),
   answered like a normal comment so a robot learns nothing.
A comment is committed to SQLite before the caller answers 2xx."""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ownmedia.comment_format import ID_RE, SLUG_RE
from ownmedia.comments import tokens
from ownmedia.comments.messages import pick_lang, t
from ownmedia.comments.store import CommentStore, StoredComment, new_comment_id
from ownmedia.config import CommentsConfig
from ownmedia.storage.ports import comment_row

FORM_FIELDS = ("post", "name", "email", "website", "body", "reply_to", "token", "company",
               "notify", "lang", "url")
EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"']{2,}$")
LINK_RE = re.compile(r"(?i)\bhttps?://|\bwww\.|\]\(")
TOKEN_MAX_AGE = 24 * 3600


@dataclass
class Submission:
    post: str = ""
    name: str = ""
    email: str = ""
    website: str = ""
    body: str = ""
    reply_to: str = ""
    token: str = ""
    company: str = ""  # the honeypot
    notify: bool = False
    lang: str = "fr"
    url: str = ""      # where the form was (the post's URL), to go back to

    @classmethod
    def from_form(cls, form: dict[str, str]) -> Submission:
        """From raw form fields (all strings; unknown keys ignored, over-long ones cut)."""
        def get(name: str, limit: int = 20_000) -> str:
            value = form.get(name, "")
            return value[:limit] if isinstance(value, str) else ""

        return cls(
            post=get("post", 300).strip(),
            name=get("name", 1000).strip(),
            email=get("email", 1000).strip(),
            website=get("website", 1000).strip(),
            body=get("body").replace("\r\n", "\n").replace("\x00", "").strip(),
            reply_to=get("reply_to", 100).strip(),
            token=get("token", 2000).strip(),
            company=get("company", 1000).strip(),
            notify=get("notify", 10).strip() not in ("", "0", "false", "off"),
            lang=pick_lang(get("lang", 10)),
            url=get("url", 2000).strip(),
        )


@dataclass
class Outcome:
    """What to answer: `kind` is accepted | invalid | confirm | limited | duplicate."""

    kind: str
    status_code: int
    message: str
    errors: dict[str, str] = field(default_factory=dict)
    comment: StoredComment | None = None
    token: str = ""  # a fresh form token for the next attempt

    @property
    def accepted(self) -> bool:
        return self.kind == "accepted"


def _url_parts(url: str):
    """urlsplit, or None for what it refuses ("http://[x/", a port out of range)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None
    return parts


def body_hash(post: str, body: str) -> str:
    normal = re.sub(r"\s+", " ", body).strip().lower()
    return hashlib.sha256(f"{post}\x00{normal}".encode()).hexdigest()


class Intake:
    """Validation and abuse checks; `clock` is injectable so tests never sleep."""

    def __init__(
        self,
        store: CommentStore,
        config: CommentsConfig,
        signing_key: bytes,
        visitor_key: bytes,
        *,
        clock: Callable[[], float] = time.time,
        post_exists: Callable[[str], bool] | None = None,
        on_accepted: Callable[..., None] | None = None,
    ):
        self.store, self.config = store, config
        self.signing_key, self.visitor_key = signing_key, visitor_key
        self.clock = clock
        self.post_exists = post_exists
        self.on_accepted = on_accepted  # called inside the transaction (queue mails)

    def issue_token(self, post: str, credit: float = 0.0) -> str:
        """`credit` seconds are counted as already spent (see submit's confirmation token).
        The time is written in whole milliseconds, rounded down: rounded to the nearest, a
        token could be issued up to 0.5 ms in the future and a form posted at once found
        "too fast" even with min_seconds = 0."""
        issued = math.floor((self.clock() - credit) * 1000) / 1000
        return tokens.sign(self.signing_key, "comment-form", f"{post}|{issued:.3f}")

    def visitor(self, address: str) -> str:
        return tokens.keyed_hash(self.visitor_key, f"comment-visitor|{address}")

    def validate(self, sub: Submission) -> dict[str, str]:
        lang, errors = sub.lang, {}
        if not sub.post or not SLUG_RE.match(sub.post) or (
            self.post_exists is not None and not self.post_exists(sub.post)
        ):
            errors["post"] = t(lang, "post_unknown")
        if not sub.name:
            errors["name"] = t(lang, "name_required")
        elif len(sub.name) > 200 or "\n" in sub.name:
            errors["name"] = t(lang, "name_long")
        if sub.email and (len(sub.email) > 254 or not EMAIL_RE.match(sub.email)):
            errors["email"] = t(lang, "email_invalid")
        if sub.website:
            parts = _url_parts(sub.website) if len(sub.website) <= 500 else None
            if (
                parts is None
                or parts.scheme not in ("http", "https")
                or not parts.hostname
                or any(c.isspace() for c in sub.website)
            ):
                errors["website"] = t(lang, "website_invalid")
        if not sub.body:
            errors["body"] = t(lang, "body_required")
        elif len(sub.body) > self.config.max_body_chars:
            errors["body"] = t(lang, "body_long", max=self.config.max_body_chars, n=len(sub.body))
        if sub.reply_to and "post" not in errors:
            parent = self.store.get(sub.reply_to) if ID_RE.match(sub.reply_to) else None
            if parent is None or parent.post != sub.post or parent.status != "approved":
                errors["reply_to"] = t(lang, "reply_unknown")
        return errors

    def check_token(self, sub: Submission) -> str | None:
        """None when the token is good, else the message key to show."""
        if not sub.token:
            return "confirm"
        payload = tokens.unsign(self.signing_key, "comment-form", sub.token)
        if payload is None or "|" not in payload:
            return "expired"
        post, _, issued = payload.rpartition("|")
        try:
            age = self.clock() - float(issued)
        except ValueError:
            return "expired"
        if post != sub.post or age > TOKEN_MAX_AGE or age < -60:
            return "expired"
        if age < self.config.min_seconds:
            return "too_fast"
        return None

    def submit(self, sub: Submission, address: str) -> Outcome:
        lang = sub.lang
        errors = self.validate(sub)
        if errors:
            return Outcome("invalid", 422, t(lang, "invalid"), errors, token=self._token(sub))
        problem = self.check_token(sub)
        if problem is not None:
            code = 200 if problem == "confirm" else 422
            return Outcome("confirm", code, t(lang, problem), token=self._token(sub))
        now = self.clock()
        visitor = self.visitor(address)
        digest = body_hash(sub.post, sub.body)
        spam_reason = ""
        if sub.company:
            spam_reason = "honeypot field filled"
        elif len(LINK_RE.findall(sub.body)) > self.config.max_links:
            spam_reason = f"more than {self.config.max_links} links"
        with self.store.transaction() as tx:
            window_start = now - self.config.rate_window_seconds
            recent = tx.rate_window(visitor, window_start)
            if recent.count >= self.config.rate_limit:
                wait = max(1, int((recent.oldest + self.config.rate_window_seconds - now) / 60)
                           + 1)
                return Outcome("limited", 429, t(lang, "rate_limited", minutes=wait),
                               token=self._token(sub))
            if tx.duplicate_exists(sub.post, digest):
                return Outcome("duplicate", 409, t(lang, "duplicate"),
                               {"body": t(lang, "duplicate")}, token=self._token(sub))
            tx.add_rate_hit(visitor, now, prune_before=window_start)
            comment_id = new_comment_id(now)
            comment = tx.insert(comment_row(
                id=comment_id, post=sub.post, type="comment",
                status="spam" if spam_reason else "pending",
                # the address is only kept to send the reply notifications asked for
                author=sub.name, email=sub.email if sub.notify else "",
                notify=int(bool(sub.email and sub.notify)),
                website=sub.website, body=sub.body, reply_to=sub.reply_to or None,
                lang=lang, created=now, updated=now, visitor=visitor, body_hash=digest,
                reason=spam_reason,
            ))
            if self.on_accepted is not None and not spam_reason:
                self.on_accepted(tx, comment)
        return Outcome("accepted", 201, t(lang, "pending"), comment=comment)

    def _token(self, sub: Submission) -> str:
        """Keep a still-valid token (its age counts), else issue a fresh one credited with the
        minimum time: whoever gets it has already written and sent the form (the no-JS
        confirmation page), so confirming at once is never "too fast"."""
        if not sub.post or not SLUG_RE.match(sub.post):
            return ""
        if sub.token and self.check_token(sub) in (None, "too_fast"):
            return sub.token
        return self.issue_token(sub.post, credit=self.config.min_seconds)

"""The storage ports of comments, mentions, queues, admin auth, API keys and goals: one small
typed interface per concern, so the rest of ownmedia writes no SQL and runs the same on the
SQLite files of one machine and on a PostgreSQL database shared by several instances.

A change that touches several tables (approve a comment, queue its file, its re-render and a
mail) goes through one `CommentTx`, so it commits whole or not at all on either backend.
Every method may raise the `ownmedia.storage.errors.StorageError` family, never a driver's
own exception. The event-side ports (sink, stats, salts, visits, forwarding) are in
`event_ports.py`."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

STATUSES = ("pending", "approved", "spam", "rejected")

# The columns of a comment, in the order both backends store them.
COMMENT_FIELDS = (
    "id", "post", "type", "status", "author", "email", "notify", "website", "body", "reply_to",
    "source", "target", "lang", "created", "updated", "visitor", "body_hash", "reason", "photo",
)


@dataclass
class StoredComment:
    """A comment, webmention or pingback as stored, whatever its status."""

    id: str
    post: str
    type: str
    status: str
    author: str
    email: str
    notify: bool
    website: str
    body: str
    reply_to: str | None
    source: str | None
    target: str | None
    lang: str
    created: float
    updated: float
    visitor: str
    body_hash: str
    reason: str
    photo: str = ""  # mentions: local path of the author's photo

    @classmethod
    def from_mapping(cls, row: Any) -> StoredComment:
        """From a database row with named columns (sqlite3.Row or a dict)."""
        data = {name: row[name] for name in COMMENT_FIELDS}
        data["notify"] = bool(data["notify"])
        return cls(**data)

    from_row = from_mapping  # the name the callers used before the ports

    @property
    def created_dt(self) -> datetime:
        return datetime.fromtimestamp(self.created, UTC).replace(microsecond=0)


def new_comment_id(now: float | None = None) -> str:
    """Sortable and unguessable enough: 20261126-093012-4f2a9c."""
    moment = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def comment_row(**fields: object) -> dict[str, object]:
    """A complete row for `CommentTx.insert` from the fields given (defaults as the schema's)."""
    unknown = set(fields) - set(COMMENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown comment fields: {sorted(unknown)}")
    row: dict[str, object] = {
        "type": "comment", "email": "", "notify": 0, "website": "", "reply_to": None,
        "source": None, "target": None, "lang": "fr", "visitor": "", "body_hash": "",
        "reason": "", "photo": "",
    }
    row.update(fields)
    row["notify"] = int(bool(row["notify"]))
    return row


@dataclass(frozen=True)
class RateWindow:
    """The hits of one visitor inside the rate-limit window."""

    count: int
    oldest: float | None


@dataclass(frozen=True)
class MailJob:
    id: int
    created: float
    recipient: str
    subject: str
    body: str
    attempts: int
    last_error: str | None = None


@dataclass(frozen=True)
class MentionJob:
    id: int
    kind: str
    source: str
    target: str
    post: str
    received: float
    attempts: int
    next_attempt: float
    last_error: str | None
    state: str
    updated: float


class CommentTx(Protocol):
    """What may happen inside one comment transaction (rows read here are locked against the
    other instances until it commits)."""

    def get(self, comment_id: str) -> StoredComment | None: ...
    def by_mention(self, source: str, target: str) -> StoredComment | None: ...
    def insert(self, row: dict[str, object]) -> StoredComment: ...
    def set_status(self, comment_id: str, status: str, now: float) -> None: ...
    def edit(self, comment_id: str, author: str, body: str, website: str, now: float) -> None: ...
    def update_mention(self, comment_id: str, *, author: str, website: str, body: str,
                       created: float, photo: str, now: float) -> None: ...
    def update_from_file(self, comment_id: str, fields: dict[str, object], post: str,
                         now: float) -> None: ...
    def unpublish(self, comment_id: str, reason: str, now: float) -> bool: ...
    def delete(self, comment_id: str) -> None: ...
    def duplicate_exists(self, post: str, body_hash: str) -> bool: ...
    def forget_email(self, email: str) -> None: ...
    # rate hits (comment and mention submissions per visitor)
    def rate_window(self, visitor: str, since: float) -> RateWindow: ...
    def add_rate_hit(self, visitor: str, now: float, *, prune_before: float | None = None
                     ) -> None: ...
    # follow-up work committed with the change that needs it
    def queue_file(self, comment_id: str, post: str) -> None: ...
    def file_pending(self, comment_id: str) -> bool: ...
    def done_file(self, seq: int) -> None: ...
    def queue_render(self, post: str) -> None: ...
    def queue_mail(self, recipient: str, subject: str, body: str) -> None: ...
    def drop_mention_job(self, source: str | None, target: str | None) -> None: ...


class CommentStore(Protocol):
    """Comments, webmentions and pingbacks, and the queues that follow their changes."""

    def transaction(self) -> AbstractContextManager[CommentTx]: ...
    def get(self, comment_id: str) -> StoredComment | None: ...
    def list(self, status: str | None = None, post: str | None = None,
             limit: int = 200) -> list[StoredComment]: ...
    def counts(self) -> dict[str, int]: ...
    def by_mention(self, source: str, target: str) -> StoredComment | None: ...
    def approved(self) -> list[StoredComment]: ...
    def approved_replies_of(self, parent_ids: Sequence[str]) -> list[str]: ...
    def pending_renders(self) -> list[tuple[str, float]]: ...
    def done_render(self, post: str, queued: float) -> None: ...
    def pending_files(self) -> list[tuple[int, str, str]]: ...
    def render_leader(self) -> bool: ...
    def close(self) -> None: ...


class MailQueue(Protocol):
    """Mails to send, kept until sent (retried with backoff)."""

    def due(self, now: float, max_attempts: int, limit: int = 50) -> list[MailJob]: ...
    def sent(self, mail_id: int) -> None: ...
    def failed(self, mail_ids: Sequence[int], now: float, error: str) -> None: ...
    def all(self) -> list[MailJob]: ...


class MentionQueue(Protocol):
    """Received webmentions and pingbacks waiting for verification."""

    def enqueue(self, kind: str, source: str, target: str, post: str, now: float) -> None: ...
    def due(self, now: float, limit: int) -> list[MentionJob]: ...
    def done(self, job: MentionJob) -> None: ...
    def failed(self, job: MentionJob, attempts: int, error: str, next_attempt: float,
               final: bool, now: float) -> None: ...
    def jobs(self, state: str | None = None) -> list[MentionJob]: ...
    def retry(self, job_ids: Sequence[int], now: float) -> int: ...


@dataclass(frozen=True)
class SentPost:
    source: str
    digest: str
    deleted: bool


class MentionLog(Protocol):
    """What `ownmedia mentions send` already sent, to send only what changed."""

    def sent_pairs(self) -> list[tuple[str, str]]: ...
    def links(self) -> list[tuple[str, str]]: ...
    def posts(self) -> list[SentPost]: ...
    def post_sent(self, post: SentPost, links: Sequence[str] | None, now: float) -> None: ...
    def pair_sent(self, source: str, target: str, kind: str, endpoint: str, status: int,
                  now: float) -> None: ...


@dataclass(frozen=True)
class AdminSession:
    csrf: str
    expires: float


class AuthStore(Protocol):
    """Admin sessions (by the hash of the cookie) and failed logins per client key; shared by
    every instance, so a login delay holds whichever instance the next attempt reaches."""

    def create_session(self, id_hash: str, csrf: str, created: float, expires: float) -> None: ...
    def session(self, id_hash: str) -> AdminSession | None: ...
    def delete_session(self, id_hash: str) -> None: ...
    def login_failures(self, key: str) -> tuple[int, float] | None: ...
    def login_failed(self, key: str, now: float) -> int: ...
    def login_succeeded(self, key: str) -> None: ...


@dataclass(frozen=True)
class KeyRecord:
    id: int
    name: str
    hint: str
    hash: str
    created: float
    last_used: float | None
    revoked: float | None
    sites: tuple[str, ...]


class KeyStorage(Protocol):
    """Stats API keys, by the hash of the key."""

    def add(self, name: str, hint: str, key_hash: str, created: float,
            sites: Sequence[str]) -> int: ...
    def active_by_hash(self, key_hash: str) -> KeyRecord | None: ...
    def touch(self, key_id: int, now: float) -> None: ...
    def all(self) -> list[KeyRecord]: ...
    def revoke(self, ref: str, now: float) -> int: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class GoalRecord:
    domain: str
    goal_type: str  # event | page
    event_name: str
    page_path: str
    display_name: str


def configured_goals(goals: Sequence[dict], domains: Sequence[str]) -> list[GoalRecord]:
    """The goals of `[analytics] goals` as records: one per domain unless the goal names its
    own; a page goal without a display name is "Visit <path>", as Plausible names it."""
    records = []
    for goal in goals:
        event_name, page_path = goal.get("event_name") or "", goal.get("page_path") or ""
        display = goal.get("display_name") or event_name or f"Visit {page_path}"
        for domain in [goal["domain"]] if goal.get("domain") else domains:
            records.append(GoalRecord(domain, "event" if event_name else "page", event_name,
                                      page_path, display))
    return records


class GoalStorage(Protocol):
    """The goals stored per site (PUT /api/v1/sites/goals, `ownmedia goals add`)."""

    def goals(self, domain: str) -> list[GoalRecord]: ...
    def put(self, goal: GoalRecord) -> tuple[GoalRecord, bool]: ...
    def delete(self, domain: str, display_name: str) -> bool: ...
    def close(self) -> None: ...


class SentReviews(Protocol):
    """Which weeks' review mail went out (the weekly sender asks before sending, so a restart
    in the same week, or another instance on the same database, does not send it again)."""

    def was_sent(self, week: str) -> bool: ...
    def claim(self, week: str, holder: str, now: float, lease_seconds: float) -> bool:
        """Take the sending of a week: True for one holder at a time, until it releases the
        claim or its lease runs out (an instance that died while sending)."""
        ...
    def release(self, week: str, holder: str) -> None: ...
    def record(self, week: str, recipients: Sequence[str], when: float | None = None) -> None: ...
    def close(self) -> None: ...

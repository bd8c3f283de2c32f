"""Received mentions: queued at once (the HTTP answer does not wait), verified by the
service's background worker, then created, updated or deleted as comments of type
webmention / pingback that go through moderation like any comment."""

from __future__ import annotations

import logging
import time

from ownmedia.comments import notify
from ownmedia.comments.moderation import to_comment
from ownmedia.comments.store import new_comment_id
from ownmedia.mentions.photos import store_photo
from ownmedia.mentions.verify import Verification, verify
from ownmedia.storage.ports import MentionJob, MentionQueue, comment_row

log = logging.getLogger("ownmedia.mentions")
MAX_ERROR_CHARS = 500


def enqueue(queue: MentionQueue, kind: str, source: str, target: str, post: str) -> None:
    """Remember a mention to verify (a repeat of the same pair, even a failed one, is
    verified again from its first attempt)."""
    queue.enqueue(kind, source, target, post, time.time())


def escape_text(text: str) -> str:
    """Plain text as Markdown that renders to exactly that text: a source's words must not
    become markup or live links on our page (`**x**`, `[x](url)`, `<b>`, `&amp;`)."""
    out = []
    for char in text:
        if char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char in MARKDOWN_SPECIALS:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


MARKDOWN_SPECIALS = set("\\`*_{}[]()>#+-.!")  # what Python-Markdown un-escapes


def mention_body(v: Verification) -> str:
    """The stored body: the source's title in bold (our markup), then its text as text."""
    title, excerpt = escape_text(v.title), escape_text(v.excerpt)
    if title and excerpt:
        return f"**{title}**\n\n{excerpt}"
    return excerpt or title or escape_text(v.url)


def apply(runtime, kind: str, source: str, target: str, post: str, v: Verification) -> str:
    """Turn a verification into a change of the comments; returns what happened."""
    store, moderator = runtime.store, runtime.moderator
    existing = store.by_mention(source, target)
    if v.state == "missing":  # a 404 may be a mistake of the moment: not a deletion
        return "kept" if existing is not None else "ignored"
    if v.state == "gone":  # 410, or a 200 that no longer links
        if existing is None:
            return "ignored"
        moderator.delete([existing.id])
        return "deleted"
    author = v.author if kind == "webmention" else (v.title or v.author)
    body = mention_body(v)
    photo = store_photo(v.photo_url, runtime.config) if kind == "webmention" else ""
    now = time.time()
    with store.transaction() as tx:
        if existing is not None:
            tx.update_mention(existing.id, author=author[:200] or "?", website=v.author_url,
                              body=body, created=v.published or existing.created, photo=photo,
                              now=now)
            updated = tx.get(existing.id)
            if updated.status == "approved":
                from ownmedia.comment_format import write_comment_file

                write_comment_file(moderator.comments_dir, to_comment(updated))
                tx.queue_render(updated.post)
            return "updated"
        comment_id = new_comment_id(now)
        created = tx.insert(comment_row(
            id=comment_id, post=post, type=kind, status="pending", author=author[:200] or "?",
            website=v.author_url, body=body, source=source, target=target,
            created=v.published or now, updated=now, photo=photo))
        notify.queue_moderator_mail(tx, runtime.config, created,
                                    lambda: runtime.site_index.url_of(post))
    return "created"


def backoff(config, attempts: int) -> float:
    """Seconds before the next try of a job that failed `attempts` times (doubling, capped)."""
    return min(config.retry_backoff_seconds * 2 ** (attempts - 1),
               config.retry_backoff_max_seconds)


def process_queue(runtime, limit: int = 20) -> int:
    """Verify what is due (called from the background loop's thread).

    Each job is handled on its own: whatever goes wrong with one (an unreachable source, a
    page our parser chokes on, a bug) is counted against that job only, which is tried again
    later (exponential backoff) and, after [mentions] max_attempts, kept as `failed` with the
    reason for `ownmedia mentions list`; the jobs behind it go on."""
    queue, config = runtime.backend.mention_queue, runtime.config.mentions
    due = queue.due(time.time(), limit)
    for job in due:
        try:
            v = verify(job.source, job.target, config)
            if v.state == "error":
                raise VerifyError(v.message)
            outcome = apply(runtime, job.kind, job.source, job.target, job.post, v)
        except Exception as exc:  # noqa: BLE001 - one job's failure is that job's only
            _failed_attempt(queue, config, job, exc)
            continue
        log.info("%s %s -> %s: %s %s", job.kind, job.source, job.target, outcome, v.message)
        queue.done(job)
    return len(due)


class VerifyError(Exception):
    """The source could not be checked this time (network, 5xx, refused address)."""


def _failed_attempt(queue: MentionQueue, config, job: MentionJob, exc: Exception) -> None:
    attempts = job.attempts + 1
    reason = str(exc) if isinstance(exc, VerifyError) else f"{type(exc).__name__}: {exc}"
    reason = reason[:MAX_ERROR_CHARS]
    final = attempts >= config.max_attempts
    if isinstance(exc, VerifyError):
        log.info("%s -> %s: attempt %d failed: %s", job.source, job.target, attempts, reason)
    else:
        log.warning("%s -> %s: attempt %d failed", job.source, job.target, attempts,
                    exc_info=exc)
    now = time.time()
    # only the job as it was received: a new mention of the same pair meanwhile wins
    queue.failed(job, attempts, reason, now + backoff(config, attempts), final, now)

"""Moderation actions, shared by the CLI and the web admin.

Approving writes the comment file (ownmedia.comment_format) and queues the post for a live
re-render; leaving "approved" removes the file and queues it too.

Order, so that a crash at any point leaves a state the next start repairs: (1) one
transaction changes the row and records a file intent; (2) the file is written or removed to
match the committed row; (3) a second transaction drops the intent and queues the re-render.
A crash before (1) commits changes nothing; after it, the intent is still there and
`sync_files` (run at every start of the service, and by its background loop while the disk
refuses) does (2) and (3) again; both are idempotent. The file never runs ahead of the
database, and the page is only re-rendered once the file is there."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from ownmedia.comment_format import Comment, write_comment_file
from ownmedia.comments import notify, wakeup
from ownmedia.comments.site_index import SiteIndex
from ownmedia.comments.store import STATUSES, CommentStore, StoredComment, new_comment_id
from ownmedia.config import Config
from ownmedia.storage.ports import comment_row

log = logging.getLogger("ownmedia.comments")


@dataclass
class ActionResult:
    id: str
    ok: bool
    message: str
    post: str = ""


def to_comment(stored: StoredComment) -> Comment:
    """The file form of a stored comment (never the e-mail, never the visitor hash)."""
    return Comment(
        id=stored.id,
        post=stored.post,
        author=stored.author,
        date=stored.created_dt,
        body=stored.body,
        type=stored.type,
        website=stored.website or None,
        reply_to=stored.reply_to or None,
        source=stored.source or None,
        photo=stored.photo or None,
    )


class Moderator:
    def __init__(self, store: CommentStore, config: Config, signing_key: bytes,
                 site_index: SiteIndex | None = None):
        self.store, self.config, self.signing_key = store, config, signing_key
        self.site_index = site_index or SiteIndex(config.site_dir)

    @property
    def comments_dir(self) -> Path:
        return Path(self.config.comments.content_dir) / "comments"

    def set_status(self, ids: list[str], status: str) -> list[ActionResult]:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return [self._set_one(comment_id, status) for comment_id in ids]

    def approve(self, ids: list[str]) -> list[ActionResult]:
        return self.set_status(ids, "approved")

    def reject(self, ids: list[str], replies: str = "keep") -> list[ActionResult]:
        """replies="keep": approved replies stay published (shown at top level, without their
        parent); "reject": they are rejected too, and theirs, all the way down."""
        if replies not in ("keep", "reject"):
            raise ValueError(f"replies must be 'keep' or 'reject', not {replies!r}")
        results = self.set_status(ids, "rejected")
        if replies == "reject":
            for comment_id in ids:
                results += self.set_status(self.approved_replies(comment_id), "rejected")
        return results

    def approved_replies(self, comment_id: str) -> list[str]:
        """Ids of the approved replies under a comment, at every depth."""
        found: list[str] = []
        frontier = [comment_id]
        while frontier:
            frontier = [reply for reply in self.store.approved_replies_of(frontier)
                        if reply not in found and reply != comment_id]
            found += frontier
        return found

    def spam(self, ids: list[str]) -> list[ActionResult]:
        return self.set_status(ids, "spam")

    def _set_one(self, comment_id: str, status: str) -> ActionResult:
        with self.store.transaction() as tx:
            current = tx.get(comment_id)
            if current is None:
                return ActionResult(comment_id, False, "no such comment")
            if current.status == status:
                if status == "approved":  # asked again (a retry after a 503): file it again
                    tx.queue_file(comment_id, current.post)
                result = ActionResult(comment_id, True, f"already {status}", current.post)
            else:
                tx.set_status(comment_id, status, time.time())
                was_approved = current.status == "approved"
                current.status = status
                if status == "approved" or was_approved:
                    tx.queue_file(comment_id, current.post)
                if status == "approved":
                    notify.queue_reply_mail(tx, self.config, self.signing_key,
                                            current, lambda: self.site_index.url_of(current.post))
                result = ActionResult(comment_id, True, status, current.post)
        self.sync_files()
        return result

    def delete(self, ids: list[str]) -> list[ActionResult]:
        results = []
        for comment_id in ids:
            with self.store.transaction() as tx:
                current = tx.get(comment_id)
                if current is None:
                    results.append(ActionResult(comment_id, False, "no such comment"))
                    continue
                tx.delete(comment_id)
                if current.type != "comment":
                    tx.drop_mention_job(current.source, current.target)
                tx.queue_file(comment_id, current.post)
            results.append(ActionResult(comment_id, True, "deleted", current.post))
        self.sync_files()
        return results

    def edit(self, comment_id: str, *, author: str | None = None, body: str | None = None,
             website: str | None = None) -> ActionResult:
        """Change what is published; an approved comment's file is rewritten."""
        with self.store.transaction() as tx:
            current = tx.get(comment_id)
            if current is None:
                return ActionResult(comment_id, False, "no such comment")
            if author is not None:
                current.author = author.strip()
            if body is not None:
                current.body = body.strip()
            if website is not None:
                current.website = website.strip()
            comment = to_comment(current)
            from ownmedia.comment_format import validate

            validate(comment)  # raises CommentFormatError naming the field
            if not current.body:
                raise ValueError("the body must not be empty")
            tx.edit(comment_id, current.author, current.body, current.website, time.time())
            if current.status == "approved":
                tx.queue_file(comment_id, current.post)
        self.sync_files()
        return ActionResult(comment_id, True, "edited", current.post)

    # --- files follow the database --------------------------------------------------------
    def file_path(self, post: str, comment_id: str) -> Path:
        return self.comments_dir / post / f"{comment_id}.md"

    def sync_files(self) -> int:
        """Make each comment file with a pending intent match its committed row (written if
        approved, else removed), then queue the post's re-render. Returns how many were done;
        raises the OSError of a disk that refuses (the intent stays for the next try)."""
        done = 0
        for seq, comment_id, post in self.store.pending_files():
            stored = self.store.get(comment_id)
            path = self.file_path(post, comment_id)
            if stored is not None and stored.status == "approved" and stored.post == post:
                write_comment_file(self.comments_dir, to_comment(stored))
            else:
                path.unlink(missing_ok=True)
            with self.store.transaction() as tx:
                tx.done_file(seq)
                tx.queue_render(post)
            done += 1
        if done:  # the service re-renders at once, not at its next poll
            wakeup.send(self.config.data_dir)
        return done

    def retry_files(self) -> None:
        """For the service's background loop: finish intents left by a disk that was full;
        logs a refusal once a minute, not at every poll."""
        try:
            self.sync_files()
        except OSError as exc:
            now = time.monotonic()
            if now >= getattr(self, "_next_complaint", 0.0):
                log.error("comment files not written yet (%s); retrying", exc)
                self._next_complaint = now + 60

    def reply(self, parent_id: str, author: str, body: str,
              approve_parent: bool = False) -> ActionResult:
        """The owner answers a comment: published at once and the parent's author notified.
        A parent that is not approved is never approved silently: with approve_parent it is
        (the moderator's "Approve and reply"); without it the reply waits, pending, and is
        published when the moderator approves it after its parent."""
        parent = self.store.get(parent_id)
        if parent is None:
            return ActionResult(parent_id, False, "no such comment")
        if not body.strip():
            return ActionResult(parent_id, False, "the reply is empty")
        now = time.time()
        reply_id = new_comment_id(now)
        with self.store.transaction() as tx:
            tx.insert(comment_row(
                id=reply_id, post=parent.post, type="comment", status="pending",
                author=author.strip() or "Admin", body=body.strip(), reply_to=parent.id,
                lang=parent.lang, created=now, updated=now,
            ))
        if parent.status != "approved":
            if not approve_parent:
                return ActionResult(reply_id, True, "reply held until its parent is approved",
                                    parent.post)
            self._set_one(parent.id, "approved")
        result = self._set_one(reply_id, "approved")
        return ActionResult(reply_id, result.ok, "reply published", parent.post)

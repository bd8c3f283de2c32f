"""Moderation actions, shared by the CLI and the web admin.

Approving writes the comment file (ownmedia.comment_format) and queues the post for a live
re-render; leaving "approved" removes the file and queues it too. Each action is one SQLite
transaction, so the database, the files and the queues agree after a crash."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ownmedia.comment_format import Comment, comment_path, write_comment_file
from ownmedia.comments import notify
from ownmedia.comments.site_index import SiteIndex
from ownmedia.comments.store import STATUSES, Store, StoredComment, new_comment_id
from ownmedia.config import Config


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
    def __init__(self, store: Store, config: Config, signing_key: bytes,
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

    def reject(self, ids: list[str]) -> list[ActionResult]:
        return self.set_status(ids, "rejected")

    def spam(self, ids: list[str]) -> list[ActionResult]:
        return self.set_status(ids, "spam")

    def _set_one(self, comment_id: str, status: str) -> ActionResult:
        with self.store.transaction() as conn:
            row = conn.execute("SELECT * FROM comments WHERE id = ?", (comment_id,)).fetchone()
            if row is None:
                return ActionResult(comment_id, False, "no such comment")
            current = StoredComment.from_row(row)
            if current.status == status:
                return ActionResult(comment_id, True, f"already {status}", current.post)
            conn.execute("UPDATE comments SET status = ?, updated = ? WHERE id = ?",
                         (status, time.time(), comment_id))
            current.status = status
            if status == "approved":
                write_comment_file(self.comments_dir, to_comment(current))
                self.store.queue_render(conn, current.post)
                notify.queue_reply_mail(self.store, conn, self.config, self.signing_key, current,
                                        lambda: self.site_index.url_of(current.post))
            elif row["status"] == "approved":
                comment_path(self.comments_dir, to_comment(current)).unlink(missing_ok=True)
                self.store.queue_render(conn, current.post)
        return ActionResult(comment_id, True, status, current.post)

    def delete(self, ids: list[str]) -> list[ActionResult]:
        results = []
        for comment_id in ids:
            with self.store.transaction() as conn:
                row = conn.execute("SELECT * FROM comments WHERE id = ?",
                                   (comment_id,)).fetchone()
                if row is None:
                    results.append(ActionResult(comment_id, False, "no such comment"))
                    continue
                current = StoredComment.from_row(row)
                conn.execute("DELETE FROM comments WHERE id = ?", (comment_id,))
                if current.type != "comment":
                    conn.execute("DELETE FROM mention_queue WHERE source = ? AND target = ?",
                                 (current.source, current.target))
                path = comment_path(self.comments_dir, to_comment(current))
                if path.exists():
                    path.unlink()
                    self.store.queue_render(conn, current.post)
            results.append(ActionResult(comment_id, True, "deleted", current.post))
        return results

    def edit(self, comment_id: str, *, author: str | None = None, body: str | None = None,
             website: str | None = None) -> ActionResult:
        """Change what is published; an approved comment's file is rewritten."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT * FROM comments WHERE id = ?", (comment_id,)).fetchone()
            if row is None:
                return ActionResult(comment_id, False, "no such comment")
            current = StoredComment.from_row(row)
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
            conn.execute(
                "UPDATE comments SET author = ?, body = ?, website = ?, updated = ? WHERE id = ?",
                (current.author, current.body, current.website, time.time(), comment_id),
            )
            if current.status == "approved":
                write_comment_file(self.comments_dir, comment)
                self.store.queue_render(conn, current.post)
        return ActionResult(comment_id, True, "edited", current.post)

    def reply(self, parent_id: str, author: str, body: str) -> ActionResult:
        """The owner answers a comment: stored approved at once, published, parent notified."""
        parent = self.store.get(parent_id)
        if parent is None:
            return ActionResult(parent_id, False, "no such comment")
        if not body.strip():
            return ActionResult(parent_id, False, "the reply is empty")
        now = time.time()
        reply_id = new_comment_id(now)
        with self.store.transaction() as conn:
            self.store.insert(
                conn, id=reply_id, post=parent.post, type="comment", status="pending",
                author=author.strip() or "Admin", body=body.strip(), reply_to=parent.id,
                lang=parent.lang, created=now, updated=now,
            )
        if parent.status != "approved":
            self._set_one(parent.id, "approved")
        result = self._set_one(reply_id, "approved")
        return ActionResult(reply_id, result.ok, "reply published", parent.post)

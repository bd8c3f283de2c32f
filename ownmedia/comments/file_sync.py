"""Published comments that exist only as files (the demo's, imported, committed by hand) made
known to the service, so that replying to them, the CLI and /admin/ work on them.

The files under content/comments/ are the source of truth for published comments: a file the
store does not know is imported as an approved comment; a changed file updates its row; an
approved row whose file was removed on disk is set to "rejected" (kept, never lost, with the
reason), and its post is queued for re-rendering.

A scan stats the files (one scandir per post folder) and parses only those whose mtime or size
changed since the last scan, so it stays cheap on a big tree; the service runs it once at start
and then from its background worker thread, at most every SCAN_SECONDS, never on the event loop.

Races with the moderator: the database is read *before* the disk is listed, and comments with a
pending file intent are left alone (the moderator is writing or removing their file)."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ownmedia.comment_format import CommentFormatError, read_comment_file
from ownmedia.comments.store import CommentStore, StoredComment
from ownmedia.storage.ports import comment_row

log = logging.getLogger("ownmedia.comments")

SCAN_SECONDS = 5.0  # files added or removed by hand are noticed this fast
REMOVED_REASON = "file removed on disk"


@dataclass
class ScanResult:
    imported: int = 0
    updated: int = 0
    unpublished: int = 0

    @property
    def changed(self) -> int:
        return self.imported + self.updated + self.unpublished


class FileSync:
    """Keeps the store's published comments in step with the comment files."""

    def __init__(self, store: CommentStore, comments_dir: str | Path, default_lang: str = "fr"):
        self.store, self.comments_dir = store, Path(comments_dir)
        self.default_lang = default_lang
        self._seen: dict[Path, tuple[int, int]] = {}  # path -> (mtime_ns, size) last parsed
        self._next_scan = 0.0

    def _list_files(self) -> dict[Path, tuple[int, int]]:
        files: dict[Path, tuple[int, int]] = {}
        if not self.comments_dir.is_dir():
            return files
        with os.scandir(self.comments_dir) as posts:
            for post in posts:
                if not post.is_dir() or post.name.startswith("."):
                    continue
                with os.scandir(post.path) as entries:
                    for entry in entries:
                        if entry.name.endswith(".md") and entry.is_file():
                            st = entry.stat()
                            files[Path(entry.path)] = (st.st_mtime_ns, st.st_size)
        return files

    def scan(self, render_imports: bool = True) -> ScanResult:
        """One pass: import new files, update changed ones, unpublish removed ones.
        render_imports=False (the service's first scan): files the store did not know yet
        are already in the built site, which was made from them; no re-render for those."""
        result = ScanResult()
        busy = {comment_id for _, comment_id, _ in self.store.pending_files()}
        approved = {c.id: c for c in self._approved()}
        files = self._list_files()
        on_disk: set[str] = set()
        for path, signature in files.items():
            comment_id = path.stem
            on_disk.add(comment_id)
            if self._seen.get(path) == signature or comment_id in busy:
                continue
            try:
                comment = read_comment_file(path)
                if comment.post != path.parent.name or comment.id != comment_id:
                    raise CommentFormatError(path, "id", "does not match the file's place")
            except (CommentFormatError, OSError) as exc:
                log.warning("comment file ignored: %s", exc)
                self._seen[path] = signature  # complain once per version of the file
                continue
            self._seen[path] = signature
            kind = self._upsert(comment, path, render_imports)
            if kind == "imported":
                result.imported += 1
            elif kind == "updated":
                result.updated += 1
        for path in set(self._seen) - set(files):
            del self._seen[path]
        for comment_id, stored in approved.items():
            if comment_id not in on_disk and comment_id not in busy:
                if self._unpublish(stored):
                    result.unpublished += 1
        if result.changed:
            log.info("comment files: %d imported, %d updated, %d removed on disk",
                     result.imported, result.updated, result.unpublished)
        return result

    def scan_if_due(self) -> None:
        """For the service's background worker: a scan at most every SCAN_SECONDS."""
        now = time.monotonic()
        if now < self._next_scan:
            return
        self._next_scan = now + SCAN_SECONDS
        try:
            self.scan()
        except OSError as exc:
            log.error("comment files could not be scanned (%s); retrying", exc)

    def _approved(self) -> list[StoredComment]:
        return self.store.approved()

    def _upsert(self, comment, path: Path, render: bool = True) -> str:
        """Insert or update the row of a file; '' when it already matched or the moderator is
        changing it (inside the transaction, so no other writer is half-way: a file still there
        with no intent pending is really published)."""
        created = comment.date.timestamp()
        fields = dict(author=comment.author, body=comment.body.strip(),
                      website=comment.website or "", reply_to=comment.reply_to,
                      type=comment.type, source=comment.source)
        with self.store.transaction() as tx:
            stored = tx.get(comment.id)  # first: it locks the row against the moderator
            if tx.file_pending(comment.id) or not path.exists():
                return ""
            if stored is None:
                tx.insert(comment_row(id=comment.id, post=comment.post, status="approved",
                                      lang=self.default_lang, created=created,
                                      updated=time.time(), **fields))
                if render:
                    tx.queue_render(comment.post)
                return "imported"
            same = all((getattr(stored, k) or "") == (v or "") for k, v in fields.items())
            if same and stored.status == "approved" and stored.post == comment.post:
                return ""
            tx.update_from_file(comment.id, fields, comment.post, time.time())
            tx.queue_render(comment.post)
            return "updated"

    def _unpublish(self, stored: StoredComment) -> bool:
        with self.store.transaction() as tx:
            # still approved and still without an intent: the moderator did not touch it since
            tx.get(stored.id)  # locks the row first, so the intent read below is the latest
            if tx.file_pending(stored.id):
                return False
            changed = tx.unpublish(stored.id, REMOVED_REASON, time.time())
            if changed:
                tx.queue_render(stored.post)
            return changed

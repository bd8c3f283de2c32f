"""The comment store as the rest of ownmedia sees it: the `CommentStore` port
(ownmedia.storage.ports) on the backend the config chooses, and the record it returns.

Every submission is kept whatever its fate, so nothing accepted is lost; the queues that turn
an approval into a page, a mail and a mention are changed in the same transaction."""

from __future__ import annotations

from ownmedia.storage.ports import STATUSES, CommentStore, StoredComment, new_comment_id
from ownmedia.storage.sqlite.comments import DB_FILE
from ownmedia.storage.sqlite.comments import SqliteCommentStore as Store

__all__ = ["DB_FILE", "STATUSES", "CommentStore", "Store", "StoredComment", "new_comment_id"]

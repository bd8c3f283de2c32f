"""The comment store's reads, written once for both backends: listing with its filters, counts,
the approved replies, the render and file queues. A backend supplies only its dialect: how a
query runs (its SQL is written with `?` placeholders), and how a column is matched against a
list of values. The writes are shared the same way (comment_writes), their locking per backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ownmedia.storage.ports import COMMENT_FIELDS, STATUSES, StoredComment

SELECT_COMMENTS = f"SELECT {', '.join(COMMENT_FIELDS)} FROM comments"


class CommentReads:
    """Mixed into a backend's CommentStore, which defines `_query`, `_execute` and `_in`."""

    def _query(self, sql: str, params: Sequence = ()) -> list[Mapping]:
        """Rows of `sql` (with `?` placeholders), by column name."""
        raise NotImplementedError

    def _execute(self, sql: str, params: Sequence = ()) -> None:
        """One statement in a transaction of its own."""
        raise NotImplementedError

    def _in(self, column: str, values: Sequence) -> tuple[str, list]:
        """The condition "column is one of values" and its parameters."""
        raise NotImplementedError

    def _comments(self, where: str = "", params: Sequence = ()) -> list[StoredComment]:
        return [StoredComment.from_mapping(r) for r in self._query(SELECT_COMMENTS + where,
                                                                   params)]

    def get(self, comment_id: str) -> StoredComment | None:
        found = self._comments(" WHERE id = ?", (comment_id,))
        return found[0] if found else None

    def list(self, status: str | None = None, post: str | None = None,
             limit: int = 200) -> list[StoredComment]:
        """Newest first; `status` and `post` narrow the list when given."""
        where, params = [], []
        if status:
            where.append("status = ?")
            params.append(status)
        if post:
            where.append("post = ?")
            params.append(post)
        sql = (" WHERE " + " AND ".join(where)) if where else ""
        sql += " ORDER BY created DESC, id DESC LIMIT ?"
        params.append(limit)
        return self._comments(sql, params)

    def counts(self) -> dict[str, int]:
        rows = self._query("SELECT status, COUNT(*) AS n FROM comments GROUP BY status")
        result = dict.fromkeys(STATUSES, 0)
        result.update({r["status"]: r["n"] for r in rows})
        return result

    def by_mention(self, source: str, target: str) -> StoredComment | None:
        found = self._comments(" WHERE source = ? AND target = ?", (source, target))
        return found[0] if found else None

    def approved(self) -> list[StoredComment]:
        return self._comments(" WHERE status = 'approved'")

    def approved_replies_of(self, parent_ids: Sequence[str]) -> list[str]:
        if not parent_ids:
            return []
        among, params = self._in("reply_to", parent_ids)
        rows = self._query(f"SELECT id FROM comments WHERE status = 'approved' AND {among}",
                           params)
        return [r["id"] for r in rows]

    def pending_renders(self) -> list[tuple[str, float]]:
        return [(r["post"], r["queued"]) for r in
                self._query("SELECT post, queued FROM render_queue")]

    def done_render(self, post: str, queued: float) -> None:
        """Forget the request unless it was queued again while we rendered."""
        self._execute("DELETE FROM render_queue WHERE post = ? AND queued = ?", (post, queued))

    def pending_files(self) -> list[tuple[int, str, str]]:
        """(seq, comment_id, post), oldest first."""
        return [(r["seq"], r["comment_id"], r["post"]) for r in
                self._query("SELECT seq, comment_id, post FROM file_intents ORDER BY seq")]

"""Reader comments: intake, abuse checks, moderation, live publishing, notifications.

Pending comments live in the comment store (store.py: data/comments.sqlite3, or PostgreSQL
with [storage] url); approving one writes its file (ownmedia.comment_format) and re-renders
its post (publish.py)."""

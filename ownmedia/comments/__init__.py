"""Reader comments: intake, abuse checks, moderation, live publishing, notifications.

Pending comments live in data/comments.sqlite3 (store.py); approving one writes its file
(ownmedia.comment_format) and re-renders its post (publish.py)."""

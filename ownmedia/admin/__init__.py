"""The web moderation interface at /admin/ (login, CSRF, moderation queue)."""

"""The engagement service: one ASGI app beside the static site (events, comments, mentions,
stats, admin)."""

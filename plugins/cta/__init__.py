"""CTA plugin: a registry of calls to action, the `[[cta:<id>]]` Markdown syntax, the
end-of-post CTA, UTM decoration of external destinations, and build errors naming the post,
the line and the id. See README.md ("Calls to action")."""

from .plugin import register

__all__ = ["register"]

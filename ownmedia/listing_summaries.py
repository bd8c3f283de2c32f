"""A post's summary in listings, rendered once per build and language.

The index, category, tag and author pages of a language show the same summary of a post
(theme/templates/_article_summary_body.html) several times: the first rendering is kept, in
the generator's Jinja environment (made anew by every build), keyed by what the summary reads
besides the post's own fields: its language, URL prefix, SITEURL and comment count (which the
live publisher changes between two renderings of a listing)."""

from __future__ import annotations

from jinja2 import pass_context
from markupsafe import Markup

BODY = "_article_summary_body.html"
GLOBAL = "ownmedia_summary"


def install(generator) -> None:
    """Give the generator's templates `ownmedia_summary(article)` (signals.generator_init)."""
    env = getattr(generator, "env", None)
    if env is None or GLOBAL in env.globals:
        return
    made: dict[tuple, tuple[object, Markup]] = {}

    @pass_context
    def ownmedia_summary(context, article) -> Markup:
        at = (id(article), context.get("lang"), context.get("prefix"), context.get("SITEURL"),
              getattr(article, "comment_count", None))
        found = made.get(at)
        if found is None:  # the article is kept with its HTML, so its id is not reused
            html = Markup(context.environment.get_template(BODY).render(context.get_all()))
            found = made[at] = (article, html)
        return found[1]

    env.globals[GLOBAL] = ownmedia_summary

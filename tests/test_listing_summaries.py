"""A post's listing summary is rendered once per build and language, and again when what it
shows besides the post changes (language, SITEURL, comment count)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader

from ownmedia import listing_summaries

THEME = Path(__file__).resolve().parent.parent / "theme" / "templates"


def listing_env(renders: list) -> Environment:
    """The theme's _article_summary.html, with a body that counts its renderings."""
    body = ("{{ count(article) }}{{ article.title }} {{ lang }} {{ SITEURL }} "
            "{{ article.comment_count }}")
    page = "{% for article in articles %}{% include '_article_summary.html' %}|{% endfor %}"
    env = Environment(loader=ChoiceLoader([
        DictLoader({listing_summaries.BODY: body, "list.html": page}), FileSystemLoader(THEME)]),
        trim_blocks=True, lstrip_blocks=True)
    env.globals["count"] = lambda article: renders.append(article.title) or ""
    return env


def test_each_summary_once_per_language_and_siteurl():
    renders: list = []
    env = listing_env(renders)
    listing_summaries.install(SimpleNamespace(env=env))
    a, b = (SimpleNamespace(title=t, comment_count=1) for t in ("a", "b"))
    page = env.get_template("list.html")
    first = page.render(articles=[a, b], lang="fr", prefix="", SITEURL="https://x")
    assert first == "a fr https://x 1|b fr https://x 1|"
    again = page.render(articles=[b], lang="fr", prefix="", SITEURL="https://x")
    assert again == "b fr https://x 1|"
    assert renders == ["a", "b"]  # the tag page's summary of b is the index page's
    assert page.render(articles=[b], lang="en", prefix="en/", SITEURL="https://x") == \
        "b en https://x 1|"
    assert page.render(articles=[b], lang="fr", prefix="", SITEURL="..") == "b fr .. 1|"
    assert renders == ["a", "b", "b", "b"]


def test_an_approval_between_two_renderings_shows_the_new_count():
    renders: list = []
    env = listing_env(renders)
    listing_summaries.install(SimpleNamespace(env=env))
    post = SimpleNamespace(title="p", comment_count=1)
    page = env.get_template("list.html")
    assert page.render(articles=[post], lang="fr", prefix="", SITEURL="") == "p fr  1|"
    post.comment_count = 2
    assert page.render(articles=[post], lang="fr", prefix="", SITEURL="") == "p fr  2|"


def test_without_the_plugins_the_theme_includes_the_body_itself():
    renders: list = []
    env = listing_env(renders)
    page = env.get_template("list.html")
    post = SimpleNamespace(title="p", comment_count=0)
    for _ in range(2):
        assert page.render(articles=[post], lang="fr", prefix="", SITEURL="") == "p fr  0|"
    assert renders == ["p", "p"]

"""Article pages rendered by the build stage's workers (ownmedia.build_stage), on a first or
full build: every other article page of Pelican's writing order is offered to the stage, and
the build process renders the others meanwhile. An article page is a pure function of the
site's context and its article, which a forked worker holds as they were when writing began.

A worker renders a page through Pelican's own Writer.write_file (the local context Pelican
gives the template: relative URLs, output_file, the article's variables), with the call
Pelican's ArticlesGenerator makes for an article, and stops it before anything is written.
The build process uses that text only when the call Pelican really makes hands the template
the same objects (compared by identity, which a fork keeps); else it renders the page itself.
Nothing is offered when a plugin listens to `article_generator_write_article` (it may change
an article just before its page is written)."""

from __future__ import annotations

from pelican import signals
from pelican.writers import Writer

from ownmedia.build_stage import PAGES, rank, write_order

KIND = "page"

# The pages offered to a build's stage, by (id of the stage, output name): the generator and
# article a forked worker renders; emptied at the end of the build (forget).
_OFFERED: dict[tuple[int, str], tuple] = {}


def offer(state, generator) -> int:
    """Offer every other article page of `generator` (an ArticlesGenerator) to the stage of
    `state` (an ownmedia.incremental.BuildState); returns how many."""
    if signals.article_generator_write_article.receivers:
        return 0
    offered = 0
    for n, article in enumerate(write_order(generator)):
        name = article.save_as
        if n % 2 == 0 or not name or (id(state.stage), name) in _OFFERED:
            continue  # the build process's half (or nothing to write, or a duplicate name)
        _OFFERED[(id(state.stage), name)] = (generator, article)
        state.stage.offer(KIND, name, render, f"{id(state.stage)} {name}", rank(PAGES, n),
                          alone=True)
        offered += 1
    state.pages_offered += offered
    return offered


class _Rendered(Exception):
    def __init__(self, text: str, signature: tuple):
        super().__init__(text)
        self.text, self.signature = text, signature


class _Stop:
    """Stands for the template in Writer.write_file: renders, then stops the write."""

    def __init__(self, template):
        self.template, self.name = template, template.name

    def render(self, localcontext: dict) -> str:
        raise _Rendered(self.template.render(localcontext),
                        signature(self.template, localcontext))


def signature(template, localcontext: dict) -> tuple:
    """The template and what it is handed: each name with its value's identity (a plain
    value's text)."""
    return (getattr(template, "name", None), *(
        (name, value if isinstance(value, str | bool | int | float | type(None)) else id(value))
        for name, value in sorted(localcontext.items())))


def render(job: str) -> tuple[tuple, str]:
    """In a worker: (signature, text) of the page `job` ("<stage id> <output name>")."""
    stage_id, name = job.split(" ", 1)
    generator, article = _OFFERED[(int(stage_id), name)]
    writer = Writer(generator.output_path, settings=generator.settings)
    try:  # the call of Pelican's ArticlesGenerator.generate_articles
        writer.write_file(article.save_as, _Stop(generator.get_template(article.template)),
                          generator.context, relative_urls=generator.settings["RELATIVE_URLS"],
                          override_output=hasattr(article, "override_save_as"),
                          url=article.url, article=article,
                          category=getattr(article, "category", None), blog=True)
    except _Rendered as done:
        return done.signature, done.text
    raise RuntimeError(f"{name}: Pelican's writer did not render it")


def take(state, template, localcontext: dict) -> str | None:
    """The worker's text of the page about to be rendered with `localcontext`, when it was
    offered, is ready (or under way: waited for) and was rendered from the same objects."""
    name = localcontext.get("output_file")
    if state is None or (id(state.stage), name) not in _OFFERED:
        return None
    made = state.stage.take(KIND, name, wait_running=True)
    if made is None:
        return None
    worker_signature, text = made
    if worker_signature != signature(template, localcontext):
        return None
    # what the text warns about is logged here, where the page is written (the worker
    # logs no warnings), and Pelican's memoised content is the one it would have made
    localcontext["article"].content  # noqa: B018
    state.pages_taken += 1
    return text


def forget(stage) -> None:
    for offered in [k for k in _OFFERED if k[0] == id(stage)]:
        del _OFFERED[offered]

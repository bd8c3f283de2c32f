"""Article pages rendered by a build-stage worker (ownmedia/staged_pages.py): the same site as
a build without workers, and none offered when a plugin may change an article just before
Pelican writes its page."""

from __future__ import annotations

import logging
import multiprocessing
import re

from pelican import signals

from ownmedia.site import build_site
from tests.plugins.conftest import copy_content
from tests.test_incremental import assert_same_tree

POSTS = ("own-your-channel", "measure-without-cookies", "print-insert-vs-blog")


def pages_line(caplog) -> tuple[int, int]:
    found = [re.search(r"(\d+) of (\d+) offered article pages rendered by them",
                       r.getMessage()) for r in caplog.records]
    taken, offered = next(m for m in found if m).groups()
    return int(taken), int(offered)


def build(tmp_path, name: str, content, workers: int, **settings):
    return build_site(tmp_path / name, content=content, OWNMEDIA_BUILD_WORKERS=workers,
                      OWNMEDIA_BUILD_STAGE_WAIT=bool(workers),
                      CACHE_PATH=str(tmp_path / f"cache-{name}"), **settings)


def test_every_other_article_page_is_a_worker_s_and_the_site_is_the_same(tmp_path, caplog):
    content = copy_content(tmp_path / "content", POSTS)
    serial = build(tmp_path, "serial", content, 0)
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    staged = build(tmp_path, "staged", content, 1)
    assert_same_tree(staged, serial)
    taken, offered = pages_line(caplog)
    articles = len(list(staged.rglob("print/index.html")))  # one per article and translation
    assert articles >= 4
    assert offered == articles // 2 and taken == offered
    assert multiprocessing.active_children() == []


def test_relative_urls_give_the_same_pages(tmp_path, caplog):
    content = copy_content(tmp_path / "content", POSTS)
    serial = build(tmp_path, "serial", content, 0, RELATIVE_URLS=True)
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    staged = build(tmp_path, "staged", content, 1, RELATIVE_URLS=True)
    assert_same_tree(staged, serial)
    taken, offered = pages_line(caplog)
    assert offered >= 2 and taken == offered


def test_no_page_is_offered_when_a_plugin_changes_articles_before_they_are_written(
        tmp_path, caplog):
    def retitle(generator, content):
        content.title = f"Retitled {content.slug}"

    content = copy_content(tmp_path / "content", POSTS)
    signals.article_generator_write_article.connect(retitle)
    try:
        caplog.set_level(logging.INFO, logger="ownmedia.build")
        staged = build(tmp_path, "staged", content, 1)
    finally:
        signals.article_generator_write_article.disconnect(retitle)
    assert pages_line(caplog) == (0, 0)
    page = next(p for p in staged.rglob("own-your-channel/index.html") if "/en/" not in str(p))
    assert "Retitled own-your-channel" in page.read_text(encoding="utf-8")

"""The build stage (ownmedia/build_stage.py): worker processes fill cache misses while the
build writes; the build never waits for them, their output is the same, none survives."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import re

from ownmedia.build_stage import Stage
from ownmedia.site import build_site
from tests.comments.sitekit import wait_for
from tests.plugins.conftest import copy_content
from tests.test_incremental import assert_same_tree


def shout(text: str) -> str:
    return text.upper() + "!"


def test_workers_fill_misses_and_are_gone_after_close():
    stage = Stage({"OWNMEDIA_BUILD_WORKERS": 1})
    for n in range(50):
        stage.offer("t", f"k{n}", shout, f"item {n}")
    stage.offer("t", "k0", shout, "offered twice")  # the first offer stands
    assert stage.offered == 50
    assert stage.start() == 1
    assert stage.take("t", "unknown") is None
    assert wait_for(lambda: stage.take("t", "k0")) == "ITEM 0!"
    assert stage.take("t", "k0") is None  # taken once
    left = stage.close()
    assert set(left) <= {("t", f"k{n}") for n in range(1, 50)}
    assert all(value == f"ITEM {key[1][1:]}!" for key, value in left.items())
    assert multiprocessing.active_children() == []


def churn(text: str) -> str:
    """Some milliseconds of work, so the workers are still at the start of the queue."""
    data = text.encode()
    for _ in range(20_000):
        data = hashlib.sha256(data).digest()
    return text + data.hex()[:4]


def test_an_item_asked_for_before_a_worker_started_it_is_not_made_twice():
    """The build process overtook the workers: the chunk it asks for is cancelled (it makes
    those items itself) and the workers go on with the chunks after it."""
    stage = Stage({"OWNMEDIA_BUILD_WORKERS": 1})
    for n in range(400):
        stage.offer("t", f"k{n}", churn, f"item {n}")
    assert stage.start() == 1
    assert stage.take("t", "k399") is None  # the last chunk: far from started
    assert stage.overtaken == 1
    assert stage.take("t", "k398") is None and stage.overtaken == 2  # same chunk
    left = stage.close()
    assert ("t", "k399") not in left and ("t", "k398") not in left
    assert multiprocessing.active_children() == []


def found_early(key: str) -> str:
    """In a worker forked by Stage.start: what the early pool had made, if it was given."""
    from ownmedia.build_stage import made_here

    return made_here("t", key) or "not given"


def test_pure_items_are_made_while_the_build_reads_and_given_to_the_late_workers():
    """offer_now: from MIN_ITEMS on, a pool forked at once makes them (before `start`, i.e.
    while Pelican still reads); what it made by `start` is handed to the workers forked
    then (a print view finds its QR code)."""
    from concurrent.futures import wait

    from ownmedia.build_stage import MIN_ITEMS

    stage = Stage({"OWNMEDIA_BUILD_WORKERS": 1})
    for n in range(MIN_ITEMS - 1):
        stage.offer_now("t", f"k{n}", shout, f"item {n}")
    assert stage.workers == 0  # too few yet for a pool of their own
    stage.offer_now("t", f"k{MIN_ITEMS - 1}", shout, "last")
    assert stage.workers == 1  # forked before start
    stage.offer_now("t", "k0", shout, "offered twice")  # the first offer stands
    assert stage.offered == MIN_ITEMS
    assert wait_for(lambda: stage.take("t", "k1")) == "ITEM 1!"
    stage.offer("late", "x", found_early, "k2")
    wait([future for future, _ in stage._ready.values()])  # the early items are all done
    assert stage.start() == 1
    assert wait_for(lambda: stage.take("late", "x")) == "ITEM 2!"
    assert stage.take("t", "k0") == "ITEM 0!"
    stage.close()
    assert multiprocessing.active_children() == []


# set by the test below once `start` has run: early workers forked before wait for it
_GATE = multiprocessing.get_context("fork").Event()


def gated(text: str) -> str:
    _GATE.wait(60)
    return text.upper() + "!"


def test_early_chunks_not_started_by_start_go_to_the_late_workers():
    """An early chunk (EARLY_CHUNK items) still queued when the writing starts is taken back
    and offered to the late workers in their small chunks, in rank order: the build asking
    for one of its items cancels 16 items, not a whole early chunk."""
    from ownmedia.build_stage import CHUNK, EARLY_CHUNK, MIN_ITEMS

    stage = Stage({"OWNMEDIA_BUILD_WORKERS": 1})
    total = MIN_ITEMS + 3 * EARLY_CHUNK
    try:
        for n in range(total):
            stage.offer_now("t", f"k{n}", gated, f"item {n}", rank=total - n)
        early_last = stage._ready[("t", f"k{total - 1}")][0]
        assert stage.start() == 1
        assert early_last.cancelled()  # the early worker is held by its first chunk
        assert stage.handed_over >= EARLY_CHUNK
        future, _ = stage._ready[("t", f"k{total - 1}")]  # ranked first: first late chunk
        assert future is not early_last
        # the sixth late chunk: beyond the ones a worker holds or has queued, so cancelled
        assert stage.take("t", f"k{total - 5 * CHUNK - 10}") is None
        assert stage.overtaken == 1
        _GATE.set()
        assert wait_for(lambda: stage.take("t", f"k{total - 1}")) == f"ITEM {total - 1}!"
        assert stage.take("t", f"k{total - 5 * CHUNK - 5}") is None  # same cancelled chunk
        assert stage.overtaken == 2
    finally:
        _GATE.set()
        stage.close()
    assert multiprocessing.active_children() == []


def test_few_pure_items_go_with_the_others_and_none_when_off():
    few = Stage({"OWNMEDIA_BUILD_WORKERS": 1})
    for n in range(10):
        few.offer_now("t", f"k{n}", shout, f"item {n}")
    assert few.workers == 0
    assert few.start() == 1
    assert wait_for(lambda: few.take("t", "k9")) == "ITEM 9!"
    few.close()
    off = Stage({"OWNMEDIA_BUILD_WORKERS": 0})
    for n in range(500):
        off.offer_now("t", f"k{n}", shout, "x")
    assert off.offered == 0 and off.start() == 0
    assert multiprocessing.active_children() == []


def test_no_workers_below_the_threshold_or_when_off():
    small = Stage({})
    small.offer("t", "k", shout, "x")
    assert small.start() == 0 and small.close() == {}
    off = Stage({"OWNMEDIA_BUILD_WORKERS": 0})
    for n in range(500):
        off.offer("t", f"k{n}", shout, "x")
    assert off.start() == 0


def test_a_build_with_workers_writes_the_same_site(tmp_path):
    content = copy_content(tmp_path / "content", ("own-your-channel", "measure-without-cookies"))
    serial = build_site(tmp_path / "serial", content=content, OWNMEDIA_BUILD_WORKERS=0,
                        CACHE_PATH=str(tmp_path / "c0"))
    parallel = build_site(tmp_path / "parallel", content=content, OWNMEDIA_BUILD_WORKERS=2,
                          CACHE_PATH=str(tmp_path / "c2"))
    assert_same_tree(parallel, serial)
    assert multiprocessing.active_children() == []


def test_every_item_a_worker_made_is_the_serial_build_s(tmp_path, caplog):
    """Waiting for the workers, every QR code, comment body, comments feed and print view of
    the site is a worker's (made from the build's objects as they were at the fork), and the
    site is the one a build without workers writes."""
    content = copy_content(tmp_path / "content", ("own-your-channel", "measure-without-cookies"))
    serial = build_site(tmp_path / "serial", content=content, OWNMEDIA_BUILD_WORKERS=0,
                        CACHE_PATH=str(tmp_path / "c0"))
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    staged = build_site(tmp_path / "staged", content=content, OWNMEDIA_BUILD_WORKERS=1,
                        OWNMEDIA_BUILD_STAGE_WAIT=True, CACHE_PATH=str(tmp_path / "c1"))
    assert_same_tree(staged, serial)
    made = [re.search(r"(\d+) of (\d+) cache misses made by 1 build-stage workers",
                      r.getMessage()) for r in caplog.records]
    taken, offered = next(m for m in made if m).groups()
    prints = len(list(staged.rglob("print/index.html")))
    feeds = len(list(staged.rglob("comments.atom.xml")))
    assert prints >= 4 and feeds >= 1
    assert int(offered) >= 2 * prints + feeds  # a code and a view per article, and the feeds
    assert taken == offered
    assert multiprocessing.active_children() == []


def test_a_worker_makes_each_qr_code_once(tmp_path, caplog):
    """A print view rendered in a worker asks the cache for its QR code: the worker finds
    the one it made for the article page (no second segno encoding there), and the build
    process makes none."""
    from ownmedia.plugins import print_view

    content = copy_content(tmp_path / "content", ("own-your-channel", "measure-without-cookies"))
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    print_view.make_qr_svg.cache_clear()
    staged = build_site(tmp_path / "staged", content=content, OWNMEDIA_BUILD_WORKERS=1,
                        OWNMEDIA_BUILD_STAGE_WAIT=True, CACHE_PATH=str(tmp_path / "c1"))
    made = [re.search(r"made by 1 build-stage workers, (\d+) found again there",
                      r.getMessage()) for r in caplog.records]
    reused = int(next(m for m in made if m).group(1))
    prints = len(list(staged.rglob("print/index.html")))
    assert prints >= 4
    assert reused >= prints  # every staged print view's QR code at least
    assert print_view.make_qr_svg.cache_info().currsize == 0  # none made in this process


WORKER_LOG = "tests.build_stage.worker"  # a logger no other code configures


def warn_and_shout(text: str) -> str:
    logging.getLogger(f"{WORKER_LOG}.content").warning("content warning about %s", text)
    logging.getLogger(f"{WORKER_LOG}.build").error("an error about %s", text)
    return shout(text)


def test_a_worker_does_not_repeat_what_the_content_warns_about(capfd):
    """The build process logs what a text warns about when it renders it; a worker rendering
    the same text (a print view) must not print it again. Its errors still show."""
    handler = logging.StreamHandler()  # stderr, inherited by the forked worker
    root = logging.getLogger(WORKER_LOG)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        stage = Stage({"OWNMEDIA_BUILD_WORKERS": 1, "OWNMEDIA_BUILD_STAGE_WAIT": True})
        stage.offer("t", "k", warn_and_shout, "a post")
        assert stage.start() == 1
        assert stage.take("t", "k") == "A POST!"
        stage.close()
    finally:
        root.removeHandler(handler)
    err = capfd.readouterr().err
    assert "an error about a post" in err
    assert "content warning" not in err


def test_the_process_pool_is_imported_only_when_a_pool_starts():
    """A rebuild that forks no worker does not pay for concurrent.futures' import."""
    import subprocess
    import sys

    code = ("import sys, ownmedia.incremental\n"
            "from ownmedia.build_stage import Stage\n"
            "Stage({'OWNMEDIA_BUILD_WORKERS': 0}).start()\n"
            "print('concurrent.futures' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    assert found == ["False"]

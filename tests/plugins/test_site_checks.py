"""Checks the plugins make of a site's content and settings, on the foreign fixture site: an
untitled note (an error naming what to do, or a warning when the owner says so) and a relative
SITEURL (one warning per build, whatever the number of posts and plugins)."""

from __future__ import annotations

import logging

import pytest

from ownmedia.pelican_support import BuildError
from tests.plugins.sites.helpers import build_fixture, copy_site

UNTITLED = "Date: 2026-10-03 10:00\n\n# A heading, not a title\n\nA note.\n"


@pytest.fixture
def untitled_site(tmp_path):
    site = copy_site("foreign", tmp_path / "foreign")
    (site / "content" / "posts" / "note.md").write_text(UNTITLED, encoding="utf-8")
    return site


def test_an_untitled_note_stops_the_build_and_says_what_to_do(untitled_site, tmp_path):
    with pytest.raises(BuildError) as failure:
        build_fixture(untitled_site, tmp_path / "out")
    message = str(failure.value)
    assert "note.md: field 'title': missing (add a line 'Title: ...'" in message
    assert 'OWNMEDIA_UNREADABLE_CONTENT = "warn"' in message


def test_the_owner_may_make_it_a_warning(untitled_site, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        out = build_fixture(untitled_site, tmp_path / "out", OWNMEDIA_UNREADABLE_CONTENT="warn")
    assert (out / "hello-foreign.html").is_file()
    assert not list(out.glob("*note*"))  # dropped, as vanilla Pelican drops it
    dropped = [r for r in caplog.records if "not published" in r.getMessage()]
    assert len(dropped) == 1 and "note.md: field 'title'" in dropped[0].getMessage()


def test_a_wrong_value_of_the_setting_is_named(untitled_site, tmp_path):
    with pytest.raises(BuildError, match="OWNMEDIA_UNREADABLE_CONTENT = 'maybe'"):
        build_fixture(untitled_site, tmp_path / "out", OWNMEDIA_UNREADABLE_CONTENT="maybe")


def test_a_relative_siteurl_is_warned_about_once_per_build(tmp_path, caplog):
    site = copy_site("foreign", tmp_path / "foreign")
    for n in (1, 2):
        with caplog.at_level(logging.WARNING):
            caplog.clear()
            build_fixture(site, tmp_path / f"out{n}", SITEURL="")
        warned = [r for r in caplog.records if "SITEURL is ''" in r.getMessage()]
        assert len(warned) == 1, n
        assert "publishconf.py" in warned[0].getMessage()


def test_an_absolute_siteurl_is_not_warned_about(tmp_path, caplog):
    site = copy_site("foreign", tmp_path / "foreign")
    with caplog.at_level(logging.WARNING):
        build_fixture(site, tmp_path / "out")
    assert not [r for r in caplog.records if "SITEURL" in r.getMessage()]


def test_a_content_warning_is_printed_once(tmp_path):
    """The print view shows the article's content too: Pelican's warning about the content
    (here a link to a missing file) must not be printed a second time for it."""
    import subprocess
    import sys

    site = copy_site("foreign", tmp_path / "foreign")
    (site / "content" / "posts" / "broken.md").write_text(
        "Title: Broken link\nDate: 2026-10-04 10:00\n\n"
        "A [link]({filename}/no-such-post-for-warnings.md).\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pelican", str(site / "content"), "-s",
         str(site / "pelicanconf.py"), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, env={"COLUMNS": "400", "PATH": "/usr/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "out" / "broken-link" / "print" / "index.html").is_file()
    output = done.stdout + done.stderr
    assert output.count("no-such-post-for-warnings.md") == 1, output

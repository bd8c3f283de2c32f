"""The quick "nothing changed" check (ownmedia/quick_check.py): a rebuild with nothing changed
returns before Pelican starts, and every change a blogger makes makes the next build work."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from bench.corpus import Changes, generate
from ownmedia import quick_check
from ownmedia.site import ROOT, build_site

QUICK = "(quick check)"


@pytest.fixture
def site(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("OWNMEDIA_QUICK_CHECK", raising=False)
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    generate(tmp_path / "content", 6, seed=4)
    settings = tmp_path / "pelicanconf.py"
    shutil.copy(ROOT / "pelicanconf.py", settings)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    return Site(tmp_path, settings, theme, caplog)


class Site(Changes):
    def __init__(self, root: Path, settings: Path, theme: Path, caplog):
        super().__init__(root / "content")
        self.root, self.settings, self.theme, self.caplog = root, settings, theme, caplog

    def build(self) -> bool:
        """Build; True when the quick check skipped it."""
        self.caplog.clear()
        build_site(self.root / "out", settings_file=self.settings, content=self.content,
                   THEME=str(self.theme), CACHE_PATH=str(self.root / "cache"))
        return QUICK in self.caplog.text

    def stamp(self) -> Path:
        return quick_check.stamp_path(self.root / "out", self.settings, self.content,
                                      {"THEME": str(self.theme),
                                       "CACHE_PATH": str(self.root / "cache")})


def bump(path: Path) -> None:
    """A save that keeps the size: only the mtime says it changed."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def test_nothing_changed_skips_and_each_change_builds(site):
    assert not site.build()
    assert site.stamp().is_file()
    assert site.build()
    for change in (site.edit_body, site.add_post, site.delete_post, site.approve,
                   site.unpublish):
        change()
        assert not site.build(), change.__name__
        assert site.build(), change.__name__


def test_a_nested_comment_edit_builds(site):
    site.build()
    comment = sorted((site.content / "comments").glob("*/*.md"))[0]
    comment.write_text(comment.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    assert not site.build()
    assert "Edited." in "".join(p.read_text(encoding="utf-8")
                                for p in (site.root / "out").rglob("index.html"))


def test_template_settings_and_plugin_code_changes_build(site):
    site.build()
    base = site.theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- changed --></body>"))
    assert not site.build()
    assert "<!-- changed -->" in (site.root / "out" / "index.html").read_text()
    assert site.build()
    site.settings.write_text(site.settings.read_text() + '\nSITENAME = "Renamed"\n')
    assert not site.build()
    assert "Renamed" in (site.root / "out" / "index.html").read_text()
    assert site.build()
    plugin = ROOT / "plugins" / "comments" / "__init__.py"
    if not plugin.is_file():
        plugin = next((ROOT / "ownmedia").rglob("*.py"))
    st = plugin.stat()
    try:
        bump(plugin)
        assert not site.build()
    finally:
        os.utime(plugin, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_removed_output_builds_and_the_switch_turns_it_off(site, monkeypatch):
    site.build()
    (site.root / "out" / "index.html").unlink()
    assert not site.build()
    assert (site.root / "out" / "index.html").is_file()
    monkeypatch.setenv("OWNMEDIA_QUICK_CHECK", "0")
    assert not site.build()


def test_a_corrupted_stamp_is_ignored_with_one_line(site):
    site.build()
    site.stamp().write_text("{not json", encoding="utf-8")
    assert not site.build()
    lines = [r.getMessage() for r in site.caplog.records if "quick check stamp" in r.getMessage()]
    assert len(lines) == 1 and "ignored" in lines[0], lines
    assert "Traceback" not in site.caplog.text
    assert site.build()

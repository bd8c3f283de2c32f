"""`ownmedia new post|page` and `ownmedia build` in a site made by `ownmedia init`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from ownmedia.cli import main


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "site"), "--yes", "--lang", "en,fr",
                                       "--name", "Notes", "--author", "Jo", "--url",
                                       "https://notes.example.org", "--timezone", "UTC"])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "site")
    monkeypatch.delenv("EDITOR", raising=False)
    return tmp_path / "site"


def run(*args: str, env: dict | None = None):
    return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)


def test_new_post_fills_the_metadata_with_pelicans_slug(site):
    result = run("new", "post", "Été : ça commence, enfin!", "--lang", "fr")
    assert result.exit_code == 0, result.output
    path = site / "content" / "posts" / "ete-ca-commence-enfin.fr.md"
    assert Path(result.output.strip()).resolve() == path.resolve()
    text = path.read_text()
    for line in ("Title: Été : ça commence, enfin!", "Slug: ete-ca-commence-enfin", "Lang: fr",
                 "Author: Jo", "Status: draft"):
        assert line + "\n" in text
    assert "\nDate: 20" in text
    again = run("new", "post", "Été : ça commence, enfin!", "--lang", "fr")
    assert again.exit_code == 2 and "already exists" in again.output
    assert path.read_text() == text


def test_new_page_and_the_default_language(site):
    result = run("new", "page", "Contact")
    assert result.exit_code == 0, result.output
    text = (site / "content" / "pages" / "contact.en.md").read_text()
    assert text.startswith("Title: Contact\nSlug: contact\nLang: en\n") and "Date:" not in text


def test_new_post_in_a_language_the_site_does_not_have(site):
    result = run("new", "post", "Hallo", "--lang", "de")
    assert result.exit_code == 2 and "'de' is not one of the site's (en, fr" in result.output


def test_new_post_opens_the_editor(site, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "Written in the editor." >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    result = run("new", "post", "With an editor", env={"EDITOR": str(editor)})
    assert result.exit_code == 0, result.output
    text = (site / "content" / "posts" / "with-an-editor.en.md").read_text()
    assert text.endswith("Written in the editor.\n")


def test_new_outside_a_site_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("new", "post", "Lost")
    assert result.exit_code == 2 and "no pelicanconf.py here" in result.output


def test_build_then_nothing_changed_then_publish(site):
    first = run("build")
    assert first.exit_code == 0, first.output
    index = site / "output" / "index.html"
    assert 'href="http://127.0.0.1:8000/theme/css/main.css"' in index.read_text()
    made = index.stat().st_mtime_ns
    assert run("build").exit_code == 0
    assert index.stat().st_mtime_ns == made  # nothing changed: nothing rewritten
    published = run("build", "--publish")
    assert published.exit_code == 0, published.output
    assert 'href="https://notes.example.org/theme/css/main.css"' in index.read_text()
    assert "track_localhost" not in (site / "publishconf.py").read_text()


def test_build_outside_a_site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.exit_code == 2 and "no pelicanconf.py here" in result.output
    assert not (tmp_path / "output").exists()
    assert os.listdir(tmp_path) == []

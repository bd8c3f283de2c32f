"""`ownmedia init`: the site it writes builds for real, and `make demo PORT=...` serves it
with links on that port."""

from __future__ import annotations

import dataclasses
import socket
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.config import Config, load_config
from ownmedia.scaffold.config_toml import commented_config
from tests.conftest import RunningService

FLAGS = ["--name", "Carnet d'Ana", "--url", "https://carnet.example.org/", "--lang", "fr,en",
         "--author", "Ana", "--timezone", "Europe/Paris"]


def init(tmp_path: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["init", str(tmp_path / "site"), *args], input=input,
                              catch_exceptions=False)


def test_init_writes_every_file(tmp_path):
    result = init(tmp_path, *FLAGS, "--yes")
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    for rel in ("content/posts/welcome.fr.md", "content/posts/welcome.en.md",
                "content/pages/about.fr.md", "content/pages/about.en.md", "pelicanconf.py",
                "publishconf.py", "ownmedia.toml", "Makefile", ".gitignore"):
        assert (site / rel).is_file(), rel
    post = (site / "content/posts/welcome.fr.md").read_text()
    assert "Title: Bienvenue sur Carnet d'Ana\n" in post and "Lang: fr\n" in post
    assert "Author: Ana\n" in post
    conf = (site / "pelicanconf.py").read_text()
    assert "DEFAULT_LANG = 'fr'" in conf and "SITE_LANGUAGES = ['fr', 'en']" in conf
    assert "TIMEZONE = 'Europe/Paris'" in conf and "PLUGIN_PATHS" not in conf
    assert "SITEURL = 'https://carnet.example.org'" in (site / "publishconf.py").read_text()
    config = load_config(site / "ownmedia.toml")
    assert config.server.public_url == "https://carnet.example.org"
    assert config.analytics.domains[0] == "carnet.example.org"
    for target in ("html:", "clean:", "regenerate:", "serve:", "devserver:", "publish:", "pdf:",
                   "demo:"):
        assert f"\n{target}" in (site / "Makefile").read_text()
    assert "output/" in (site / ".gitignore").read_text()


def test_init_asks_what_is_not_given(tmp_path):
    answers = "Mon site\nhttps://moi.example.net\nfr\nMoi\nUTC\n"
    result = init(tmp_path, input=answers)
    assert result.exit_code == 0, result.output
    conf = (tmp_path / "site" / "pelicanconf.py").read_text()
    assert "SITENAME = 'Mon site'" in conf and "AUTHOR = 'Moi'" in conf
    assert (tmp_path / "site" / "content/posts/welcome.md").is_file()  # one language


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--url", "carnet.example.org", "give the public address"),
    ("--timezone", "Mars/Olympus", "time zone 'Mars/Olympus' is unknown"),
    ("--lang", "fr,français", "language 'français'"),
    ("--lang", "fr,fr", "given twice"),
])
def test_bad_answers_are_refused_before_writing(tmp_path, flag, value, message):
    flags = list(FLAGS)
    flags[flags.index(flag) + 1] = value
    result = CliRunner().invoke(main, ["init", str(tmp_path / "site"), *flags, "--yes"])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "site").exists()


def test_init_never_overwrites(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "pelicanconf.py").write_text("# mine\n")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "site"), *FLAGS, "--yes"])
    assert result.exit_code == 2 and "already has pelicanconf.py" in result.output
    assert (tmp_path / "site" / "pelicanconf.py").read_text() == "# mine\n"


def test_ownmedia_toml_lists_every_setting_at_its_default():
    text = commented_config()
    assert load_config_text(text) == Config(source="x")  # all commented: the defaults
    uncommented = "\n".join(line[2:] if line.startswith("# ") and " = " in line else line
                            for line in text.splitlines())
    parsed = tomllib.loads(uncommented)
    for section in dataclasses.fields(Config):
        if section.name == "source" or not dataclasses.is_dataclass(getattr(Config(),
                                                                            section.name)):
            continue  # an array of tables ([[campaigns]]) has no defaults to write
        names = {f.name for f in dataclasses.fields(getattr(Config(), section.name))}
        assert set(parsed[section.name]) == names, section.name
    assert load_config_text(uncommented) == Config(source="x")  # written defaults are right
    assert "# data = \"data\"  # SQLite files and generated secrets" in text


def load_config_text(text: str) -> Config:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(text)
    config = load_config(f.name)
    Path(f.name).unlink()
    return dataclasses.replace(config, source="x")


def _port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_make_demo_serves_the_new_site_on_the_port_asked(tmp_path):
    assert init(tmp_path, *FLAGS, "--yes").exit_code == 0
    site = tmp_path / "site"
    demo = RunningService([], cwd=site, command=["make", "demo", "PORT={port}"])
    try:
        printed = "".join(demo.log)
        assert f"site on http://127.0.0.1:{demo.port}/, admin on " \
               f"http://127.0.0.1:{demo.port}/admin/" in printed
        assert "comments set-password --config ownmedia.toml" in printed
        with urllib.request.urlopen(demo.url + "/en/", timeout=30) as answer:
            page = answer.read().decode()
        assert answer.status == 200 and "Welcome to Carnet d'Ana" in page
        assert f'href="http://127.0.0.1:{demo.port}/theme/css/main.css"' in page
        year = time.strftime("%Y")
        with urllib.request.urlopen(f"{demo.url}/{year}/welcome/print/", timeout=30) as answer:
            assert answer.status == 200 and "Bienvenue" in answer.read().decode()
    finally:
        assert demo.stop() is not None
    deadline = time.monotonic() + 30
    while not _port_closed(demo.port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _port_closed(demo.port), "make's child `ownmedia serve` outlived it"

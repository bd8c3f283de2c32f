"""The wheel: it ships the plugins and the theme under ownmedia's own names, and a site built
from a fresh environment holding only the wheel (no checkout, no PLUGIN_PATHS) works.

No network: the wheel is built with this environment's setuptools, installed with --no-deps,
and the fresh environment reads the dependencies already installed here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import RunningService

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("ownmedia", "plugins", "theme", "setup.py", "pyproject.toml", "README.md")


def run(cmd: list, cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})
    assert done.returncode == 0, f"{cmd}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the build leaves build/ behind)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, src / name)
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", dist, "."], cwd=src)
    (found,) = dist.glob("ownmedia-*.whl")
    return found


@pytest.fixture(scope="module")
def fresh_env(wheel, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel installed and nothing from the checkout."""
    env = tmp_path_factory.mktemp("env") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", env], cwd=env.parent)
    python = env / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", wheel], cwd=env.parent)
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=env.parent).strip())
    # the dependencies: this environment's site-packages, after the wheel's own
    (site / "ownmedia_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


def test_wheel_ships_plugins_and_theme_under_ownmedia(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {n.split("/")[0] for n in names}
    assert tops == {"ownmedia", f"{wheel.name.split('-py3')[0]}.dist-info"}
    for plugin in ("incremental", "comments", "print_view", "share", "cta", "analytics", "seo",
                   "lang_sites", "print_qr", "video"):
        assert f"ownmedia/plugins/{plugin}/__init__.py" in names
    for path in ("templates/base.html", "static/css/main.css"):
        assert f"ownmedia/theme/{path}" in names
    # what the plugins add to any theme: the snippets, the print view and their static files
    for path in ("templates/ownmedia/print.html", "templates/ownmedia/head.html",
                 "templates/ownmedia/video.html", "static/tracker.js", "static/video.js",
                 "static/print-view.css"):
        assert f"ownmedia/{path}" in names
    assert "ownmedia/admin/templates/queue.html" in names
    assert "ownmedia/comments/templates/form_page.html" in names


def test_a_site_builds_from_the_installed_package_alone(fresh_env, tmp_path):
    python = fresh_env / "bin" / "python"
    where = run([python, "-c", "import ownmedia, ownmedia.plugins.seo as seo; "
                 "print(ownmedia.theme_path()); print(seo.__file__)"], cwd=tmp_path).split()
    assert all(Path(p).is_relative_to(fresh_env) for p in where), where
    run([fresh_env / "bin" / "ownmedia", "init", "site", "--yes", "--lang", "en,fr",
         "--name", "Fresh", "--url", "https://fresh.example.org"], cwd=tmp_path)
    site = tmp_path / "site"
    conf = (site / "pelicanconf.py").read_text()
    assert "PLUGIN_PATHS" not in conf and "ownmedia.theme_path()" in conf
    run([fresh_env / "bin" / "ownmedia", "build"], cwd=site)
    out = site / "output"
    (post_file,) = out.glob("20*/welcome/index.html")
    post = post_file.read_text()
    assert 'href="http://127.0.0.1:8000/theme/css/main.css"' in post
    assert (out / "theme" / "css" / "main.css").read_bytes() == \
        (ROOT / "theme" / "static" / "css" / "main.css").read_bytes()
    assert list(out.glob("20*/welcome/print/index.html")), "no print view"
    assert (out / "about" / "index.html").is_file()
    assert (out / "fr" / "about" / "index.html").is_file()
    assert "http://127.0.0.1:8000/fr/about/" in (out / "sitemap.xml").read_text()
    # the service from the wheel: its admin and comment pages have their templates
    service = RunningService(["--config", "ownmedia.toml"], cwd=site,
                             command=[str(fresh_env / "bin" / "ownmedia"), "serve", "--port",
                                      "{port}"])
    try:
        with urllib.request.urlopen(service.url + "/admin/", timeout=30) as answer:
            admin = answer.read().decode()
        assert answer.status == 200 and "<form" in admin
        with urllib.request.urlopen(service.url + "/", timeout=30) as answer:
            assert answer.status == 200 and "Welcome to Fresh" in answer.read().decode()
    finally:
        service.stop()


def test_our_receivers_answer_to_our_names_only():
    from ownmedia.pelican_support import plugin_enabled

    assert plugin_enabled({"PLUGINS": ["ownmedia.plugins.seo"]}, "seo")
    # pelican-seo, listed as "seo", is stringified by Pelican to its module name
    assert not plugin_enabled({"PLUGINS": ["pelican.plugins.seo"]}, "seo")
    assert not plugin_enabled({"PLUGINS": ["seo"]}, "seo")
    assert not plugin_enabled({}, "seo")


def test_namespace_plugins_are_what_pelican_would_auto_load(tmp_path, monkeypatch):
    import pelican.plugins
    from pelican.plugins._utils import get_namespace_plugins

    import ownmedia

    (tmp_path / "someone_elses").mkdir()
    (tmp_path / "someone_elses" / "__init__.py").write_text("def register():\n    pass\n")
    (tmp_path / "not_a_package.py").write_text("")
    monkeypatch.setattr(pelican.plugins, "__path__", [*pelican.plugins.__path__, str(tmp_path)])
    found = ownmedia.namespace_plugins()
    assert "pelican.plugins.someone_elses" in found
    assert set(found) == set(get_namespace_plugins())
    assert not any(name.startswith("ownmedia") for name in found)
    assert ownmedia.PLUGINS[0] == "ownmedia.plugins.incremental"
    folders = {d.name for d in (ROOT / "plugins").iterdir() if (d / "__init__.py").is_file()}
    assert {name.rsplit(".", 1)[1] for name in ownmedia.PLUGINS} == folders  # every one

"""A throw-away copy of the sample site for comment, mention and admin tests: content copied
to tmp (approvals never touch the repo's content/), built with SITEURL "" so pages work on
any loopback port, and a TOML config pointing the service at it."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ownmedia.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
POST = "own-your-channel"          # a sample post (fr, with an en translation)
POST_URL = "/2026/own-your-channel/"


@dataclass
class Site:
    root: Path
    content: Path
    output: Path
    data: Path
    settings: Path
    config_file: Path

    def config(self, **overrides: dict) -> Config:
        return load_config(self.config_file, **overrides)

    def page(self, url: str = POST_URL) -> str:
        return (self.output / url.strip("/") / "index.html").read_text(encoding="utf-8")

    def print_page(self, url: str = POST_URL) -> str:
        return (self.output / url.strip("/") / "print" / "index.html").read_text(encoding="utf-8")


def make_site(tmp: Path, *, build: bool = True, comments_toml: str = "",
              extra_toml: str = "", demo_comments: bool = False, storage_url: str = "") -> Site:
    """A copy of the sample site, with no comments unless `demo_comments` (the repository's
    comment files; then build it yourself: the shared built template has none); its stores
    on `storage_url` ([storage] url; "" = SQLite files in its data directory)."""
    assert not (build and demo_comments), "build_into() a site with the demo's comments"
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("*.md~"))
    if not demo_comments:
        for folder in (content / "comments").glob("*"):  # start from no comments
            shutil.rmtree(folder) if folder.is_dir() else folder.unlink()
    settings = tmp / "testconf.py"
    settings.write_text(
        "import runpy\n"
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "# the repository's settings by path: `from pelicanconf import *` would take whichever\n"
        "# pelicanconf Pelican loaded last in this process (it registers each by that name)\n"
        f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
        ".items() if k.isupper()})\n"
        'SITEURL = ""\n',
        encoding="utf-8",
    )
    output, data = tmp / "output", tmp / "data"
    config_file = tmp / "ownmedia.toml"
    config_file.write_text(
        "[server]\n"
        f"data = {str(data)!r}\n"
        f"site = {str(output)!r}\n"
        "[comments]\n"
        f"content_dir = {str(content)!r}\n"
        f"pelican_settings = {str(settings)!r}\n"
        "min_seconds = 0.0\n" + comments_toml +
        "[mentions]\n"
        "allow_private_addresses = true\n"
        "timeout_seconds = 5.0\n" + extra_toml +
        (f"[storage]\nurl = {storage_url!r}\n" if storage_url else ""),
        encoding="utf-8",
    )
    site = Site(tmp, content, output, data, settings, config_file)
    if build:
        shutil.copytree(_built_template(), output)
    return site


_TEMPLATE: list[Path] = []


def _built_template() -> Path:
    """The sample site built once per test process (from a fresh copy of the content),
    copied for each test: a build takes ~1 s, a copy a few ms."""
    if not _TEMPLATE:
        import atexit
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="ownmedia-site-"))
        atexit.register(shutil.rmtree, root, True)
        site = make_site(root, build=False)
        _TEMPLATE.append(build_into(site))
    return _TEMPLATE[0]


def build_into(site: Site, output: Path | None = None) -> Path:
    from ownmedia.site import build_site

    return build_site(output or site.output, settings_file=site.settings, content=site.content)


def wait_for(predicate, timeout: float = 10.0):
    """Poll an observable condition (a background worker's result) until true, with a
    deadline; returns the predicate's value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")

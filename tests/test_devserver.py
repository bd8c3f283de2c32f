"""`make devserver` (ownmedia/devserver.py) in a real browser: save a post, the open page
reloads by itself with the new text; the built files never carry the reload script."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import httpx
import pytest

from tests.comments.sitekit import ROOT, wait_for
from tests.conftest import free_port
from tests.plugins.conftest import copy_content

pytestmark = pytest.mark.browser


@pytest.fixture
def devserver(tmp_path):
    content = copy_content(tmp_path / "content", ("own-your-channel",))
    settings = tmp_path / "devconf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                        "from pelicanconf import *  # noqa\nSITEURL = ''\n")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ownmedia.devserver", "--port", str(port), "--content",
         str(content), "--output", str(tmp_path / "output"), "--settings", str(settings)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(url + "/", timeout=2).is_success
        except httpx.HTTPError:
            return proc.poll() is not None

    try:
        wait_for(up, timeout=60)
        assert proc.poll() is None, "".join(lines)
        yield url, content, tmp_path / "output", lines
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_saving_a_post_reloads_the_open_page(devserver, browser):
    url, content, output, lines = devserver
    page = browser.new_page()
    page.goto(url + "/2026/own-your-channel/")
    page.wait_for_function("document.readyState === 'complete'")
    assert "Saved just now" not in page.content()
    post = content / "posts" / "own-your-channel.fr.md"
    post.write_text(post.read_text() + "\n\nSaved just now, seen at once.\n")
    page.wait_for_function("document.body.innerText.includes('Saved just now, seen at once.')",
                           timeout=30_000)
    built = (output / "2026" / "own-your-channel" / "index.html").read_text()
    assert "Saved just now, seen at once." in built and "__ownmedia/reload" not in built
    assert any("files rendered" in line for line in lines)
    page.close()

"""pelican-seo and pelican-sitemap (the real packages, test dependencies) registered beside
ownmedia's seo plugin on the foreign-theme fixture site, built for real: what they write is
written once (ours steps back and says so in one line), and what they do not write is ours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ownmedia.plugins.seo.others import left_to_others

ROOT = Path(__file__).resolve().parents[3]

SITEURL = "https://foreign.example.test"
THEIRS = ["pelican.plugins.seo", "pelican.plugins.sitemap"]
ENHANCER = {"SEO_ENHANCER": True, "SEO_ENHANCER_OPEN_GRAPH": True,
            "SEO_ENHANCER_TWITTER_CARDS": True, "SEO_REPORT": False}


BUILD = """
import json, logging, sys
from pathlib import Path
import ownmedia
from tests.plugins.sites.helpers import build_fixture, copy_site
logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s", stream=sys.stdout)
where, overrides = Path(sys.argv[1]), json.loads(sys.argv[2])
if overrides.pop("theirs", False):
    overrides["PLUGINS"] = [*ownmedia.PLUGINS, *THEIRS]
build_fixture(copy_site("foreign", where / "foreign"), where / "out", **overrides)
"""


def build(tmp_path: Path, **overrides) -> tuple[Path, list[str]]:
    """The site built in a process of its own: Pelican's signals are process-wide and the
    other packages' receivers never check whether a later build lists them, so in this
    process they would act on every later test's build. Returns the output and the
    "ownmedia seo:" lines logged."""
    script = f"THEIRS = {THEIRS!r}\n{BUILD}"
    # in tmp_path: pelican-seo writes its report (seo_report.html) in the working directory
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path), json.dumps(overrides)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.removeprefix("ownmedia.build ") for line in done.stdout.splitlines()]
    return tmp_path / "out", [line for line in lines if line.startswith("ownmedia seo:")]


def heads(page: Path) -> dict[str, int]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return {"canonical": len(soup.select('link[rel="canonical"]')),
            "og:title": len(soup.select('meta[property="og:title"]')),
            "og:url": len(soup.select('meta[property="og:url"]')),
            "twitter:card": len(soup.select('meta[name="twitter:card"]')),
            "description": len(soup.select('meta[name="description"]'))}


def test_with_pelican_seo_and_pelican_sitemap_every_tag_is_written_once(tmp_path):
    out, said = build(tmp_path, theirs=True, **ENHANCER)
    for page in ("hello-foreign.html", "second-post.html", "hello-foreign/print/index.html"):
        counts = heads(out / page)
        assert counts["canonical"] == 1, (page, counts)
        assert counts["og:title"] == counts["og:url"] == counts["twitter:card"] == 1, counts
    assert heads(out / "hello-foreign.html")["description"] == 1  # pelican-seo writes none
    canonical = BeautifulSoup((out / "hello-foreign/print/index.html").read_text(),
                              "html.parser").select_one('link[rel="canonical"]')["href"]
    assert canonical == f"{SITEURL}/hello-foreign.html"  # the post's, from pelican-seo
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "xsi:schemaLocation" in sitemap  # pelican-sitemap's, not overwritten by ours
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /*/print/" not in robots  # pelican-seo's robots.txt, left to it
    [line] = said  # one line per build
    assert "pelican-seo writes canonical links, OpenGraph tags, Twitter tags and robots.txt" \
        in line and "pelican-sitemap writes sitemap.xml" in line and "ours leaves them out" in line


def test_what_pelican_seo_is_not_asked_to_write_stays_ours(tmp_path):
    """pelican-seo's enhancer off (its default): nothing of ours steps back for it; a
    pelican-sitemap in text format gets robots.txt's Sitemap line, and ours writes no second
    sitemap."""
    out, said = build(tmp_path, theirs=True, SEO_REPORT=False, SITEMAP={"format": "txt"})
    counts = heads(out / "hello-foreign.html")
    assert counts["canonical"] == counts["og:title"] == counts["twitter:card"] == 1
    assert (out / "sitemap.txt").is_file() and not (out / "sitemap.xml").exists()
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /*/print/" in robots and f"Sitemap: {SITEURL}/sitemap.txt" in robots
    assert said == ["ownmedia seo: pelican-sitemap writes sitemap.txt; ours leaves them out"]


def test_alone_ours_writes_everything_and_says_nothing(tmp_path):
    out, said = build(tmp_path)
    assert not (tmp_path / "seo_report.html").exists()  # pelican-seo did not run
    assert heads(out / "hello-foreign.html") == {"canonical": 1, "og:title": 1, "og:url": 1,
                                                  "twitter:card": 1, "description": 1}
    assert "<urlset xmlns=" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert said == []


@pytest.mark.parametrize(("plugins", "settings", "tags", "files"), [
    (["ownmedia.plugins.seo"], ENHANCER, set(), set()),
    (["pelican.plugins.seo"], {}, set(), set()),
    (["pelican.plugins.seo"], {"SEO_ENHANCER": True}, {"canonical"}, {"robots.txt"}),
    (["pelican.plugins.seo"], {"SEO_ENHANCER": True, "SEO_ENHANCER_TWITTER_CARDS": True},
     {"canonical"}, {"robots.txt"}),  # pelican-seo refuses Twitter tags without OpenGraph
    (["pelican.plugins.sitemap"], {}, set(), {"sitemap.xml"}),
])
def test_what_is_left_follows_the_other_plugins_settings(plugins, settings, tags, files):
    left = left_to_others(plugins, settings)
    assert set(left.tags) == tags and set(left.files) == files

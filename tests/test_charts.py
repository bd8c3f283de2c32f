"""Charts in posts are in the post's language: every chart reference in a post's source and
in its built page names the image of that language, both images of each chart are committed,
and scripts/charts.py draws them from the data (French and English files differ)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from scripts.charts import CHARTS, LANGS, chart_name, draw, number

ROOT = Path(__file__).resolve().parents[1]
NAMES = "|".join(map(re.escape, CHARTS))
CHART_RE = re.compile(rf"images/({NAMES})(\.[a-z]{{2}})?\.png")


def post_lang(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    found = re.search(r"^Lang:\s*(\w+)", text, re.M)
    return found.group(1) if found else path.stem.rsplit(".", 1)[-1]


POSTS = sorted((ROOT / "content" / "posts").glob("*.md"))


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.name)
def test_each_post_shows_the_chart_of_its_language(post):
    lang = post_lang(post)
    refs = CHART_RE.findall(post.read_text(encoding="utf-8"))
    for _, suffix in refs:
        assert suffix == f".{lang}", f"{post.name} ({lang}): a chart in {suffix or 'no'} language"


def test_some_posts_have_charts_in_both_languages():
    langs = {post_lang(p) for p in POSTS if CHART_RE.search(p.read_text(encoding="utf-8"))}
    assert langs == set(LANGS)


def test_built_pages_use_the_chart_of_their_language(built_site):
    fr = (built_site / "2026/own-your-channel/index.html").read_text(encoding="utf-8")
    en = (built_site / "en/2026/own-your-channel/index.html").read_text(encoding="utf-8")
    assert "/images/audience-growth.fr.png" in fr and "audience-growth.en.png" not in fr
    assert "/images/audience-growth.en.png" in en and "audience-growth.fr.png" not in en


@pytest.mark.parametrize("chart", CHARTS)
def test_both_images_are_committed(chart):
    for lang in LANGS:
        data = (ROOT / "content" / "images" / chart_name(chart, lang)).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_script_draws_each_language(tmp_path):
    paths = [draw("audience-growth", lang, tmp_path) for lang in LANGS]
    sizes = [struct.unpack(">II", p.read_bytes()[16:24]) for p in paths]
    assert sizes == [(800, 420), (800, 420)]
    assert paths[0].read_bytes() != paths[1].read_bytes()
    assert number(1310, "fr") == "1\u202f310" and number(1310, "en") == "1,310"
    assert number(0.42, "fr", 2) == "0,42" and number(0.42, "en", 2) == "0.42"

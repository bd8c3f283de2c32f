from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from ownmedia.plugins.comments import attach_comments, build_tree

from ownmedia.comment_format import Comment
from tests.plugins.conftest import build

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def c(cid: str, minutes: int, reply_to: str | None = None, post: str = "p") -> Comment:
    return Comment(
        id=cid,
        post=post,
        author=cid.upper(),
        date=T0 + timedelta(minutes=minutes),
        body=f"body {cid}",
        reply_to=reply_to,
    )


def shape(nodes):
    return [(n.comment.id, shape(n.children)) for n in nodes]


def test_tree_threads_replies_oldest_first():
    comments = [c("b", 2), c("a", 1), c("a2", 5, "a"), c("a1", 3, "a"), c("a1x", 4, "a1")]
    assert shape(build_tree(comments)) == [
        ("a", [("a1", [("a1x", [])]), ("a2", [])]),
        ("b", []),
    ]


def test_tree_keeps_orphans_and_breaks_cycles():
    comments = [c("x", 1, "gone"), c("y", 2, "z"), c("z", 3, "y"), c("s", 4, "s")]
    tree = build_tree(comments)
    ids = [n.comment.id for n in tree]

    # nothing is lost: every comment appears exactly once
    def walk(nodes):
        for n in nodes:
            yield n.comment.id
            yield from walk(n.children)

    assert sorted(walk(tree)) == ["s", "x", "y", "z"]
    assert "x" in ids and "s" in ids


def test_nodes_unpack_as_pairs():
    ((comment, children),) = build_tree([c("a", 1)])
    assert comment.id == "a" and children == []


class FakeArticle:
    def __init__(self, slug):
        self.slug = slug


def test_attach_sets_counts_and_rejects_unknown_post(tmp_path):
    a, b = FakeArticle("p"), FakeArticle("q")
    attach_comments([a, b], {"p": [c("a", 1), c("b", 2, "a")]}, tmp_path)
    assert a.comment_count == 2 and [x.id for x in a.comments] == ["a", "b"]
    assert b.comment_count == 0 and b.comment_tree == []
    with pytest.raises(Exception, match=r"nope/a\.md: field 'post': no post has the slug"):
        attach_comments([a], {"nope": [c("a", 1, post="nope")]}, tmp_path)


HOSTILE = """id: evil-1
post: own-your-channel
author: <script>alert(1)</script>Mallory
date: 2026-09-12T10:00:00+00:00
website: https://mallory.example/"onmouseover="alert(2)
type: comment

Hello <script>alert(3)</script> <img src=x onerror="alert(4)">
[click](javascript:alert(5)) <a href="https://ok.example" onclick="alert(6)">ok</a>
<iframe src="https://evil.example"></iframe>
"""


def test_sanitising_in_built_page(small_content, tmp_path):
    content = small_content()
    (content / "comments" / "own-your-channel" / "evil-1.md").write_text(HOSTILE)
    out = build(content, tmp_path / "out")
    html = (out / "2026/own-your-channel/index.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    node = soup.find(id="comment-evil-1")
    assert node is not None
    text = str(node)
    assert "<script" not in text and "<iframe" not in text and "<img" not in text
    assert "javascript:" not in text
    for tag in node.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
    author = node.find(class_="comment-author")
    assert "<script>" in author.get_text()  # shown as text, escaped
    ok = node.find("a", string="ok")
    assert ok["href"] == "https://ok.example" and set(ok["rel"]) == {"nofollow", "ugc"}
    # the print view carries the same sanitised comment
    printed = BeautifulSoup(
        (out / "2026/own-your-channel/print/index.html").read_text(), "html.parser"
    ).find(id="comment-evil-1")
    assert printed is not None
    assert not printed.find_all(["script", "iframe", "img"])
    assert "javascript:" not in str(printed)


def test_threading_in_built_page(built_site):
    soup = BeautifulSoup(
        (built_site / "2026/own-your-channel/index.html").read_text(), "html.parser"
    )
    parent = soup.find(id="comment-20260909-081500-a1b2")
    reply = soup.find(id="comment-20260909-120300-c3d4")
    assert reply in parent.find_all("li")  # nested under its parent
    ids = [li["id"] for li in soup.select("section.comments > ol > li")]
    assert ids == sorted(ids, key=lambda i: i.split("-")[1:3])  # oldest first
    link = parent.find("a", class_="reply-link")
    assert link["data-reply-to"] == "20260909-081500-a1b2"
    assert link["href"] == "?reply_to=20260909-081500-a1b2#comment-form"
    assert soup.find(class_="comment-pingback") is not None
    # counts on index pages
    counts = {}
    for page in [built_site / "index.html", *built_site.glob("page/*/index.html")]:
        index = BeautifulSoup(page.read_text(), "html.parser")
        for a in index.select("a.comment-count"):
            counts[a["href"]] = a.get_text(strip=True)
    assert counts["http://127.0.0.1:8000/2026/own-your-channel/#comments"] == "4 commentaires"


def test_comments_feed_lists_comments(built_site):
    import feedparser

    feed = feedparser.parse((built_site / "2026/own-your-channel/comments.atom.xml").read_text())
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == 4
    assert feed.entries[0].link.endswith("#comment-20260909-081500-a1b2")


@pytest.mark.parametrize(
    ("name", "text", "field"),
    [
        (
            "bad-date.md",
            "id: bad-date\npost: own-your-channel\nauthor: A\ndate: yesterday\ntype: comment\n\nHi",
            "date",
        ),
        (
            "no-author.md",
            "id: no-author\npost: own-your-channel\ndate: 2026-09-12T10:00:00+00:00\n"
            "type: comment\n\nHi",
            "author",
        ),
        (
            "bad-type.md",
            "id: bad-type\npost: own-your-channel\nauthor: A\n"
            "date: 2026-09-12T10:00:00+00:00\ntype: carrier-pigeon\n\nHi",
            "type",
        ),
    ],
)
def test_bad_comment_file_stops_build_naming_file_and_field(
    small_content, tmp_path, name, text, field
):
    content = small_content()
    (content / "comments" / "own-your-channel" / name).write_text(text)
    with pytest.raises(Exception, match=rf"{name}: field '{field}'") as info:
        build(content, tmp_path / "out")
    assert getattr(info.value, "ownmedia_build_error", False)


def test_comment_for_missing_post_stops_build(small_content, tmp_path):
    content = small_content()
    folder = content / "comments" / "no-such-post"
    folder.mkdir()
    (folder / "x1.md").write_text(
        "id: x1\npost: no-such-post\nauthor: A\n"
        "date: 2026-09-12T10:00:00+00:00\ntype: comment\n\nHi"
    )
    with pytest.raises(Exception, match=r"no-such-post/x1\.md: field 'post': no post"):
        build(content, tmp_path / "out")


def test_cli_error_has_no_traceback(small_content, tmp_path):
    import subprocess
    import sys

    from tests.plugins.conftest import ROOT

    content = small_content()
    (content / "comments" / "own-your-channel" / "bad.md").write_text(
        "id: bad\npost: own-your-channel\nauthor: A\ndate: nope\ntype: comment\n\nHi"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(content),
            "-o",
            str(tmp_path / "out"),
            "-s",
            str(ROOT / "pelicanconf.py"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"COLUMNS": "300", "PATH": "/usr/bin:/bin"},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "bad.md: field 'date'" in " ".join(output.split())
    assert "Traceback" not in output


@pytest.mark.parametrize(
    "text",
    [
        "Hi *there*",
        HOSTILE.split("\n\n", 1)[1],
        "```\ncode <b>\n```\n\n1. a\n2. b\n\n> quote [x](https://x.example 'T')",
        "<h1>big</h1> <style>p{}</style> <a href='mailto:a@b.example'>m</a> & < >",
    ],
)
def test_fast_body_html_matches_the_format_module(text):
    from ownmedia.plugins.comments import render_body as body_html

    from ownmedia.comment_format import render_body_html

    assert body_html(text) == render_body_html(text)
    assert body_html(text) == render_body_html(text)  # the reused parser is reset

from datetime import UTC, datetime

import pytest

from ownmedia.comment_format import (
    Comment,
    CommentFormatError,
    parse_comment,
    read_comments_dir,
    render_body_html,
    write_comment_file,
)


def make(**kw):
    base = dict(id="c1", post="hello", author="Ana", date=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
                body="Hi *there*")
    base.update(kw)
    return Comment(**base)


def test_round_trip(tmp_path):
    c = make(website="https://ana.example", reply_to="c0")
    path = write_comment_file(tmp_path, c)
    assert path == tmp_path / "hello" / "c1.md"
    assert read_comments_dir(tmp_path) == {"hello": [c]}


def test_missing_field_names_file_and_field(tmp_path):
    with pytest.raises(CommentFormatError, match=r"x\.md: field 'author': missing"):
        parse_comment("id: c1\npost: hello\ndate: 2026-01-01T00:00:00+00:00\ntype: comment\n\nb",
                      "x.md")


def test_mention_needs_source():
    with pytest.raises(CommentFormatError, match="source"):
        parse_comment("id: c1\npost: p\nauthor: a\ndate: 2026-01-01T00:00:00+00:00\n"
                      "type: pingback\n\nbody")


def test_sanitiser_removes_script_and_javascript_urls():
    html = render_body_html(
        '<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)> '
        "[ok](https://a.example)"
    )
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert 'rel="nofollow ugc"' in html

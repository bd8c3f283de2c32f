"""Reading exports: any WXR version's namespaces, dates with the blog's offset, and refusal of
DTDs and entities (the parser is defusedxml)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownmedia.importers.wxr import WXRError, parse_wxr
from tests.importers.kit import SMALL


def test_reads_items_comments_authors_and_terms():
    export = parse_wxr(SMALL)
    assert export.version == "1.2"
    assert export.authors == {"alice": "Alice Martin"}
    by_id = {i.id: i for i in export.items}
    post = by_id["10"]
    assert (post.type, post.status, post.name) == ("post", "publish",
                                                   "caf%c3%a9-license%e2%80%91compatible")
    assert post.categories == ["Notes"] and post.tags == ["licences", "café"]
    assert post.meta["_thumbnail_id"] == "30"
    assert [c.id for c in post.comments] == ["100", "101", "102", "103", "104", "105", "106",
                                             "107"]
    kinds = {c.id: (c.type, c.approved) for c in post.comments}
    assert kinds["105"] == ("pingback", "1") and kinds["106"] == ("trackback", "1")
    assert kinds["100"] == ("comment", "1") and kinds["103"] == ("comment", "spam")
    assert by_id["30"].attachment_url.endswith("/2020/05/photo.jpg")


def test_dates_keep_the_blogs_offset_and_drafts_are_naive():
    by_id = {i.id: i for i in parse_wxr(SMALL).items}
    assert by_id["10"].date.utcoffset() == timedelta(hours=2)
    assert by_id["10"].date.isoformat() == "2020-05-14T10:30:00+02:00"
    assert by_id["11"].date.tzinfo is None  # draft: no UTC date in the export


@pytest.mark.parametrize("uri", [
    "http://wordpress.org/export/1.0/",
    "http://wordpress.org/export/1.1/",
    "https://wordpress.org/export/1.2/",
])
def test_every_wxr_namespace_version(tmp_path, uri):
    text = SMALL.read_text(encoding="utf-8").replace("http://wordpress.org/export/1.2/", uri)
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    export = parse_wxr(path)
    assert len(export.items) == 8
    assert sum(len(i.comments) for i in export.items) == 9


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss><channel><title>&lol2;</title></channel></rss>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><title>&secret;</title></channel></rss>"""

DTD_ONLY = """<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://attacker.example/x.dtd">
<rss><channel><title>t</title></channel></rss>"""


@pytest.mark.parametrize("text", [BOMB, EXTERNAL, DTD_ONLY], ids=["bomb", "external", "dtd"])
def test_entities_and_dtds_are_refused(tmp_path, text):
    path = tmp_path / "evil.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WXRError, match="refused"):
        parse_wxr(path)


@pytest.mark.parametrize("text, message", [
    ("<rss><channel><title>x</title>", "not well-formed"),
    ("<html><body/></html>", "not a WordPress export"),
    ("<rss><channel><title>feed</title><item><title>a</title></item></channel></rss>",
     "an RSS feed"),
])
def test_not_an_export(tmp_path, text, message):
    path = tmp_path / "x.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WXRError, match=message):
        parse_wxr(path)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_an_export_or_one_clear_error(tmp_path, data):
    path = tmp_path / "fuzz.xml"
    path.write_bytes(b"<rss><channel><wp:x xmlns:wp='http://wordpress.org/export/1.2/'/>" + data)
    try:
        parse_wxr(path)
    except WXRError as exc:
        assert str(exc).startswith(str(path))

"""What counts as a mention, and what a mention shows (W3C Webmention 3.2, webmention.rocks
receiver cases), against source pages served on loopback and the page the service renders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ownmedia.storage import open_backend
from tests.comments.sitekit import wait_for
from tests.mentions.test_queue import mention
from tests.mentions.test_receive import TARGET, source_html


def queue_empty(site) -> bool:
    backend = open_backend(data_dir=site.data)
    try:
        return not backend.mention_queue.jobs()
    finally:
        backend.close()


def send(svc, source: str) -> None:
    assert svc.post("/api/webmention", data={"source": source, "target": TARGET}) \
        .status_code == 202


@pytest.mark.parametrize("text, counts", [
    (f"I liked {TARGET} a lot", True),
    (f"see {TARGET}.", True),
    (f"({TARGET})", True),
    (f"{TARGET}other-post/", False),
    (f"{TARGET}?page=2", False),
    (f"{TARGET}#comments", False),
    (TARGET.rstrip("/"), False),
    ("nothing here", False),
])
def test_plain_text_source_needs_the_exact_url(make_service, text, counts):
    svc = make_service()
    source = svc.pages.set("/note.txt", text, headers={"Content-Type": "text/plain"})
    send(svc, source)
    wait_for(lambda: queue_empty(svc.site))
    assert (mention(svc.site, source) is not None) is counts


def test_link_only_inside_textarea_does_not_count(make_service):
    svc = make_service()
    page = (f'<html><body><p>Copy this: <textarea><a href="{TARGET}">x</a></textarea></p>'
            "</body></html>")
    source = svc.pages.set("/textarea", page)
    send(svc, source)
    wait_for(lambda: queue_empty(svc.site))
    assert mention(svc.site, source) is None


def test_404_is_not_a_deletion_but_410_and_unlinking_are(make_service):
    svc = make_service()
    source = svc.pages.set("/post", source_html())
    send(svc, source)
    first = wait_for(lambda: mention(svc.site, source))
    svc.pages.set("/post", "not found", status=404)
    send(svc, source)
    wait_for(lambda: queue_empty(svc.site))
    assert mention(svc.site, source).id == first.id  # kept
    svc.pages.set("/post", source_html(target="https://elsewhere.example/"))
    send(svc, source)
    wait_for(lambda: mention(svc.site, source) is None)  # a 200 that no longer links
    svc.pages.set("/post", source_html())
    send(svc, source)
    wait_for(lambda: mention(svc.site, source))
    svc.pages.set("/post", "gone", status=410)
    send(svc, source)
    wait_for(lambda: mention(svc.site, source) is None)
    svc.pages.set("/post", source_html())
    send(svc, source)
    wait_for(lambda: mention(svc.site, source))
    tombstone = source_html().replace("<head>", '<head><meta http-equiv="Status" '
                                                'content="410 Gone">')
    svc.pages.set("/post", tombstone)  # a static host's deletion, still showing the link
    send(svc, source)
    wait_for(lambda: mention(svc.site, source) is None)


HOSTILE = ("<b>bold</b> **stars** [click](https://evil.example/) &copy; `code` "
           "<https://auto.example/> ![img](https://evil.example/x.png)")


def test_source_text_is_shown_as_text_with_its_published_date(make_service):
    svc = make_service()
    page = source_html(text="&lt;b&gt;bold&lt;/b&gt; **stars** [click](https://evil.example/)"
                            " &amp;copy; `code` &lt;https://auto.example/&gt;"
                            " ![img](https://evil.example/x.png)")
    page = page.replace('<h1 class="p-name">Their post</h1>',
                        '<h1 class="p-name">Their **post** [t](https://t.example/)</h1>'
                        '<time class="dt-published" datetime="2025-03-04T05:06:07+02:00">'
                        "4 March</time>")
    source = svc.pages.set("/hostile", page)
    send(svc, source)
    row = wait_for(lambda: mention(svc.site, source))
    assert datetime.fromtimestamp(row.created, UTC) == datetime(2025, 3, 4, 3, 6, 7, tzinfo=UTC)
    svc.runtime.moderator.approve([row.id])
    html = wait_for(lambda: (lambda p: p if f'id="comment-{row.id}"' in p else "")(
        svc.site.page()))
    block = html[html.index(f'id="comment-{row.id}"'):]
    block = block[:block.index("</li>")]
    body = block[block.index('class="comment-body"'):]
    assert 'class="reply-link"' not in block  # a mention gets no Reply link
    assert "href=" not in body and "<img" not in body and "<b>" not in body
    assert "<code>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body
    assert "**stars**" in body and "[click](https://evil.example/)" in body
    assert "&amp;copy;" in body and "`code`" in body
    assert "<strong>Their **post** [t](https://t.example/)</strong>" in body
    assert 'datetime="2025-03-04T03:06:07+00:00"' in block


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
       b"\x9a\xa0\xb1\x00\x00\x00\x00IEND\xaeB`\x82")


def with_photo(photo_url: str) -> str:
    return source_html().replace(
        '<a class="p-author h-card" href="https://carol.example/">Carol Writer</a>',
        f'<a class="p-author h-card" href="https://carol.example/"><img class="u-photo" '
        f'src="{photo_url}" alt="">Carol Writer</a>')


def test_author_photo_is_shown_from_our_copy_only(make_service):
    svc = make_service()
    photo_url = svc.pages.set("/me.png", PNG, headers={"Content-Type": "image/png"})
    source = svc.pages.set("/with-photo", with_photo(photo_url))
    send(svc, source)
    row = wait_for(lambda: mention(svc.site, source))
    assert row.photo.startswith("/images/mentions/") and row.photo.endswith(".png")
    assert (svc.site.content / row.photo.lstrip("/")).read_bytes() == PNG  # kept by builds
    svc.runtime.moderator.approve([row.id])
    page = wait_for(lambda: (lambda p: p if f'id="comment-{row.id}"' in p else "")(
        svc.site.page()))
    assert f'<img class="comment-photo u-photo" src="{row.photo}"' in page
    assert svc.pages.url not in page.replace(source, "")  # nothing else from their site
    served = svc.get(row.photo)
    assert served.status_code == 200 and served.content == PNG


@pytest.mark.parametrize("body, content_type", [
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    (b"<html>not an image</html>", "image/png"),
    (PNG + b"\x00" * 300_000, "image/png"),  # too large
])
def test_author_photo_that_is_not_a_small_image_is_not_kept(make_service, body, content_type):
    svc = make_service()
    photo_url = svc.pages.set("/me", body, headers={"Content-Type": content_type})
    source = svc.pages.set("/with-photo", with_photo(photo_url))
    send(svc, source)
    row = wait_for(lambda: mention(svc.site, source))
    assert row.photo == "" and row.author == "Carol Writer"
    assert not (svc.site.content / "images" / "mentions").exists()

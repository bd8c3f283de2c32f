"""ownmedia.post_image: the one image of a post (og:image, Pin It, listings)."""

from __future__ import annotations

from types import SimpleNamespace

from ownmedia.post_image import first_content_image, post_image_url

SETTINGS = {"SITEURL": "https://blog.example"}


def test_order_image_cover_content_default():
    body = '<p>x</p><img alt="a" src="/images/in-body.png"><img src="/images/second.png">'
    both = SimpleNamespace(image="images/meta.png", cover="images/cover.png", content=body)
    assert post_image_url(both, SETTINGS) == "https://blog.example/images/meta.png"
    cover = SimpleNamespace(cover="https://cdn.example/c.jpg", content=body)
    assert post_image_url(cover, SETTINGS) == "https://cdn.example/c.jpg"
    assert post_image_url(SimpleNamespace(content=body), SETTINGS) == (
        "https://blog.example/images/in-body.png")
    none = SimpleNamespace(content="<p>no picture</p>")
    assert post_image_url(none, SETTINGS) is None
    assert post_image_url(none, {**SETTINGS, "SHARE_DEFAULT_IMAGE": "images/site.png"}) == (
        "https://blog.example/images/site.png")


def test_first_content_image_reads_either_quote():
    assert first_content_image("<IMG class=x SRC='a.png'>") == "a.png"
    assert first_content_image('<img data-src="no.png">') is None
    assert first_content_image("") is None

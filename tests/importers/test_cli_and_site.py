"""End to end: `ownmedia import wordpress` into a copy of the sample site, a full Pelican build,
and `ownmedia serve` answering the old URLs with redirects."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.comment_format import Comment
from tests.comments.sitekit import build_into, make_site, wait_for
from tests.importers.kit import PAGE_SLUG, POST_SLUG, SMALL, make_uploads


def _import(site, *extra: str) -> dict:
    uploads = site.root / "uploads"
    if not uploads.exists():
        make_uploads(site.root)
    result = CliRunner().invoke(main, [
        "import", "wordpress", str(SMALL), "--settings", str(site.settings),
        "--content", str(site.content), "--data", str(site.data), "--uploads", str(uploads),
        "--json", *extra,
    ])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_help_in_both_languages():
    result = CliRunner().invoke(main, ["import", "wordpress", "--help"])
    assert result.exit_code == 0
    assert "Import a WordPress export" in result.output
    assert "importer un export WordPress" in result.output
    for option in ("--content", "--uploads", "--format", "--keep-emails", "--spam", "--json"):
        assert option in result.output


def test_cli_refuses_a_dtd_with_one_line(tmp_path):
    evil = tmp_path / "evil.xml"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><rss>&a;</rss>')
    result = CliRunner().invoke(main, ["import", "wordpress", str(evil), "--content",
                                       str(tmp_path / "c"), "--data", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "refused" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "c").exists()


def test_cli_summary_table(tmp_path):
    site = make_site(tmp_path, build=False)
    make_uploads(tmp_path)
    result = CliRunner().invoke(main, [
        "import", "wordpress", str(SMALL), "--settings", str(site.settings),
        "--content", str(site.content), "--data", str(site.data),
        "--uploads", str(tmp_path / "uploads")])
    assert result.exit_code == 0, result.output
    for text in ("WordPress import", "published", "stored as pending", "pingbacks in the",
                 "trackbacks in", "spam: 1", "trash: 1", "in WordPress's trash", "redirects"):
        assert text in result.output


def test_import_build_and_serve(tmp_path, start_service):
    site = make_site(tmp_path, build=False)
    summary = _import(site)
    assert summary["comment_outcomes"] == {"published": 6, "stored as pending": 1}
    assert summary["items"]["post"] == {"draft": 2, "published": 1}
    build_into(site)
    html = site.page(f"/2020/{POST_SLUG}/")
    assert "Café &amp; licence compatible" in html
    for cid in ("20200514-100000-wp100", "20200514-110000-wp101", "20200518-080000-wp106"):
        assert f'id="comment-{cid}"' in html
    assert "Oui, mise à jour hier." in html and "Waiting for moderation" not in html
    assert 'class="comment comment-trackback"' in html and "Rétrolien depuis" in html
    assert "Cheap pills" not in html
    assert (site.output / "images" / "wordpress" / "2020" / "05" / "photo.jpg").is_file()
    assert "/images/wordpress/2020/05/photo-300x200.jpg" in html
    assert (site.output / "redirects.json").is_file()
    assert not (site.output / "2020" / "brouillon-a-finir").exists()  # a draft stays a draft
    assert not (site.output / "2020" / "membres").exists()  # so does a password-protected post

    # a second import then a rebuild: still one copy of every comment
    again = _import(site)
    assert again["comment_outcomes"] == {"already imported": 7}
    build_into(site)
    assert site.page(f"/2020/{POST_SLUG}/").count('id="comment-20200514-100000-wp100"') == 1

    svc = start_service("--config", site.config_file)
    with httpx.Client(base_url=svc.url, follow_redirects=False, timeout=10) as client:
        for old in ("/blog/?p=10", "/blog/?p=10&utm_source=x",
                    "/blog/2020/05/14/caf%c3%a9-license%e2%80%91compatible/",
                    "/blog/2020/05/caf%C3%A9-license%E2%80%91compatible"):
            answer = client.get(old)
            assert answer.status_code == 301, old
            assert answer.headers["location"] == f"/2020/{POST_SLUG}/"
        assert client.get("/blog/?page_id=20").headers["location"] == f"/{PAGE_SLUG}/"
        photo = client.get("/blog/wp-content/uploads/2020/05/photo.jpg")
        assert photo.headers["location"] == "/images/wordpress/2020/05/photo.jpg"
        assert client.get(photo.headers["location"]).content == b"\xff\xd8 full size"
        assert client.get("/blog/?p=11").status_code == 404  # the draft has no public URL
        page = client.get(f"/2020/{POST_SLUG}/")
        assert page.status_code == 200 and "Sophie" in page.text
        # the pending comment is in the moderation queue of the running service's store
        listing = CliRunner().invoke(main, ["comments", "list", "--status", "pending",
                                            "--config", str(site.config_file)])
        assert "Tom" in listing.output
        # approved like any other: a comment file, and the running service re-renders the post
        approved = CliRunner().invoke(main, ["comments", "approve", "20200515-070000-wp102",
                                             "--config", str(site.config_file)])
        assert approved.exit_code == 0, approved.output
        assert (site.content / "comments" / POST_SLUG / "20200515-070000-wp102.md").is_file()
        wait_for(lambda: "Waiting for moderation" in client.get(f"/2020/{POST_SLUG}/").text)


def test_page_comments_are_attached_to_the_page():
    """The build side of comments on pages (plugins/comments on_pages)."""
    import ownmedia.plugins.comments as plugin

    settings = {"PLUGINS": ["ownmedia.plugins.comments"], "PATH": "/nowhere"}
    comment = Comment(id="c1", post="about", author="A", date=datetime(2020, 1, 1, tzinfo=UTC),
                      body="hi")
    article = SimpleNamespace(slug="post")
    context = {plugin.FOR_PAGES: plugin.attach_comments(
        [article], {"about": [comment]}, plugin.comments_dir(settings), defer_unknown=True)}
    page = SimpleNamespace(slug="about")
    plugin.on_pages(SimpleNamespace(settings=settings, pages=[page], translations=[],
                                    context=context))
    assert page.comments == [comment] and page.comment_count == 1
    assert article.comment_count == 0
    assert plugin.FOR_PAGES not in context  # handed over once, for this build only

    context = {plugin.FOR_PAGES: {"gone": [comment]}}
    with pytest.raises(plugin.CommentsBuildError, match="no post has the slug 'gone'"):
        plugin.on_pages(SimpleNamespace(settings=settings, pages=[page], translations=[],
                                        context=context))


def test_html_format_builds(tmp_path):
    site = make_site(tmp_path, build=False)
    _import(site, "--format", "html")
    assert (site.content / "posts" / f"{POST_SLUG}.html").is_file()
    build_into(site)
    html = site.page(f"/2020/{POST_SLUG}/")
    assert "<strong>du gras</strong>" in html and "Alice Martin" in html
    assert 'id="comment-20200514-100000-wp100"' in html
    assert (site.output / "category" / "notes" / "index.html").is_file()

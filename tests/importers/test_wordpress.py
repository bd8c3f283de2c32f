"""The import of the hand-written export: what lands where, what is kept out, and a second run
that adds nothing."""

from __future__ import annotations

import json

from ownmedia.comment_format import read_comments_dir
from ownmedia.comments.store import Store
from ownmedia.importers.redirects import read_redirects
from tests.importers.kit import PAGE_SLUG, POST_SLUG, SMALL, run_import, settings


def _meta(path):
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return dict(line.split(": ", 1) for line in head.splitlines())


def _tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_posts_pages_and_drafts(tmp_path):
    summary = run_import(tmp_path)
    content = tmp_path / "content"
    post = _meta(content / "posts" / f"{POST_SLUG}.md")
    assert post["Title"] == "Café & licence compatible"
    assert post["Slug"] == POST_SLUG
    assert post["Date"] == "2020-05-14T10:30:00+02:00"
    assert post["Modified"] == "2020-06-01T09:00:00+02:00"
    assert post["Category"] == "Notes" and post["Tags"] == "licences, café"
    assert post["Author"] == "Alice Martin"  # the display name, not the login
    assert post["Summary"] == "Un café, une licence."
    assert "Status" not in post
    draft = _meta(content / "posts" / "brouillon-a-finir.md")
    assert draft["Status"] == "draft"
    assert draft["Date"] == "2020-06-02T18:00:00+02:00"  # site time zone (Europe/Paris)
    page = _meta(content / "pages" / f"{PAGE_SLUG}.md")
    assert page["Title"] == "Qui sommes-nous" and "Category" not in page
    assert not list(content.rglob("supprime*"))  # WordPress's trash stays out
    assert summary.items[("post", "published")] == 1
    assert summary.items[("post", "draft")] == 2
    members = _meta(content / "posts" / "membres.md")  # password-protected: not published
    assert members["Status"] == "draft"
    assert summary.skipped[("password-protected posts", "imported as drafts, not published")] == 1
    assert summary.items[("page", "published")] == 1
    assert summary.skipped[("posts", "in WordPress's trash")] == 1
    assert summary.skipped[("nav_menu_item items", "not a post or page")] == 1


def test_wpautop_and_markdown_body(tmp_path):
    run_import(tmp_path)
    body = (tmp_path / "content" / "posts" / f"{POST_SLUG}.md").read_text().split("\n\n", 1)[1]
    assert "Premier paragraphe, avec **du gras**.\n\nDeuxième paragraphe." in body
    assert "<p>" not in body


def test_uploads_copied_and_links_rewritten(tmp_path):
    summary = run_import(tmp_path)
    content = tmp_path / "content"
    copied = content / "images" / "wordpress" / "2020" / "05"
    assert (copied / "photo.jpg").read_bytes() == b"\xff\xd8 full size"
    assert (copied / "photo-300x200.jpg").read_bytes() == b"\xff\xd8 thumb"
    text = (content / "posts" / f"{POST_SLUG}.md").read_text()
    assert "({static}/images/wordpress/2020/05/photo-300x200.jpg)" in text
    assert "({static}/images/wordpress/2020/05/photo.jpg)" in text
    assert "[PDF]({static}/images/wordpress/2020/05/programme.pdf)" in text  # a root-relative link
    # a file missing from --uploads keeps its old link, and is counted
    assert "http://old.example/blog/wp-content/uploads/2020/05/absent.pdf" in text
    assert summary.attachments["missing"] == 1 and summary.attachments["copied"] == 3
    assert (copied / "programme.pdf").read_bytes() == b"%PDF-1.4 programme"  # linked nowhere
    post = _meta(content / "posts" / f"{POST_SLUG}.md")
    assert post["Image"] == "images/wordpress/2020/05/photo.jpg"
    assert post["Image_alt"] == "Une tasse de café"


def test_without_uploads_links_are_left_alone(tmp_path):
    summary = run_import(tmp_path, uploads=False)
    text = (tmp_path / "content" / "posts" / f"{POST_SLUG}.md").read_text()
    assert "{static}" not in text and "Image:" not in text
    assert summary.links_rewritten == 0


def test_the_conversation(tmp_path):
    summary = run_import(tmp_path)
    files = read_comments_dir(tmp_path / "content" / "comments")
    post = {c.id.rsplit("-wp", 1)[1]: c for c in files[POST_SLUG]}
    assert sorted(post) == ["100", "101", "105", "106", "107"]  # approved only
    assert [c.author for c in files[PAGE_SLUG]] == ["Léa"]  # a page's comment
    assert post["100"].website is None  # WordPress's "http://" placeholder
    assert post["100"].body.startswith("Merci !")
    assert "[cette page](https://example.org/doc)" in post["100"].body
    assert post["101"].reply_to == post["100"].id  # threading through comment_parent
    assert post["101"].website == "http://www.alice.example"
    assert post["107"].reply_to is None  # its parent is still pending: shown at top level
    assert (post["105"].type, post["105"].source) == (
        "pingback", "https://other.example/2020/05/lectures/")
    assert post["105"].author == "Un autre carnet » Lectures"
    assert (post["106"].type, post["106"].source) == ("trackback", "http://tb.example/entry/42")
    assert post["100"].date.isoformat() == "2020-05-14T12:00:00+02:00"
    store = Store(tmp_path / "data")
    try:
        pending = store.list(status="pending")
        assert [(c.author, c.post) for c in pending] == [("Tom", POST_SLUG)]
        assert store.counts() == {"pending": 1, "approved": 6, "spam": 0, "rejected": 0}
        assert all(c.email == "" for c in store.list(limit=100))  # not kept by default
        assert store.get(post["105"].id).target == "/2020/cafe-license-compatible/"
    finally:
        store.close()
    assert summary.comments[("comment", "spam")] == 1
    assert summary.comments[("comment", "trash")] == 1
    assert summary.comments[("pingback", "approved")] == 1
    assert summary.comments[("trackback", "approved")] == 1
    assert summary.comment_outcomes == {"published": 6, "stored as pending": 1}


def test_emails_kept_on_request_and_never_in_files(tmp_path):
    run_import(tmp_path, keep_emails=True)
    store = Store(tmp_path / "data")
    try:
        emails = {c.author: c.email for c in store.list(limit=100)}
    finally:
        store.close()
    assert emails["Tom"] == "tom@mail.example" and emails["Sophie"] == "sophie@mail.example"
    for path in (tmp_path / "content" / "comments").rglob("*.md"):
        assert "@mail.example" not in path.read_text()


def test_spam_and_trash_imported_unpublished_on_request(tmp_path):
    summary = run_import(tmp_path, spam="import")
    store = Store(tmp_path / "data")
    try:
        counts = store.counts()
        spam = store.list(status="spam")
    finally:
        store.close()
    assert counts == {"pending": 1, "approved": 6, "spam": 1, "rejected": 1}
    assert [c.author for c in spam] == ["Cheap pills"]
    assert summary.comment_outcomes["stored as spam"] == 1
    files = read_comments_dir(tmp_path / "content" / "comments")
    assert "Cheap pills" not in {c.author for cs in files.values() for c in cs}


def test_second_run_adds_nothing(tmp_path):
    run_import(tmp_path)
    content = tmp_path / "content"
    before = {p: (content / p).read_bytes() for p in _tree(content)}
    second = run_import(tmp_path)
    after = {p: (content / p).read_bytes() for p in _tree(content)}
    assert before == after
    store = Store(tmp_path / "data")
    try:
        assert store.counts() == {"pending": 1, "approved": 6, "spam": 0, "rejected": 0}
    finally:
        store.close()
    assert second.comment_outcomes == {"already imported": 7}
    assert second.items[("post", "already imported")] == 3
    assert second.items[("page", "already imported")] == 1


def test_an_owners_file_with_the_same_slug_is_never_overwritten(tmp_path):
    mine = tmp_path / "content" / "pages" / f"{PAGE_SLUG}.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("Title: Mine\n\nMy own page.\n")
    summary = run_import(tmp_path)
    assert mine.read_text() == "Title: Mine\n\nMy own page.\n"
    assert summary.items[("page", "skipped")] == 1


def test_html_format_and_overwrite_switches_files(tmp_path):
    run_import(tmp_path)
    run_import(tmp_path, format="html", overwrite=True)
    posts = tmp_path / "content" / "posts"
    assert not (posts / f"{POST_SLUG}.md").exists()
    text = (posts / f"{POST_SLUG}.html").read_text()
    assert "<title>Café &amp; licence compatible</title>" in text
    assert f'<meta name="slug" content="{POST_SLUG}" />' in text
    assert '<meta name="tags" content="licences, café" />' in text
    assert "<strong>du gras</strong>" in text


def test_redirects_from_every_old_url(tmp_path):
    run_import(tmp_path)
    extra = tmp_path / "content" / "extra"
    rules = read_redirects(extra / "redirects.json")
    new = "/2020/cafe-license-compatible/"
    assert rules["/blog/?p=10"] == new
    assert rules["/blog/2020/05/14/café-license‑compatible/"] == new  # the export's link
    assert rules["/blog/2020/05/caf%c3%a9-license%e2%80%91compatible/".replace(
        "caf%c3%a9-license%e2%80%91compatible", "café-license‑compatible")] == new
    assert rules["/blog/?page_id=20"] == "/qui-sommes-nous/"
    assert rules["/blog/qui-sommes-nous/"] == "/qui-sommes-nous/"
    assert rules["/blog/wp-content/uploads/2020/05/photo.jpg"] == (
        "/images/wordpress/2020/05/photo.jpg")
    assert rules["/blog/?attachment_id=30"] == "/images/wordpress/2020/05/photo.jpg"
    assert rules["/blog/2020/05/14/café-license‑compatible/photo/"] == (
        "/images/wordpress/2020/05/photo.jpg")
    assert not any("?p=11" in k for k in rules)  # drafts are not public
    nginx = (extra / "redirects.nginx.conf").read_text()
    assert '"/blog/?p=10" "/2020/cafe-license-compatible/";' in nginx
    assert '"/blog/2020/05/14/caf%C3%A9-license%E2%80%91compatible/"' in nginx
    caddy = (extra / "redirects.caddy").read_text()
    assert "query p=10" in caddy and "redir @ownmedia_redirect_" in caddy


def test_redirects_follow_the_sites_url_settings(tmp_path):
    run_import(tmp_path, settings=settings(ARTICLE_URL="posts/{slug}.html"))
    rules = json.loads((tmp_path / "content" / "extra" / "redirects.json").read_text())
    assert rules["redirects"]["/blog/?p=10"] == "/posts/cafe-license-compatible.html"


def test_caption_shortcode_becomes_a_figure_and_other_shortcodes_are_counted(tmp_path):
    caption = ('[caption id="attachment_30" align="aligncenter" width="300"]'
               '<a href="http://old.example/blog/wp-content/uploads/2020/05/photo.jpg">'
               '<img src="http://old.example/blog/wp-content/uploads/2020/05/photo-300x200.jpg"'
               ' alt="Tasse" /></a> Une <em>tasse</em>[/caption]\n\n[gallery ids="1,2"]')
    text = SMALL.read_text(encoding="utf-8").replace("Deuxième paragraphe.", caption, 1)
    export = tmp_path / "export.xml"
    export.write_text(text, encoding="utf-8")
    summary = run_import(tmp_path, export=export)
    body = (tmp_path / "content" / "posts" / f"{POST_SLUG}.md").read_text()
    assert "[caption" not in body and "[/caption]" not in body
    assert ("[![Tasse]({static}/images/wordpress/2020/05/photo-300x200.jpg)]"
            "({static}/images/wordpress/2020/05/photo.jpg)\n\nUne *tasse*") in body
    assert '[gallery ids="1,2"]' in body
    assert summary.skipped[("[gallery] shortcodes", "left as text (no equivalent)")] == 1


def test_links_and_pingbacks_between_the_blogs_own_posts(tmp_path):
    link = ('<a href="http://old.example/blog/qui-sommes-nous/#adhesion">nous</a> et '
            '<a href="https://www.old.example/blog/?p=10">ce billet</a> et '
            '<a href="http://old.example/blog/ailleurs/">une page inconnue</a>')
    ping = """<wp:comment><wp:comment_id>201</wp:comment_id>
        <wp:comment_author><![CDATA[Le carnet &raquo; Café]]></wp:comment_author>
        <wp:comment_author_url>http://old.example/blog/2020/05/14/caf%c3%a9-license%e2%80%91compatible/</wp:comment_author_url>
        <wp:comment_date_gmt>2020-05-14 09:00:00</wp:comment_date_gmt>
        <wp:comment_date>2020-05-14 11:00:00</wp:comment_date>
        <wp:comment_content><![CDATA[[...] notre page [...]]]></wp:comment_content>
        <wp:comment_approved>1</wp:comment_approved><wp:comment_type>pingback</wp:comment_type>
        <wp:comment_parent>0</wp:comment_parent></wp:comment>
        <wp:comment>"""
    text = SMALL.read_text(encoding="utf-8").replace("Deuxième paragraphe.", link, 1)
    text = text.replace("<wp:comment>\n\t\t\t<wp:comment_id>200", ping + "<wp:comment_id>200", 1)
    export = tmp_path / "export.xml"
    export.write_text(text, encoding="utf-8")
    summary = run_import(tmp_path, export=export,
                         settings=settings(SITEURL="https://carnet.example"))
    body = (tmp_path / "content" / "posts" / f"{POST_SLUG}.md").read_text()
    assert "[nous]({filename}/pages/qui-sommes-nous.md#adhesion)" in body
    assert f"[ce billet]({{filename}}/posts/{POST_SLUG}.md)" in body
    assert "[une page inconnue](http://old.example/blog/ailleurs/)" in body
    assert summary.internal_links == 2
    page = read_comments_dir(tmp_path / "content" / "comments")[PAGE_SLUG]
    ping = next(c for c in page if c.type == "pingback")
    assert ping.source == f"https://carnet.example/2020/{POST_SLUG}/"
    assert summary.self_pingbacks == 1

"""A page replaced between StaticFiles' stat() and open() is served whole, with the length
of what was read (the race live publishing would otherwise cause)."""

from __future__ import annotations

from starlette.testclient import TestClient

from ownmedia.comments.live_static import LiveStatic

NEW_PAGE = b"<html>new, longer version</html>"


async def racing_static(scope, receive, send):
    """What StaticFiles does when the file grows between stat and open."""
    ctype = b"text/html; charset=utf-8" if scope["path"].endswith("/") else b"image/png"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", ctype), (b"content-length", b"12")]})
    await send({"type": "http.response.body", "body": NEW_PAGE[:10], "more_body": True})
    await send({"type": "http.response.body", "body": NEW_PAGE[10:], "more_body": False})


def test_html_length_matches_body():
    client = TestClient(LiveStatic(racing_static))
    response = client.get("/2026/post/")
    assert response.content == NEW_PAGE
    assert response.headers["content-length"] == str(len(NEW_PAGE))
    head = client.head("/2026/post/")  # HEAD and other types pass through untouched
    assert head.headers["content-length"] == "12"


def test_live_site_served_whole_while_rerendered(tmp_path):
    """Real StaticFiles + real re-renders in a loop: every GET is complete and consistent."""
    import threading

    from ownmedia.comments.publish import LivePublisher
    from ownmedia.config import load_config
    from ownmedia.service.app import create_app
    from tests.comments.sitekit import POST, POST_URL, make_site

    site = make_site(tmp_path)
    publisher = LivePublisher(site.settings, site.content, site.output)
    publisher.ensure_loaded()
    stop = threading.Event()

    def rerender():
        while not stop.is_set():
            publisher.render_post(POST)

    worker = threading.Thread(target=rerender)
    app = create_app(load_config(site.config_file))
    with TestClient(app) as client:
        worker.start()
        try:
            for _ in range(60):
                response = client.get(POST_URL)
                assert response.status_code == 200
                assert len(response.content) == int(response.headers["content-length"])
                assert response.text.rstrip().endswith("</html>")
        finally:
            stop.set()
            worker.join()

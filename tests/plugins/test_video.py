"""The video plugin in real builds of the sample site, and the players in a real Chromium under
`ownmedia serve`: nothing leaves 127.0.0.1 before the click, then the privacy-enhanced iframe
(third-party requests are routed to a stub, never to the real host) and `Video Play` stored by
the collector; a local WebM reports its quartiles once each."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from ownmedia.plugins.video.syntax import VideoError, parse_marker
from playwright.sync_api import expect

from tests.comments.sitekit import build_into, make_site, wait_for
from tests.comments.test_api import UA
from tests.service.test_csp_browser import RECORD

SLUG = "video-demo"
URL = f"/2026/{SLUG}/"
YOUTUBE = "dQw4w9WgXcQ"
POST = f"""Title: Une vidéo
Date: 2026-03-01
Slug: {SLUG}
Lang: fr

Avant la vidéo.

[[video:youtube:{YOUTUBE} "Notre canal en deux minutes"]]

[[video:vimeo:76979871]]

[[video:file:media/clip.webm "Le clip local" poster=images/audience-growth.fr.png]]

```
[[video:youtube:documented "the syntax, in code"]]
```
"""


def write_webm(path: Path, seconds: float = 2.0, fps: int = 10) -> Path:
    """A real, tiny VP8 WebM (PyAV's bundled FFmpeg) with a known duration."""
    import av
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libvpx", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(np.full((36, 64, 3), i * 10 % 255, np.uint8),
                                               format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


@pytest.fixture(scope="module")
def video_site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("video"), build=False)
    write_webm(site.content / "media" / "clip.webm")
    (site.content / "posts" / f"{SLUG}.md").write_text(POST, encoding="utf-8")
    build_into(site)
    return site


def outside_templates(html: str) -> str:
    return re.sub(r"<template>.*?</template>", "", html, flags=re.S)


# --- the marker ----------------------------------------------------------------------------

def test_marker_forms():
    v = parse_marker(f'youtube:{YOUTUBE} "Deux minutes" poster=images/p.jpg')
    assert (v.provider, v.ref, v.title, v.poster) == ("youtube", YOUTUBE, "Deux minutes",
                                                       "images/p.jpg")
    assert v.embed_url.startswith(f"https://www.youtube-nocookie.com/embed/{YOUTUBE}?")
    assert "dnt=1" in parse_marker("vimeo:76979871").embed_url
    assert parse_marker("file:media/clip.mp4|webm").sources == ("media/clip.webm",
                                                                "media/clip.mp4")


@pytest.mark.parametrize("body, message", [
    ("youtube:short", "not a YouTube video id"),
    ("vimeo:abc", "not a Vimeo video id"),
    ("dailymotion:x8abc", "unknown video provider 'dailymotion'"),
    ("file:media/clip.avi", "ending .mp4 or .webm"),
    ("file:../secret.mp4", "under the content folder"),
    ("file:media/clip.mp4|ogg", "the other format"),
    (f'youtube:{YOUTUBE} "unclosed', "cannot read"),
    (f"youtube:{YOUTUBE} poster=images/p.exe", "poster"),
])
def test_bad_markers_say_what_is_wrong(body, message):
    with pytest.raises(VideoError, match=re.escape(message)):
        parse_marker(body)


# --- the build -----------------------------------------------------------------------------

def test_page_requests_nothing_from_a_video_host_before_the_click(video_site):
    html = video_site.page(URL)
    assert html.count('<figure class="video"') == 3
    visible = outside_templates(html)
    # nothing the browser loads by itself comes from another origin (links are not loads)
    loads = re.findall(r'\b(?:src|poster|data)="([^"]+)"', visible)
    assert loads and all(not u.startswith("http") or u.startswith("http://127.0.0.1")
                         for u in loads), loads
    assert "<iframe" not in visible and "<video" not in visible
    assert f'href="https://www.youtube.com/watch?v={YOUTUBE}"' in html  # the no-JS link
    assert "youtube-nocookie.com/embed/" in html and "player.vimeo.com/video/76979871?dnt=1" in html
    assert "Notre canal en deux minutes" in html and "<svg class=\"video-card\"" in html
    assert "plausible-event-name=Video+Play" in html and f"plausible-event-post={SLUG}" in html
    assert "/ownmedia/video.js" in html
    # the author's poster, from the site, on the link and on the player
    assert '<img class="video-poster" src="/images/audience-growth.fr.png"' in html
    assert '<video controls autoplay playsinline preload="metadata" poster="/images/' in html
    assert "[[video:youtube:documented" in html  # in a code block: left as written
    assert "/ownmedia/video.js" not in video_site.page("/2026/own-your-channel/")
    assert (video_site.output / "media" / "clip.webm").is_file()  # linked file copied


def test_manifest_lists_pages_and_the_frames_they_need(video_site):
    manifest = json.loads((video_site.output / "videos.json").read_text(encoding="utf-8"))
    assert manifest["pages"] == {URL: ["https://player.vimeo.com",
                                       "https://www.youtube-nocookie.com"]}
    assert {(v["video"], v["provider"], v["post"]) for v in manifest["videos"]} == {
        (YOUTUBE, "youtube", SLUG), ("76979871", "vimeo", SLUG),
        ("media/clip.webm", "file", SLUG)}


def test_print_view_prints_each_video_as_a_qr_code_and_its_title(video_site):
    html = video_site.print_page(URL)
    figures = re.findall(r'<figure class="video-print">.*?</figure>', html, re.S)
    assert len(figures) == 3
    assert "Notre canal en deux minutes" in figures[0] and 'class="qr-code"' in figures[0]
    assert (f"utm_medium=print&amp;utm_campaign={SLUG}&amp;utm_content=video"
            f"#video-youtube-{YOUTUBE}") in figures[0]
    assert "<iframe" not in html and "<template>" not in html


def test_bad_markers_stop_the_build_naming_file_and_line(tmp_path):
    from ownmedia.site import build_site

    site = make_site(tmp_path, build=False)
    (site.content / "posts" / "bad.md").write_text(
        "Title: Bad\nDate: 2026-03-02\nSlug: bad\nLang: fr\n\nText.\n\n"
        "[[video:youtube:tooshort]]\n\n[[video:file:media/missing.mp4]]\n", encoding="utf-8")
    with pytest.raises(Exception) as failure:
        build_site(tmp_path / "out", settings_file=site.settings, content=site.content)
    message = str(failure.value)
    assert "2 video problem(s)" in message
    assert "posts/bad.md:8: post 'bad'" in message and "not a YouTube video id" in message
    assert "posts/bad.md:10" in message and "'media/missing.mp4' not found" in message


# --- served, in a browser -------------------------------------------------------------------

@pytest.fixture
def served(video_site, start_service):
    svc = start_service("--config", video_site.config_file)
    svc.site = video_site
    return svc


def stored(site, name: str) -> list[dict]:
    conn = sqlite3.connect(site.data / "events.sqlite3")
    try:
        return [json.loads(r[0] or "{}") for r in conn.execute(
            "SELECT props FROM events WHERE name = ? ORDER BY id", (name,))]
    finally:
        conn.close()


def test_csp_frames_only_on_pages_with_a_video(served):
    import httpx

    with_video = httpx.get(served.url + URL).headers["content-security-policy"]
    assert with_video.endswith(
        "; frame-src 'self' https://player.vimeo.com https://www.youtube-nocookie.com")
    other = httpx.get(served.url + "/2026/own-your-channel/").headers["content-security-policy"]
    assert "frame-src" not in other and "youtube" not in other


@pytest.mark.browser
def test_click_to_load_in_chromium(served, browser):
    context = browser.new_context(user_agent=UA)
    context.add_init_script(RECORD)
    third_party: list[str] = []

    def stub(route):  # never reach the real host; answer like a frame would be answered
        third_party.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><p>stub")

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), stub)
    requested: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: requested.append(r.url))
    page.goto(served.url + URL)
    page.wait_for_load_state("load")
    assert requested and all(u.startswith(served.url) for u in requested), requested
    assert third_party == []

    page.locator(f"#video-youtube-{YOUTUBE} a[data-video-play]").click()
    frame = page.locator(f"#video-youtube-{YOUTUBE} iframe")
    expect(frame).to_have_attribute(
        "src", f"https://www.youtube-nocookie.com/embed/{YOUTUBE}?autoplay=1&rel=0",
        timeout=20_000)
    wait_for(lambda: any(u.startswith("https://www.youtube-nocookie.com/embed/" + YOUTUBE)
                         for u in third_party), timeout=30)
    assert all(u.startswith("https://www.youtube-nocookie.com/") for u in third_party)
    plays = wait_for(lambda: stored(served.site, "Video Play"), timeout=30)
    assert plays == [{"video": YOUTUBE, "provider": "youtube", "post": SLUG,
                      "url": f"https://www.youtube.com/watch?v={YOUTUBE}"}]

    page.locator("#video-file-media-clip-webm a[data-video-play]").click()
    video = page.locator("#video-file-media-clip-webm video")
    expect(video).to_be_visible(timeout=20_000)
    video.evaluate("v => v.play()")
    wait_for(lambda: len(stored(served.site, "Video Progress")) >= 4, timeout=45)
    progress = stored(served.site, "Video Progress")
    assert sorted(p["progress"] for p in progress) == ["100", "25", "50", "75"]
    assert {(p["video"], p["provider"], p["post"]) for p in progress} == {
        ("media/clip.webm", "file", SLUG)}
    assert len(wait_for(lambda: stored(served.site, "Video Play")[1:], timeout=30)) == 1
    assert page.evaluate("window.__csp") == []
    context.close()


@pytest.mark.browser
def test_without_javascript_the_player_is_a_link_to_the_video(served, browser):
    context = browser.new_context(user_agent=UA, java_script_enabled=False)
    reached: list[str] = []

    def stub(route):
        reached.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><p>stub")

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), stub)
    page = context.new_page()
    page.goto(served.url + URL)
    assert reached == []
    page.locator(f"#video-youtube-{YOUTUBE} a[data-video-play]").click()
    page.wait_for_url(f"https://www.youtube.com/watch?v={YOUTUBE}", timeout=20_000)
    assert reached == [f"https://www.youtube.com/watch?v={YOUTUBE}"]
    context.close()

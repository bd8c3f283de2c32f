"""Video HTML: a link that works with no JavaScript (to the provider's page, or to the file),
holding a poster made at build time; the player itself waits in a <template>, so nothing is
requested from the video host until theme/static/js/video.js clones it on the reader's click.

The link carries Plausible's tagged-event classes (`Video Play` with video, post, provider), so
ownmedia's tracker and a real Plausible script count the click the same way."""

from __future__ import annotations

import hashlib
import re
import textwrap
from html import escape

from .syntax import PROVIDER_NAMES, Video, mime_type

STRINGS = {
    "fr": {"play": "Lire la vidéo", "video": "Vidéo",
           "notice": "La lecture charge la vidéo depuis {host}.", "local": "Vidéo hébergée ici."},
    "en": {"play": "Play the video", "video": "Video",
           "notice": "Playing loads the video from {host}.", "local": "Video hosted here."},
}
HOSTS = {"youtube": "youtube-nocookie.com (YouTube)", "vimeo": "player.vimeo.com (Vimeo)"}
PALETTE = ("#1d3557", "#2b4162", "#3d405b", "#264653", "#5f0f40", "#283618", "#22223b")
PRINT_RE = re.compile(r'<figure class="video"[^>]*\bdata-video-print="(?P<data>[^"]*)".*?</figure>',
                      re.S)


def _strings(lang: str) -> dict[str, str]:
    return STRINGS.get((lang or "en")[:2], STRINGS["en"])


def title_card(video: Video, lang: str) -> str:
    """A 16:9 SVG poster: the title on a colour picked from the video's id, and a play mark.
    Inline in the page, so it costs no request and needs no image library."""
    s = _strings(lang)
    colour = PALETTE[int(hashlib.sha256(video.ref.encode()).hexdigest(), 16) % len(PALETTE)]
    title = video.title or s["video"]
    lines = textwrap.wrap(title, 30)[:3] or [title]
    if len(textwrap.wrap(title, 30)) > 3:
        lines[-1] = lines[-1][:29].rstrip() + "…"
    first_y = 180 - (len(lines) - 1) * 24 + 90
    text = "".join(f'<text x="40" y="{first_y + i * 48}">{escape(t)}</text>'
                   for i, t in enumerate(lines))
    label = PROVIDER_NAMES.get(video.provider) or s["video"]
    return (
        '<svg class="video-card" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360" '
        'width="640" height="360" aria-hidden="true" focusable="false">'
        f'<rect width="640" height="360" fill="{colour}"/>'
        '<circle cx="320" cy="130" r="54" fill="#fff" fill-opacity=".92"/>'
        f'<path d="M302 100v60l50-30z" fill="{colour}"/>'
        '<g fill="#fff" font-family="system-ui,sans-serif" font-size="34" font-weight="600">'
        f"{text}</g>"
        '<text x="600" y="40" fill="#fff" fill-opacity=".8" font-family="system-ui,sans-serif" '
        f'font-size="20" text-anchor="end">{escape(label)}</text></svg>'
    )


def _player(video: Video, title: str) -> str:
    """The element video.js puts in place of the link."""
    if video.provider == "file":
        sources = "".join(f'<source src="{{static}}/{escape(src)}" type="{mime_type(src)}">'
                          for src in video.sources)
        poster = f' poster="{{static}}/{escape(video.poster)}"' if video.poster else ""
        return (f'<video controls autoplay playsinline preload="metadata"{poster}>{sources}'
                "</video>")
    return (f'<iframe src="{escape(video.embed_url)}" title="{escape(title)}" '
            'allow="autoplay; encrypted-media; picture-in-picture; fullscreen" allowfullscreen '
            'referrerpolicy="strict-origin-when-cross-origin" loading="lazy"></iframe>')


def render_video(video: Video, *, post_slug: str, lang: str) -> str:
    """The figure placed where the marker was."""
    s = _strings(lang)
    title = video.title or s["video"]
    href = video.watch_url or f"{{static}}/{video.sources[0]}"
    classes = ["video-link", "plausible-event-name=Video+Play",
               f"plausible-event-video={video.ref}", f"plausible-event-provider={video.provider}"]
    if post_slug:
        classes.append(f"plausible-event-post={post_slug}")
    if video.poster:
        poster = (f'<img class="video-poster" src="{{static}}/{escape(video.poster)}" alt="" '
                  'width="640" height="360" loading="lazy">')
    else:
        poster = title_card(video, lang)
    provider = PROVIDER_NAMES.get(video.provider)
    label = f"{s['play']} : {title}" if lang.startswith("fr") else f"{s['play']}: {title}"
    if provider:
        label += f" ({provider})"
    notice = (s["notice"].format(host=HOSTS[video.provider]) if video.provider in HOSTS
              else s["local"])
    print_data = escape(f"{video.anchor}|{title}", quote=True)
    return (
        f'<figure class="video" id="{video.anchor}" data-video="{escape(video.ref)}" '
        f'data-video-provider="{video.provider}" '
        f'data-video-print="{print_data}">'
        f'<a class="{escape(" ".join(classes))}" href="{escape(href)}" data-video-play>'
        f'{poster}<span class="video-play-mark" aria-hidden="true"></span>'
        f'<span class="video-label">{escape(label)}</span></a>'
        f"<template>{_player(video, title)}</template>"
        f'<figcaption>{escape(title) if video.title else ""}'
        f'<span class="video-notice">{escape(notice)}</span></figcaption></figure>'
    )


def print_figures(content: str, qr_for) -> str:
    """Each video figure of `content` as what paper can hold: a QR code and the title.
    `qr_for(anchor)` -> (url, svg) of the code that leads back to the video on the site."""

    def replace(match: re.Match) -> str:
        from html import unescape

        anchor, _, title = unescape(match.group("data")).partition("|")
        url, svg = qr_for(anchor)
        return (f'<figure class="video-print"><div class="qr">{svg}</div><figcaption>'
                f"<strong>{escape(title)}</strong><br>"
                f'<span class="url">{escape(url)}</span></figcaption></figure>')

    return PRINT_RE.sub(replace, content) if 'class="video"' in content else content

"""The review's video section: plays per video and per post, the play rate of each post, and
how far local files were watched, from Stats API queries (so it also runs against Plausible,
where the goal `Video Play` must then be declared).

Choices, written down:
- A play is one `Video Play` event (a click on a click-to-load player; the player replaces the
  link, so a page view counts at most one play per video); players are unique visitors.
- Play rate of a post: its plays ÷ its pageviews (every URL of the post, translations too), in
  %: how many of the views of the page started a video.
- Quartiles (local files only: the providers' iframes do not tell the page): the `Video
  Progress` events at 25/50/75/100 % ÷ the video's plays, in %; each is sent once per page view.
- Titles and the posts that hold each video come from the built site's videos.json
  (plugins/video), as publication dates come from its feed; without it a video is its id.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ownmedia.review.client import StatsError
from ownmedia.stats.goals import VIDEO_PLAY

if TYPE_CHECKING:
    from rich.console import Console

    from ownmedia.review.model import Report, ReviewBuilder

PROGRESS_EVENT = "Video Progress"
QUARTILES = ("25", "50", "75", "100")
UNSET = {"", "(none)", "(not set)"}


def site_videos(site_dir: Path | None) -> dict[str, dict]:
    """video -> {"title", "provider", "posts"} from the built site's videos.json."""
    if site_dir is None:
        return {}
    try:
        raw = json.loads((Path(site_dir) / "videos.json").read_text(encoding="utf-8"))
        entries = list(raw.get("videos", []))
    except (OSError, ValueError, AttributeError, TypeError):
        return {}
    out: dict[str, dict] = {}
    for v in entries:
        if not isinstance(v, dict) or not isinstance(v.get("video"), str):
            continue
        item = out.setdefault(v["video"], {"title": "", "provider": v.get("provider", ""),
                                           "posts": []})
        item["title"] = item["title"] or str(v.get("title") or "")
        if v.get("post") and v["post"] not in item["posts"]:
            item["posts"].append(str(v["post"]))
    return out


def _pct(n: float | None, d: float | None, digits: int = 1) -> float | None:
    return round(100 * n / d, digits) if n is not None and d else None


async def video_section(builder: ReviewBuilder, report: Report) -> dict:
    """Query the Stats API for the section; {} with a note when the server cannot answer."""
    goal = [["is", "event:goal", [VIDEO_PLAY]]]
    b, q = builder.body, builder.q
    try:
        total, per_video, per_post, progress = await asyncio.gather(
            q("video plays", b(["visitors", "events"], filters=goal)),
            q("plays per video", b(["visitors", "events"],
                                   dims=["event:props:video", "event:props:provider"],
                                   filters=goal)),
            q("plays per post", b(["visitors", "events"], dims=["event:props:post"],
                                  filters=goal)),
            q("video progress", b(["events"], dims=["event:props:video", "event:props:progress"],
                                  filters=[["is", "event:name", [PROGRESS_EVENT]]])))
    except StatsError as exc:
        report.notes.append(f"video plays unavailable (is the goal '{VIDEO_PLAY}' declared?): "
                            f"{exc} / lectures vidéo indisponibles")
        return {}
    return shape(total, per_video, per_post, progress, report.posts,
                 site_videos(builder.site_dir))


def shape(total: list[dict], per_video: list[dict], per_post: list[dict],
          progress: list[dict], posts: list[dict], known: dict[str, dict]) -> dict:
    """The section from the query rows (pure: tested on its own)."""
    reached: dict[str, dict[str, int]] = {}
    for rec in progress:
        video, quartile = rec["dimensions"]
        if quartile in QUARTILES:
            reached.setdefault(video, {})[quartile] = rec["metrics"][0]
    videos = []
    for rec in per_video:
        video, provider = rec["dimensions"]
        if video in UNSET:
            continue
        players, plays = rec["metrics"]
        info = known.get(video, {})
        item = {"video": video, "provider": provider, "title": info.get("title", ""),
                "posts": info.get("posts", []), "plays": plays, "players": players,
                "progress": None, "progress_events": None}
        if provider == "file":
            counts = reached.get(video, {})
            item["progress_events"] = {q: counts.get(q, 0) for q in QUARTILES}
            item["progress"] = {q: _pct(counts.get(q, 0), plays) for q in QUARTILES}
        videos.append(item)
    videos.sort(key=lambda v: (-v["plays"], v["video"]))
    views = {p["post"]: p["pageviews"] for p in posts}
    titles = {p["post"]: p.get("title") or "" for p in posts}
    by_post = []
    for rec in per_post:
        post = rec["dimensions"][0]
        if post in UNSET:
            continue
        players, plays = rec["metrics"]
        pageviews = views.get(post)
        by_post.append({"post": post, "title": titles.get(post, ""), "plays": plays,
                        "players": players, "pageviews": pageviews,
                        "play_rate": _pct(plays, pageviews, 2)})
    by_post.sort(key=lambda p: (-p["plays"], p["post"]))
    players, plays = total[0]["metrics"] if total else (0, 0)
    return {"plays": plays, "players": players, "videos": videos, "posts": by_post}


def _label(v: dict) -> str:
    return v["title"] or v["video"]


def render_terminal(report: Report, console: Console, top: int = 20) -> None:
    """The section as rich tables (nothing when no video was played)."""
    from rich.table import Table

    from ownmedia.review.terminal import fmt

    section = getattr(report, "video", None) or {}
    if not section.get("plays"):
        return
    t = Table(title=f"Videos / vidéos: {fmt(section['plays'])} plays by "
                    f"{fmt(section['players'])} visitors — % of plays watched to each quartile "
                    "(local files)")
    for col in ("video", "provider", "plays / lectures", "visitors", "25%", "50%", "75%",
                "100%"):
        t.add_column(col, justify="left" if col in ("video", "provider") else "right")
    for v in section["videos"][:top]:
        q = v["progress"] or {}
        t.add_row(_label(v), v["provider"], fmt(v["plays"]), fmt(v["players"]),
                  *(fmt(q.get(x), 1) for x in QUARTILES))
    console.print(t)
    t = Table(title="Video plays per post / lectures par billet (play rate = plays ÷ pageviews)")
    for col in ("post / billet", "plays", "pageviews", "play rate %"):
        t.add_column(col, justify="left" if col.startswith("post") else "right")
    for p in section["posts"][:top]:
        t.add_row(p["title"] or p["post"], fmt(p["plays"]), fmt(p["pageviews"]),
                  fmt(p["play_rate"]))
    console.print(t)


def render_html(report: Report, top: int = 50) -> str:
    """The section as HTML tables ("" when no video was played)."""
    from html import escape

    from ownmedia.review.html import _num, _table

    section = getattr(report, "video", None) or {}
    if not section.get("plays"):
        return ""
    parts = [f"<h2>Videos / vidéos</h2><p>{_num(section['plays'])} plays by "
             f"{_num(section['players'])} visitors. Quartiles: share of a local file's plays "
             "watched to 25, 50, 75 and 100 % (the providers' players do not tell the page).</p>"]
    parts.append(_table(
        ["video", "provider", "plays / lectures", "visitors", "25%", "50%", "75%", "100%"],
        [[escape(_label(v)), escape(v["provider"]), _num(v["plays"]), _num(v["players"]),
          *(_num((v["progress"] or {}).get(x), 1) for x in QUARTILES)]
         for v in section["videos"][:top]]))
    parts.append("<h3>Plays per post / lectures par billet</h3>")
    parts.append(_table(
        ["post / billet", "plays", "pageviews", "play rate %"],
        [[escape(p["title"] or p["post"]), _num(p["plays"]), _num(p["pageviews"]),
          _num(p["play_rate"])] for p in section["posts"][:top]]))
    return "".join(parts)

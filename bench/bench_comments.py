"""Approval-to-visible time of a comment: from the moment a moderator approves to the moment
the site served by `ownmedia serve` shows it on the post, its print view, its comments feed
and a listing page (the comment count), through the live publisher (no rebuild).

On a generated corpus (bench/corpus.py; 100 posts quick, 1,000 with --full):
- in process: the publisher's warm build (the service does it at start), then approve and
  re-render one post (page, print view, feed, listings that show it);
- through a running `ownmedia serve`: approval in the web admin (HTTP, logged in) and approval
  as the CLI does it (database write from another process, picked up by the service's poll),
  each timed until GETs of the post, print view and feed return the comment and a category
  page listing the post has changed (its count); and the start of the service process until
  its first approval is live (target 2 s).
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.serve_process import ServeProcess

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.2  # p95, listings included
START_TARGET_SECONDS = 2.0


def _setup(tmp: Path, posts: int) -> tuple[Path, Path, float]:
    from bench.corpus import generate
    from ownmedia.site import build_site

    content = tmp / "content"
    generate(content, posts)
    settings = tmp / "benchconf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                        "from pelicanconf import *  # noqa\nSITEURL = ''\n")
    config = tmp / "ownmedia.toml"
    config.write_text(
        f"[server]\ndata = {str(tmp / 'data')!r}\nsite = {str(tmp / 'output')!r}\n"
        "access_log = false\n"
        f"[comments]\ncontent_dir = {str(content)!r}\npelican_settings = {str(settings)!r}\n"
        "min_seconds = 0.0\nrate_limit = 100000\n"
    )
    start = time.perf_counter()
    build_site(tmp / "output", settings_file=settings, content=content)
    return config, settings, time.perf_counter() - start


def _add_pending(data: Path, post: str, n: int) -> str:
    from ownmedia.comments.store import Store, new_comment_id
    from ownmedia.storage.ports import comment_row

    store = Store(data)
    now = time.time()
    cid = new_comment_id(now)
    with store.transaction() as tx:
        tx.insert(comment_row(id=cid, post=post, status="pending", author=f"Bench {n}",
                              body=f"Approval benchmark {n}", created=now, updated=now))
    store.close()
    return cid


def _post_url(output: Path, slug: str) -> str:
    for page in output.rglob("index.html"):
        if f'name="post" value="{slug}"' in page.read_text(encoding="utf-8"):
            rel = page.parent.relative_to(output).as_posix()
            return f"/{rel}/"
    raise RuntimeError(f"no page for {slug}")


def _in_process(tmp: Path, settings: Path, config_file: Path, rounds: int) -> dict:
    from ownmedia.comments.moderation import Moderator
    from ownmedia.comments.publish import LivePublisher
    from ownmedia.comments.store import Store
    from ownmedia.config import load_config

    config = load_config(config_file)
    publisher = LivePublisher(settings, tmp / "content", tmp / "output")
    start = time.perf_counter()
    publisher.ensure_loaded()
    load = time.perf_counter() - start
    store = Store(config.data_dir)
    moderator = Moderator(store, config, b"k" * 32)
    times = []
    for n in range(rounds):
        slug = f"post-{(n * 7) % 50:05d}"
        cid = _add_pending(config.data_dir, slug, n)
        start = time.perf_counter()
        moderator.approve([cid])
        publisher.render_post(slug)
        times.append(time.perf_counter() - start)
    store.close()
    return {"load": load, "times": times}


def _wait_visible(client, url: str, needle: str, timeout: float = 30.0,
                  changed_from: str | None = None) -> float:
    """Poll GET url until needle shows, or (changed_from) the page differs from that text
    (the first approval also waits for the service to read the site)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        text = client.get(url).text
        if (needle in text) if changed_from is None else (text != changed_from):
            return time.perf_counter() - start
        time.sleep(0.01)  # a poll of an observable condition, as a reader's reload would be
    raise RuntimeError(f"{needle or url} not visible after {timeout}s")


def _listing_of(output: Path, post_url: str) -> str:
    """A category page that lists the post (its comment-count link)."""
    for page in sorted((output / "category").rglob("index.html")):
        if f'{post_url}#comments"' in page.read_text(encoding="utf-8"):
            return "/" + page.parent.relative_to(output).as_posix() + "/"
    raise RuntimeError(f"no listing shows {post_url}")


def _wait_everywhere(http, listing: tuple[str, str], url: str, cid: str,
                     timeout: float) -> None:
    """The post, its print view and feed show the comment, and its listing (URL, text
    before the approval) changed."""
    listing, before = listing
    _wait_visible(http, url, f'id="comment-{cid}"', timeout)
    _wait_visible(http, url + "print/", f'id="comment-{cid}"', timeout)
    _wait_visible(http, url + "comments.atom.xml", f"#comment-{cid}", timeout)
    _wait_visible(http, listing, "", timeout, changed_from=before)


def _through_service(tmp: Path, config_file: Path, rounds: int) -> dict:
    import httpx

    from ownmedia.admin.auth import set_password

    data = tmp / "data"
    set_password(data, "bench password 123")
    svc = ServeProcess(config_file)
    admin_times, cli_times, first, since_start = [], [], 0.0, 0.0
    try:
        with httpx.Client(base_url=svc.url, timeout=120) as http:
            login = http.get("/admin/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
            http.post("/admin/login", data={"csrf": csrf, "password": "bench password 123"})
            queue = http.get("/admin/")
            csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)
            urls: dict[str, str] = {}
            for n in range(rounds * 2 + 1):
                slug = f"post-{(n * 11) % 60:05d}"
                url = urls.setdefault(slug, _post_url(tmp / "output", slug))
                cid = _add_pending(data, slug, 1000 + n)
                listing_url = _listing_of(tmp / "output", url)
                listing = (listing_url, http.get(listing_url).text)  # before the approval
                start = time.perf_counter()
                if n % 2 == 0:
                    http.post("/admin/action", data={"csrf": csrf, "id": cid,
                                                     "action": "approve"})
                else:
                    from ownmedia.comments.moderation import Moderator
                    from ownmedia.comments.store import Store
                    from ownmedia.config import load_config

                    store = Store(data)
                    Moderator(store, load_config(config_file), b"k" * 32).approve([cid])
                    store.close()
                _wait_everywhere(http, listing, url, cid, 300.0 if n == 0 else 30.0)
                took = time.perf_counter() - start
                if n == 0:
                    first = took  # includes the service reading the site once
                    since_start = time.perf_counter() - svc.started
                elif n % 2 == 0:
                    admin_times.append(took)
                else:
                    cli_times.append(took)
    finally:
        svc.stop()
    return {"first": first, "admin": admin_times, "cli": cli_times, "start": since_start}


def _row(table: Table, name: str, times: list[float]) -> None:
    if not times:
        return
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    verdict = "ok" if p95 <= TARGET_SECONDS else f"ABOVE {TARGET_SECONDS} s"
    table.add_row(name, str(len(times)), f"{statistics.median(times) * 1000:.0f}",
                  f"{p95 * 1000:.0f}", f"{ordered[-1] * 1000:.0f}", verdict)


def run(console: Console, full: bool) -> None:
    posts, rounds = (1000, 10) if full else (100, 4)
    with tempfile.TemporaryDirectory(prefix="ownmedia-bench-comments-") as tmpname:
        tmp = Path(tmpname)
        config_file, settings, build_seconds = _setup(tmp, posts)
        console.print(f"corpus {posts} posts, full build {build_seconds:.2f} s")
        local = _in_process(tmp, settings, config_file, rounds)
        try:
            served = _through_service(tmp, config_file, rounds)
        except Exception as exc:  # report, do not hide the in-process rows
            console.print(f"[red]served measurement failed: {type(exc).__name__}: {exc}[/red]")
            served = {"first": float("nan"), "admin": [], "cli": [], "start": float("nan")}
    table = Table(title=f"Approval to visible on post, print view, feed and listing, "
                        f"{posts}-post corpus (target p95 {TARGET_SECONDS} s)")
    for col in ("path", "n", "median ms", "p95 ms", "max ms", "verdict"):
        table.add_column(col, justify="left" if col in ("path", "verdict") else "right")
    table.add_row("publisher's warm build (service start)", "1", f"{local['load'] * 1000:.0f}",
                  "", "", "")
    _row(table, "in process: approve + re-render one post", local["times"])
    table.add_row("served: first approval (incl. warm-up)", "1", f"{served['first'] * 1000:.0f}",
                  "", "", "")
    table.add_row("served: process start -> first approval live", "1",
                  f"{served['start'] * 1000:.0f}", "", "",
                  "ok" if served["start"] <= START_TARGET_SECONDS else
                  f"ABOVE {START_TARGET_SECONDS} s")
    _row(table, "served: web admin approve -> GET shows it", served["admin"])
    _row(table, "served: CLI-style approve -> GET shows it", served["cli"])
    table.add_row("full rebuild (for comparison)", "1", f"{build_seconds * 1000:.0f}", "", "",
                  "")
    console.print(table)

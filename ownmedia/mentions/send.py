"""Send webmentions (or pingbacks where only those are advertised) for the links of the
built site's posts, recording each (source, target) pair so that it goes once.

Endpoint discovery follows Webmention 3.1.2: the HTTP Link header first, then the first
<link> or <a> element with rel="webmention", resolved against the final URL; then the
X-Pingback header or <link rel="pingback">. Fetches use the SSRF-guarded client."""

from __future__ import annotations

import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from ownmedia.comments.site_index import SiteIndex
from ownmedia.comments.store import Store
from ownmedia.config import Config
from ownmedia.mentions.fetch import FetchError, FetchResult, fetch


@dataclass
class SendResult:
    source: str
    target: str
    kind: str      # webmention | pingback | none | error
    status: int
    detail: str


def _rels(value: object) -> list[str]:
    if isinstance(value, list):
        return [v.lower() for v in value]
    return str(value or "").lower().split()


def discover(result: FetchResult) -> tuple[str, str]:
    """(kind, endpoint) advertised by a fetched page; ("none", "") when nothing is."""
    for link in result.headers.get_list("link"):
        for part in link.split(","):
            url_part, _, params = part.partition(";")
            if "rel=" in params and "webmention" in params.split("rel=")[1].strip('" ').split():
                return "webmention", urljoin(result.url, url_part.strip().strip("<>"))
    html = result.text() if "html" in result.content_type else ""
    soup = BeautifulSoup(html, "html.parser") if html else None
    if soup is not None:
        for el in soup.find_all(["link", "a"]):
            if "webmention" in _rels(el.get("rel")) and el.has_attr("href"):
                return "webmention", urljoin(result.url, el["href"])
    pingback = result.headers.get("x-pingback")
    if pingback:
        return "pingback", urljoin(result.url, pingback)
    if soup is not None:
        for el in soup.find_all("link"):
            if "pingback" in _rels(el.get("rel")) and el.has_attr("href"):
                return "pingback", urljoin(result.url, el["href"])
    return "none", ""


def post_links(html: str, page_url: str) -> list[str]:
    """Absolute http(s) links in the post's content (.e-content), without fragments."""
    soup = BeautifulSoup(html, "html.parser")
    content = soup.select_one(".e-content") or soup.select_one("article") or soup
    links: list[str] = []
    for a in content.find_all("a", href=True):
        url = urljoin(page_url, a["href"]).split("#")[0]
        if urlsplit(url).scheme in ("http", "https") and url not in links:
            links.append(url)
    return links


def send_one(source: str, target: str, config: Config) -> SendResult:
    try:
        page = fetch(target, config.mentions)
    except FetchError as exc:
        return SendResult(source, target, "error", 0, str(exc))
    kind, endpoint = discover(page)
    if kind == "none":
        return SendResult(source, target, "none", page.status, "no endpoint advertised")
    try:
        if kind == "webmention":
            answer = fetch(endpoint, config.mentions, method="POST",
                           data={"source": source, "target": target}, follow_redirects=False)
            ok = 200 <= answer.status < 300
            return SendResult(source, target, kind if ok else "error", answer.status,
                              answer.text()[:200])
        body = xmlrpc.client.dumps((source, target), "pingback.ping").encode()
        answer = fetch(endpoint, config.mentions, method="POST", content=body,
                       headers={"Content-Type": "text/xml"})
        try:
            reply = xmlrpc.client.loads(answer.body)[0][0]
            return SendResult(source, target, kind, answer.status, str(reply)[:200])
        except xmlrpc.client.Fault as fault:
            # 0x0030: already registered, which is what we wanted
            kind = kind if fault.faultCode == 0x0030 else "error"
            return SendResult(source, target, kind, answer.status,
                              f"fault {fault.faultCode}: {fault.faultString}"[:200])
        except Exception:
            return SendResult(source, target, "error", answer.status, "not an XML-RPC answer")
    except FetchError as exc:
        return SendResult(source, target, "error", 0, str(exc))


def pending_pairs(store: Store, site_dir: Path, base_url: str,
                  only_post: str | None = None) -> list[tuple[str, str]]:
    """(our post URL, external link) pairs not yet sent, from the built site."""
    index = SiteIndex(site_dir)
    index.scan()
    own = urlsplit(base_url).netloc
    sent = {(r[0], r[1]) for r in store.query("SELECT source, target FROM sent_mentions")}
    pairs = []
    for slug, urls in sorted(index._paths.items()):
        if only_post and slug != only_post:
            continue
        for path in urls:
            source = base_url.rstrip("/") + path
            html = (site_dir / path.strip("/") / "index.html").read_text(encoding="utf-8")
            for target in post_links(html, source):
                if urlsplit(target).netloc != own and (source, target) not in sent:
                    pairs.append((source, target))
    return pairs


def record(store: Store, result: SendResult) -> None:
    """Remember a pair once it is done (sent, or nothing to send to); errors are retried."""
    if result.kind == "error":
        return
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO sent_mentions(source, target, kind, endpoint, status, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (result.source, result.target, result.kind, result.detail[:200], result.status,
             time.time()),
        )

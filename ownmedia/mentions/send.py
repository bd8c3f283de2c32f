"""Send webmentions (or pingbacks where only those are advertised) for the links of the
built site's posts, recording each (source, target) pair so that it goes once.

Endpoint discovery follows Webmention 3.1.2: the HTTP Link header first, then the first
<link> or <a> element with rel="webmention", resolved against the final URL; then the
X-Pingback header or <link rel="pingback">. Fetches use the SSRF-guarded client."""

from __future__ import annotations

import hashlib
import time
import xmlrpc.client
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from httplink import parse_link_header

from ownmedia.comments.site_index import SiteIndex
from ownmedia.config import Config
from ownmedia.mentions.fetch import FetchError, FetchResult, fetch
from ownmedia.storage.ports import MentionLog, SentPost


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


def header_endpoint(values: list[str]) -> str | None:
    """The first rel="webmention" target of the Link headers, parsed as RFC 8288 says
    (several links per header, commas inside <...>, parameters after rel, rel values
    case-insensitive); a header that cannot be parsed is skipped, as a browser would."""
    for value in values:
        try:
            links = parse_link_header(value).links
        except ValueError:
            continue
        for link in links:
            if "webmention" in link.rel:
                return link.target
    return None


def discover(result: FetchResult) -> tuple[str, str]:
    """(kind, endpoint) advertised by a fetched page; ("none", "") when nothing is."""
    endpoint = header_endpoint(result.headers.get_list("link"))
    if endpoint is not None:
        return "webmention", urljoin(result.url, endpoint)
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


@dataclass
class PostPlan:
    """What `mentions send` does for one post URL this run."""

    source: str
    digest: str          # fingerprint of the post's content ("" for a deleted post)
    links: list[str]     # external links of the post now (none when deleted)
    targets: list[str]   # whom to notify: new links, or on a change all old and new ones
    deleted: bool


def content_digest(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    content = soup.select_one(".e-content") or soup.select_one("article") or soup
    return hashlib.sha256(str(content).encode()).hexdigest()


def plan(log: MentionLog, site_dir: Path, base_url: str,
         only_post: str | None = None) -> list[PostPlan]:
    """Compare the built site with what was sent before (Webmention 3.1.4 and 3.1.5): a new
    post notifies its links; a changed post notifies every target it linked to before or
    links to now (a removed link's receiver then finds it gone); a post no longer in the
    site (deleted) notifies its former targets, its URL answering 410 Gone."""
    index = SiteIndex(site_dir)
    index.scan()
    own = urlsplit(base_url).netloc
    sent: dict[str, set[str]] = defaultdict(set)
    for source, target in log.sent_pairs():
        sent[source].add(target)
    linked: dict[str, list[str]] = defaultdict(list)
    for source, target in log.links():
        linked[source].append(target)
    known = {post.source: post for post in log.posts()}
    plans, present = [], set()
    for slug, urls in sorted(index._paths.items()):
        for path in urls:
            source = base_url.rstrip("/") + path
            present.add(source)
            if only_post and slug != only_post:
                continue
            html = (site_dir / path.strip("/") / "index.html").read_text(encoding="utf-8")
            links = [t for t in post_links(html, source) if urlsplit(t).netloc != own]
            digest, previous = content_digest(html), known.get(source)
            before = linked[source] if source in linked else sorted(sent[source])
            removed = [t for t in before if t not in links]
            if previous is None or previous.deleted or previous.digest != digest:
                if previous is None:  # first look: what older versions sent goes once
                    targets = [t for t in links if t not in sent[source]] + removed
                else:
                    targets = links + removed
            else:
                targets = [t for t in links if t not in sent[source]]
            if targets or previous is None or previous.digest != digest:
                plans.append(PostPlan(source, digest, links, targets, False))
    if not only_post:
        for source, row in sorted(known.items()):
            if source not in present and not row.deleted:
                plans.append(PostPlan(source, "", [], linked.get(source, []), True))
    return plans


def done(log: MentionLog, post: PostPlan) -> None:
    """Remember the post as sent (after every target was notified without error); a deleted
    post keeps what it linked to: told again if it is published again."""
    log.post_sent(SentPost(post.source, post.digest, post.deleted),
                  None if post.deleted else post.links, time.time())


def record(log: MentionLog, result: SendResult) -> None:
    """Remember a pair once it is done (sent, or nothing to send to); errors are retried."""
    if result.kind == "error":
        return
    log.pair_sent(result.source, result.target, result.kind, result.detail[:200], result.status,
                  time.time())

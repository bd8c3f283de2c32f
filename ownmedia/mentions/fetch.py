"""Outbound HTTP for mentions, with an SSRF guard.

A mention makes us fetch a URL a stranger chose, so every hop of every request:
- resolves the host and refuses private, loopback, link-local, multicast and reserved
  addresses (unless [mentions].allow_private_addresses, for tests on loopback);
- connects to the very address it checked (the URL's host is replaced by the IP, with the Host
  header and TLS SNI kept), so a DNS answer cannot change between check and connect;
- follows at most [mentions].max_redirects redirects, reads at most max_bytes (the rest is
  ignored), and gives up after timeout_seconds overall."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from ownmedia.config import MentionsConfig

USER_AGENT = "ownmedia-mentions/0.1 (+webmention verification)"


class FetchError(Exception):
    """Why a fetch could not be done (refused address, network, too many redirects...)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class FetchResult:
    url: str             # the final URL, after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    truncated: bool

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or FetchError."""
    if not isinstance(url, str) or len(url) > 2000:
        raise FetchError("invalid", "not a URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("invalid", f"not a valid URL: {url[:100]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("invalid", "only http:// and https:// URLs can be fetched")
    if parts.username or parts.password:
        raise FetchError("invalid", "URLs with credentials are refused")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")    # RFC 6052: IPv4 in the last 32 bits
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")   # RFC 8215: a site's own translator
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")            # deprecated ::a.b.c.d


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to (mapped, compatible, NAT64, 6to4,
    Teredo server and client), so that a translator cannot take us to a private one."""
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in IPV4_COMPATIBLE or ip in NAT64_WELL_KNOWN:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address; for IPv6, every IPv4 address embedded in it must be one too
    (`is_global` alone is true for 64:ff9b::a9fe:a9fe, which NAT64 turns into 169.254.169.254)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL_USE:
            return False
        embedded = embedded_ipv4(ip)
        if embedded:
            return all(is_public(v4) for v4 in embedded)
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to; FetchError when it (or any answer) is not allowed."""
    # "localhost." is "localhost": resolve the absolute name without its root dot, so that a
    # trailing dot cannot make a loopback name look like a stranger's
    name = host[:-1] if host.endswith(".") and not host.endswith("..") else host
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("network", f"cannot resolve {host}: {exc}") from None
    addresses = []
    for info in infos:  # every answer is checked: one private answer refuses the host
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not allow_private and not is_public(ip):
            raise FetchError("refused", f"{host} resolves to a non-public address ({ip})")
        addresses.append(ip)
    if not addresses:
        raise FetchError("network", f"cannot resolve {host}")
    return str(addresses[0])


def _pinned(url: str, ip: str) -> str:
    parts = urlsplit(url)
    host = f"[{ip}]" if ":" in ip else ip
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def fetch(
    url: str,
    config: MentionsConfig,
    *,
    method: str = "GET",
    data: dict | None = None,
    content: bytes | None = None,
    headers: dict | None = None,
    follow_redirects: bool = True,
    client: httpx.Client | None = None,
) -> FetchResult:
    """One guarded request (GET by default), following redirects hop by hop."""
    deadline = time.monotonic() + config.timeout_seconds
    own = client is None
    client = client or httpx.Client(timeout=config.timeout_seconds, follow_redirects=False,
                                    trust_env=False)
    try:
        for _hop in range(config.max_redirects + 1):
            scheme, host, port = check_url(url)
            ip = resolve(host, port, config.allow_private_addresses)
            request_headers = {"User-Agent": USER_AGENT, "Accept": "text/html, */*;q=0.5",
                               **(headers or {})}
            default_port = 443 if scheme == "https" else 80
            request_headers["Host"] = host if port == default_port else f"{host}:{port}"
            if ":" in host:  # an IPv6 literal host
                request_headers["Host"] = f"[{host}]" + ("" if port == default_port
                                                          else f":{port}")
            extensions = {"sni_hostname": host} if scheme == "https" else {}
            left = deadline - time.monotonic()
            if left <= 0:
                raise FetchError("timeout", f"{url}: timed out")
            try:
                request = client.build_request(
                    method, _pinned(url, ip), data=data, content=content,
                    headers=request_headers, extensions={**extensions, "timeout": {
                        "connect": left, "read": left, "write": left, "pool": left}},
                )
                response = client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise FetchError("network", f"{url}: {type(exc).__name__}: {exc}") from None
            try:
                if follow_redirects and response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError("network", f"{url}: redirect without Location")
                    url = urljoin(url, location)
                    if response.status_code == 303 or (
                        response.status_code in (301, 302) and method == "POST"
                    ):
                        method, data, content = "GET", None, None
                    continue
                body, truncated = bytearray(), False
                try:
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) >= config.max_bytes:
                            del body[config.max_bytes:]
                            truncated = True
                            break
                        if time.monotonic() > deadline:
                            raise FetchError("timeout", f"{url}: timed out while reading")
                except httpx.HTTPError as exc:
                    raise FetchError("network", f"{url}: {type(exc).__name__}: {exc}") from None
                return FetchResult(url, response.status_code, response.headers, bytes(body),
                                   truncated)
            finally:
                response.close()
        raise FetchError("redirects", f"more than {config.max_redirects} redirects")
    finally:
        if own:
            client.close()

"""The SSRF guard: IPv4 addresses embedded in IPv6 forms, every resolved address, every
redirect hop, trailing-dot names."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from ownmedia.config import MentionsConfig
from ownmedia.mentions.fetch import FetchError, fetch, is_public, resolve


@pytest.mark.parametrize("address", [
    "64:ff9b::a9fe:a9fe",        # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b::7f00:1",           # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",            # NAT64 of 10.0.0.1
    "64:ff9b:1::808:808",        # local-use NAT64 prefix: a site's own translator
    "2002:a9fe:a9fe::1",         # 6to4 of 169.254.169.254
    "2002:7f00:1::1",            # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo (client 192.0.2.45)
    "::7f00:1",                  # IPv4-compatible 127.0.0.1
    "::a9fe:a9fe",               # IPv4-compatible 169.254.169.254
    "::ffff:127.0.0.1",          # IPv4-mapped
    "::ffff:192.168.0.1",
    "::1", "fe80::1", "fc00::1", "ff02::1", "100.64.0.1", "0.0.0.0", "224.0.0.1",
])
def test_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [
    "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1",
    "::ffff:8.8.8.8",
])
def test_public(address):
    assert is_public(ipaddress.ip_address(address))


def fake_resolver(monkeypatch, answers: dict[str, list[str]]):
    """A resolver answering from a table, for names the machine's own cannot make up (the
    guard's decision is what is tested; getaddrinfo's own behaviour is not ours)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6,
                     "", (a, port)) for a in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_every_resolved_address_is_checked(monkeypatch):
    fake_resolver(monkeypatch, {"mixed.example": ["93.184.216.34", "64:ff9b::a9fe:a9fe"]})
    with pytest.raises(FetchError) as err:
        resolve("mixed.example", 80, allow_private=False)
    assert err.value.kind == "refused" and "64:ff9b::a9fe:a9fe" in str(err.value)


def test_nat64_answer_refused_before_any_connection(monkeypatch):
    fake_resolver(monkeypatch, {"metadata.example": ["64:ff9b::a9fe:a9fe"]})
    connections = []
    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect",
                        lambda self, addr: connections.append(addr) or real_connect(self, addr))
    with pytest.raises(FetchError) as err:
        fetch("http://metadata.example/latest/meta-data/", MentionsConfig())
    assert err.value.kind == "refused" and connections == []


def test_trailing_dot_loopback_name_refused():
    """`localhost.` is the absolute form of `localhost`: it must be refused as loopback (the
    resolver not knowing the dotted form must not turn a refusal into a retry)."""
    with pytest.raises(FetchError) as err:
        fetch("http://localhost./", MentionsConfig())
    assert err.value.kind == "refused"


def test_every_redirect_hop_is_checked(pages, monkeypatch):
    """The first hop (our loopback test server, taken as public here) redirects to a name that
    resolves to NAT64 metadata: the hop is refused before any connection to it."""
    from ownmedia.mentions import fetch as fetch_module

    loopback = ipaddress.ip_address("127.0.0.1")
    real_is_public = fetch_module.is_public
    monkeypatch.setattr(fetch_module, "is_public",
                        lambda ip: ip == loopback or real_is_public(ip))
    fake_resolver(monkeypatch, {"metadata.example": ["64:ff9b::a9fe:a9fe"]})
    pages.set("/ok", "fine")
    assert fetch(pages.url + "/ok", MentionsConfig()).body == b"fine"  # the first hop is fine
    pages.set("/hop", "", 302, {"Location": "http://metadata.example/latest/"})
    with pytest.raises(FetchError) as err:
        fetch(pages.url + "/hop", MentionsConfig())
    assert err.value.kind == "refused" and "64:ff9b::a9fe:a9fe" in str(err.value)
    pages.set("/hop2", "", 307, {"Location": "http://[::ffff:169.254.169.254]/"})
    with pytest.raises(FetchError) as err:
        fetch(pages.url + "/hop2", MentionsConfig())
    assert err.value.kind == "refused"

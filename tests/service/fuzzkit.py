"""Shared pieces for fuzzing the service's endpoints with hypothesis: nasty values (lone
surrogates, deep JSON, URLs urlsplit refuses, control characters, huge strings), bodies in
every encoding a client may send, and the two checks every fuzz test makes: never a 5xx, and
the service still healthy afterwards."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_SETTINGS = settings(
    max_examples=100, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)

NASTY = ["", " ", "\x00", "\ud800", "x\udfffy", "http://[x/", "https://[::1/", "http://x:99999/",
         "//evil.example", "/\t/evil", "javascript:alert(1)", "é" * 300, "a" * 70_000,
         "../../etc/passwd", "%2e%2e%2f", "<script>alert(1)</script>", "\u202e", "\r\nX: y",
         "0", "-1", "true", "null", "[]", "{}", "🙂" * 50]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=60),
                   st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
                           min_size=1, max_size=3))
# for URLs: the client itself refuses a URL over 64 kB
short_values = st.one_of(st.sampled_from([n for n in NASTY if len(n) < 1000]),
                         st.text(max_size=60))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | values,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(values, inner, max_size=4),
    max_leaves=12)


def deep_json(depth: int) -> bytes:
    return ('{"a":' * depth + "1" + "}" * depth).encode()


def _encode_text(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def form_bodies(fields: list[str]) -> st.SearchStrategy[tuple[bytes, str]]:
    """(body, content type): urlencoded, JSON (escaped or raw, surrogates included),
    deep JSON, multipart-ish and raw bytes, over the given field names and stray ones."""
    names = st.one_of(st.sampled_from(fields), values)
    mapping = st.dictionaries(names, values, max_size=len(fields) + 2)
    from urllib.parse import quote

    def urlencoded(d: dict) -> bytes:
        return "&".join(f"{quote(_encode_text(k))}={quote(_encode_text(v))}"
                        for k, v in d.items()).encode()

    return st.one_of(
        mapping.map(lambda d: (urlencoded(d), "application/x-www-form-urlencoded")),
        st.dictionaries(names, json_values, max_size=6).map(
            lambda d: (json.dumps(d).encode(), "application/json")),
        st.dictionaries(names, json_values, max_size=6).map(
            lambda d: (_encode_text(json.dumps(d, ensure_ascii=False)), "application/json")),
        st.sampled_from([10, 1000, 5000]).map(lambda n: (deep_json(n), "application/json")),
        st.binary(max_size=300).map(lambda b: (b, "multipart/form-data; boundary=x")),
        st.binary(max_size=300).map(lambda b: (b, "application/x-www-form-urlencoded")),
        st.tuples(st.binary(max_size=300), st.sampled_from(["", "text/plain", "x/y; a=\"",
                                                            "application/json; charset=l1"])),
    )


header_text = st.one_of(st.sampled_from([n for n in NASTY if n.isascii() and "\n" not in n]),
                        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255),
                                max_size=80))
headers = st.fixed_dictionaries({}, optional={
    "Referer": header_text, "Accept-Language": header_text, "Accept": header_text,
    "Cookie": header_text, "X-Forwarded-For": header_text, "Range": header_text,
    "Origin": header_text, "If-None-Match": header_text, "If-Modified-Since": header_text,
})


def latin1_headers(hdrs: dict[str, str]) -> dict[str, bytes]:
    """httpx would encode str headers as ASCII only; send the bytes a client could."""
    return {k: v.encode("latin-1") for k, v in hdrs.items()}


def assert_not_5xx(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])


def assert_healthy(client) -> None:
    """The service still answers, and its comments store still takes a write."""
    assert client.get("/api/health").json() == {"status": "ok"}


@contextmanager
def hostile_client(tmp: Path):
    """The whole service on a copy of the sample site, for many requests from one client:
    no rate limit, an admin password (tests.admin.test_app.PASSWORD), and server errors
    answered as 500s for the test to see instead of raised."""
    from starlette.testclient import TestClient

    from ownmedia.admin.auth import set_password
    from ownmedia.service.app import create_app
    from tests.admin.test_app import PASSWORD
    from tests.comments.sitekit import make_site

    site = make_site(tmp, comments_toml="rate_limit = 1000000\n")
    set_password(site.data, PASSWORD)
    with TestClient(create_app(site.config()), base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as client:
        client.site = site
        yield client

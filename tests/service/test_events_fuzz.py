"""Property-based fuzzing of POST /api/event: whatever comes in, the answer is a 202 or a 4xx
with a message, never a 5xx; a rejected event stores nothing; the service keeps serving."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.service.eventapp import CHROME, count, events_app

KEYS = ["n", "name", "u", "url", "d", "domain", "r", "referrer", "p", "props", "$", "revenue",
        "i", "interactive", "sd", "e"]
scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=50))
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10)
urls = st.one_of(
    st.text(max_size=40),
    st.builds(lambda p: "https://example.org/" + p, st.text(max_size=2100)),
    st.sampled_from(["data:text/plain,x", "https://example.org/?utm_source=a&ref=b",
                     "http://[::1/", "https://www.localhost:99999/x", "//x", "mailto:a@b"]),
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "n": st.one_of(st.text(max_size=130), st.sampled_from(["pageview", "engagement"]),
                       json_values),
        "u": st.one_of(urls, json_values),
        "d": st.one_of(st.sampled_from(["example.org", "www.example.org", "localhost", "nope"]),
                       json_values),
        "r": st.one_of(st.text(max_size=100), json_values),
        "p": st.one_of(st.dictionaries(st.text(max_size=310), st.one_of(scalars, json_values),
                                       max_size=35), json_values),
        "$": json_values,
        "i": json_values,
        "sd": json_values,
        "e": json_values,
    },
).flatmap(lambda d: st.dictionaries(st.sampled_from(KEYS), json_values, max_size=3).map(
    lambda extra: {**extra, **d}))
nearly_valid = st.fixed_dictionaries(
    {
        "n": st.one_of(st.sampled_from(["pageview", "CTA Click", "Outbound Link: Click"]),
                       st.text(min_size=1, max_size=125)),
        "u": st.one_of(st.builds(lambda p: "https://example.org/" + p, st.text(max_size=60)),
                       st.sampled_from(["https://www.example.org/?utm_source=x&ref=y#z",
                                        "http://localhost:8000/a/b/"])),
        "d": st.sampled_from(["example.org", "www.example.org", "localhost"]),
    },
    optional={
        "r": st.text(max_size=60),
        "p": st.dictionaries(st.text(max_size=305), scalars, max_size=33),
        "$": st.fixed_dictionaries({"currency": st.text(max_size=4), "amount": scalars}),
        "i": st.booleans(),
    },
)
raw_bodies = st.one_of(
    nearly_valid.map(lambda b: json.dumps(b).encode()),
    nearly_valid.map(lambda b: json.dumps(b, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    bodies.map(lambda b: json.dumps(b).encode()),
    bodies.map(lambda b: json.dumps(b, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.integers(65_000, 70_000).map(lambda n: b'{"n":"' + b"x" * n + b'"}'),
)
headers = st.fixed_dictionaries(
    {
        "User-Agent": st.one_of(st.just(CHROME), st.just(CHROME), st.text(
            alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)),
    },
    optional={
        "Content-Type": st.sampled_from(["text/plain", "application/json", "x/y", ""]),
        "X-Forwarded-For": st.text(
            alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    },
)


def test_fuzz_endpoint_never_5xx_and_stores_nothing_on_reject(tmp_path):
    app = events_app(tmp_path, server={"trusted_proxies": ["127.0.0.1"]})
    with TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 1)) as client:
        client.headers.pop("User-Agent", None)
        stored: list[int] = []

        @settings(max_examples=300, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(raw=raw_bodies, hdrs=headers)
        def check(raw, hdrs):
            before = count(tmp_path)
            r = client.post("/api/event", content=raw, headers=hdrs)
            assert r.status_code in (202, 400, 413), (r.status_code, r.text)
            after = count(tmp_path)
            if r.status_code == 202:
                assert r.text == "ok"
                if "x-plausible-dropped" in r.headers:
                    assert after == before
                elif after == before:  # engagement with no visit to attach to
                    body = json.loads(raw)
                    assert "engagement" in (body.get("name"), body.get("n"))
                else:
                    assert after == before + 1
                stored.append(after)
            else:
                assert r.json()["errors"] and all(r.json()["errors"].values())
                assert after == before

        check()
        assert stored, "the strategies never produced a valid event"
        # still serving
        ok = client.post("/api/event", headers={"User-Agent": CHROME}, content=json.dumps(
            {"n": "pageview", "u": "https://example.org/", "d": "example.org"}))
        assert ok.status_code == 202

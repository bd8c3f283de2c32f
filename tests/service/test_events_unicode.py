"""Bodies SQLite cannot store (lone surrogates, escaped or encoded) are a 400 naming the body,
not a 500; paired surrogates (an emoji written as two escapes) are accepted and stored."""

import json

from starlette.testclient import TestClient

from tests.service.eventapp import CHROME, count, events_app

BAD = [
    b'{"n":"pageview","u":"https://example.org/\\ud800","d":"example.org"}',
    b'{"n":"pageview","u":"https://example.org/","d":"example.org","p":{"a":"\\udc00"}}',
    b'{"n":"pageview","u":"https://example.org/","d":"example.org","r":"\\uDBFFx"}',
    b'{"n":"page\xed\xa0\x80view","u":"https://example.org/","d":"example.org"}',  # encoded
    b'{"n":"pageview","u":"https://example.org/\xff","d":"example.org"}',  # not UTF-8
]


def test_lone_surrogates_are_rejected_with_400(tmp_path):
    with TestClient(events_app(tmp_path), raise_server_exceptions=False) as client:
        for body in BAD:
            r = client.post("/api/event", content=body, headers={"User-Agent": CHROME})
            assert r.status_code == 400, (body, r.status_code, r.text)
            assert r.json()["errors"]["body"]
        assert count(tmp_path) == 0


def test_paired_surrogate_escapes_are_stored(tmp_path):
    with TestClient(events_app(tmp_path)) as client:
        body = b'{"n":"pageview","u":"https://example.org/\\ud83d\\ude00","d":"example.org"}'
        r = client.post("/api/event", content=body, headers={"User-Agent": CHROME})
        assert r.status_code == 202, r.text
        assert count(tmp_path) == 1
        r = client.post("/api/event", headers={"User-Agent": CHROME}, content=json.dumps(
            {"n": "pageview", "u": "https://example.org/été", "d": "example.org"},
            ensure_ascii=False).encode())
        assert r.status_code == 202, r.text
        assert count(tmp_path) == 2

"""Property-based fuzzing of POST /api/webmention and POST /api/pingback: whatever comes in,
the answer is never a 5xx (a pingback always gets an XML-RPC answer), and the service keeps
serving. Sources point at refused or unknown addresses, so nothing leaves the machine."""

from __future__ import annotations

import os
import xmlrpc.client

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mentions.test_receive import TARGET

FUZZ = settings(max_examples=int(os.environ.get("OWNMEDIA_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

urls = st.one_of(
    st.text(max_size=60),
    st.sampled_from([TARGET, TARGET + "#x", "http://[oops/", "http://[x/", "http://127.0.0.1/",
                     "http://localhost./", "http://[64:ff9b::a9fe:a9fe]/", "https://a.invalid/",
                     "http://127.0.0.1:99999/", "javascript:alert(1)", "http://u:p@a.invalid/",
                     "http://127.0.0.1/2026/own-your-channel/", "\ud800", "https://é.invalid/"]),
    st.builds(lambda p: "https://a.invalid/" + p, st.text(max_size=300)),
)
xml_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**31, max_value=2**31 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40) | urls,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8)


def xml_text(value: str) -> str:
    """Text as it may appear in XML (the surrogates a client could not encode are dropped)."""
    return value.encode("utf-8", "ignore").decode()


calls = st.builds(
    lambda method, params: xmlrpc.client.dumps(tuple(params), method, allow_none=True),
    st.sampled_from(["pingback.ping", "system.listMethods", "", "pingback.ping.x"])
    | st.text(max_size=20).map(xml_text),
    st.lists(xml_values, max_size=3).map(lambda ps: [xml_text(p) if isinstance(p, str) else p
                                                     for p in ps]),
).map(lambda s: s.encode("utf-8", "ignore"))
snippets = st.lists(st.sampled_from([
    b"<methodCall>", b"</methodCall>", b"<methodName>pingback.ping</methodName>", b"<params>",
    b"<param>", b"<value>", b"<string>x</string>", b"<bigdecimal>abc</bigdecimal>",
    b"<dateTime.iso8601>nope</dateTime.iso8601>", b"<base64>%%%</base64>", b"<int>1e9</int>",
    b"<double>nan</double>", b"<struct><member><name>a</name></member></struct>", b"<fault>",
    b"<nil/>", b"<array><data>", b"</data></array>", b"&amp;", b"&#0;", b"<!DOCTYPE x>",
    b"<?xml version='1.0' encoding='latin-1'?>", b"\xff", b"</value>", b"</param>",
    b"</params>", b"<i8>99999999999999999999999</i8>", b"<boolean>2</boolean>",
]), max_size=14).map(b"".join)
TYPES = ["int", "i4", "i8", "boolean", "double", "bigdecimal", "biginteger", "float", "byte",
         "dateTime.iso8601", "base64", "string", "nil", "name", "value", "struct", "array"]
typed_values = st.builds(
    lambda tag, text: f"<value><{tag}>{text}</{tag}></value>".encode("utf-8", "ignore"),
    st.sampled_from(TYPES),
    st.one_of(st.sampled_from(["abc", "", "1", "-0", "1e400", "nan", "99999999999999999999",
                               "2026-13-45T99:99:99", "====", "true"]),
              st.text(alphabet="0123456789.-+eE:TZabc=/", max_size=12)))
structured = st.builds(
    lambda root, method, values: (
        f"<?xml version='1.0'?><{root}><methodName>{method}</methodName><params>".encode()
        + b"".join(b"<param>" + v + b"</param>" for v in values) + f"</params></{root}>"
        .encode()),
    st.sampled_from(["methodCall", "methodResponse"]),
    st.sampled_from(["pingback.ping", "x"]),
    st.lists(typed_values, max_size=3),
) | st.builds(
    lambda value: b"<methodResponse><fault>" + value + b"</fault></methodResponse>",
    typed_values | st.just(b"<value><struct><member><name>faultCode</name><value><int>4</int>"
                           b"</value></member><member><name>faultString</name><value>"
                           b"<string>x</string></value></member></struct></value>"))
pingback_bodies = st.one_of(calls, structured, snippets, st.binary(max_size=200))


@pytest.fixture
def svc(make_service):
    return make_service(allow_private_addresses=False, timeout_seconds=1.0)


@FUZZ
@given(body=pingback_bodies)
def test_pingback_never_5xx(svc, body):
    response = svc.post("/api/pingback", content=body, headers={"Content-Type": "text/xml"})
    assert response.status_code == 200, (body, response.text)
    try:
        xmlrpc.client.loads(response.content)
    except xmlrpc.client.Fault:
        pass  # a fault is a proper answer
    assert svc.get("/api/health").status_code == 200


form_fields = st.dictionaries(st.sampled_from(["source", "target", "vouch", "x"]), urls,
                              max_size=3)


@FUZZ
@given(fields=form_fields, content_type=st.sampled_from([
    None, "application/x-www-form-urlencoded", "multipart/form-data", "application/json",
    "text/plain; charset=utf-8"]), raw=st.none() | st.binary(max_size=200))
def test_webmention_never_5xx(svc, fields, content_type, raw):
    headers = {"Content-Type": content_type} if content_type else {}
    if raw is not None:
        response = svc.post("/api/webmention", content=raw, headers=headers)
    else:
        safe = {k: xml_text(v) for k, v in fields.items()}
        response = svc.post("/api/webmention", data=safe)
    assert response.status_code < 500, response.text
    assert response.status_code in (202, 400, 413, 415, 429), response.status_code
    assert svc.get("/api/health").status_code == 200

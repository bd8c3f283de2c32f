"""Pingback 1.0 over XML-RPC: reading a call safely and choosing the fault code.

A call is parsed by the standard library's XML-RPC unmarshaller fed by defusedxml's expat
parser with DTDs forbidden, so no entity can be declared, let alone expanded (a 600-byte
billion-laughs body fails at its DOCTYPE). The service runs it in a worker thread under a
small limiter, after the body size was checked, so the event loop never parses XML."""

from __future__ import annotations

import xmlrpc.client

from defusedxml.xmlrpc import DefusedExpatParser

# Pingback 1.0 fault codes (and the XML-RPC "specification for fault code interoperability")
SOURCE_MISSING = 0x0010      # 16: the source URI does not exist
NO_LINK = 0x0011             # 17: the source does not contain a link to the target
TARGET_MISSING = 0x0020      # 32: the target URI does not exist
TARGET_NOT_USABLE = 0x0021   # 33: the target exists but cannot be pinged (not a post)
ALREADY_REGISTERED = 0x0030  # 48
ACCESS_DENIED = 0x0031       # 49: rate limit, or a source at a refused address
UPSTREAM_ERROR = 0x0032      # 50: the source's server failed (5xx, timeout, network)
PARSE_ERROR, INVALID_REQUEST, NO_METHOD, BAD_PARAMS = -32700, -32600, -32601, -32602


class CallError(Exception):
    """A body that is not a usable XML-RPC call; carries the fault to answer."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def parse_call(body: bytes) -> tuple[str, tuple]:
    """(method name, params) of an XML-RPC methodCall, or CallError."""
    unmarshaller = xmlrpc.client.Unmarshaller()
    parser = DefusedExpatParser(unmarshaller, forbid_dtd=True)
    try:
        parser.feed(body)
        parser.close()
        params = unmarshaller.close()
    except xmlrpc.client.Fault:  # a <fault> is an answer, not a call
        raise CallError(INVALID_REQUEST, "invalid request: a fault is not a call") from None
    except Exception as exc:  # noqa: BLE001 - any malformed value (<bigdecimal>abc...)
        raise CallError(PARSE_ERROR, f"parse error: not an XML-RPC call "
                                     f"({type(exc).__name__})") from None
    method = unmarshaller.getmethodname()
    if not method:
        raise CallError(INVALID_REQUEST, "invalid request: not a methodCall")
    return method, params


def verification_fault(state: str, kind: str, message: str) -> tuple[int, str]:
    """The fault for a source that did not verify (Verification state and error kind)."""
    if state == "gone" and kind == "410":
        return SOURCE_MISSING, "the source does not exist: it answered 410 Gone"
    if state == "gone":
        return NO_LINK, "the source does not contain a link to the target"
    if state == "missing":
        return SOURCE_MISSING, f"the source does not exist: {message}"
    if kind == "refused":  # the SSRF guard, told by the error's kind, never by its words
        return ACCESS_DENIED, f"access denied: {message}"
    if kind == "invalid":
        return SOURCE_MISSING, f"source: {message}"
    return UPSTREAM_ERROR, f"upstream error: {message}"


def fault_response(code: int, message: str) -> str:
    return xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), methodresponse=True)


def success_response(message: str) -> str:
    return xmlrpc.client.dumps((message,), methodresponse=True)

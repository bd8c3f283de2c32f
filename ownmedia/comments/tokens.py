"""Signed, purpose-bound tokens (HMAC-SHA256 with the data dir's signing key).

Used for the form's timestamp token, unsubscribe links and admin CSRF tokens: a token made
for one purpose never validates for another."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, purpose: str, payload: str) -> str:
    """`payload` (any text) made tamper-proof for `purpose`."""
    body = _b64(payload.encode())
    mac = hmac.new(key, f"{purpose}\x00{body}".encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac[:18])}"


def unsign(key: bytes, purpose: str, token: str) -> str | None:
    """The payload, or None when the token was not made by us for this purpose."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 2000:
        return None
    body, mac = token.split(".")
    expected = hmac.new(key, f"{purpose}\x00{body}".encode(), hashlib.sha256).digest()[:18]
    try:
        given = _unb64(mac)
        payload = _unb64(body).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(given, expected):
        return None
    return payload


def keyed_hash(key: bytes, value: str) -> str:
    """A stable pseudonym for a value we must not store (an IP address)."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]

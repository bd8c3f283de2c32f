"""Secrets are generated into the data directory on first start, never kept in the repo."""

from __future__ import annotations

import json
import os
import secrets as _secrets
from dataclasses import dataclass
from pathlib import Path

SECRETS_FILE = "secrets.json"


@dataclass(frozen=True)
class Secrets:
    signing_key: bytes  # HMAC key: CSRF tokens, form timestamps, sessions, unsubscribe links
    visitor_key: bytes  # HMAC key for visitor hashes outside the event store (rate limits)


def load_or_create_secrets(data_dir: str | Path) -> Secrets:
    """Read data/secrets.json, creating it (mode 0600, atomically) on first use."""
    path = Path(data_dir) / SECRETS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        raw = {"signing_key": _secrets.token_hex(32), "visitor_key": _secrets.token_hex(32)}
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(raw, fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another process created it first: keep theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    raw = json.loads(path.read_text())
    return Secrets(bytes.fromhex(raw["signing_key"]), bytes.fromhex(raw["visitor_key"]))

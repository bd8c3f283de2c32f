"""A full (or read-only, or failing) disk is the service's trouble, not the client's fault,
and it passes: every endpoint that writes answers it with 503, a message and Retry-After
instead of a 500 traceback. Nothing is half-stored (each write is one SQLite transaction,
rolled back), and since no state is kept about the failure the next request after space
returns simply succeeds: no restart needed."""

from __future__ import annotations

import errno
import logging
import sqlite3

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

log = logging.getLogger("ownmedia.storage")

# SQLite's messages for SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_BUSY (after the
# busy timeout), SQLITE_CANTOPEN: all pass once the disk has room again / the lock is freed
_SQLITE_TRANSIENT = ("disk is full", "disk i/o error", "readonly database", "database is locked",
                     "unable to open database")
_OS_TRANSIENT = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
MESSAGE = "the server could not store this (its disk is full or failing): nothing was saved, " \
          "please retry in a moment"
RETRY_AFTER = "30"


def is_storage_failure(exc: BaseException) -> bool:
    """True for the errors a full or failing disk causes (SQLite's or the OS's)."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return any(part in text for part in _SQLITE_TRANSIENT)
    if isinstance(exc, OSError):
        return exc.errno in _OS_TRANSIENT
    return False


async def storage_failure(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for sqlite3.OperationalError and OSError."""
    if not is_storage_failure(exc):
        raise exc  # a bug, not the disk: the usual 500 and traceback
    log.error("%s %s: storage failure: %s", request.method, request.url.path, exc)
    headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"message": MESSAGE, "errors": {"storage": MESSAGE}}, 503,
                            headers=headers)
    return PlainTextResponse(MESSAGE, 503, headers=headers)


EXCEPTION_HANDLERS = {sqlite3.OperationalError: storage_failure, OSError: storage_failure}

"""A full (or read-only, or failing) disk, or a database that is down, is the service's
trouble, not the client's fault, and it passes: every endpoint that writes answers it with
503, a message and Retry-After instead of a 500 traceback. Nothing is half-stored (each write
is one transaction, rolled back), and since no state is kept about the failure the next
request after space returns, or after the database is back, simply succeeds: no restart
needed (the PostgreSQL pool replaces its broken connections by itself).

Stores raise the `ownmedia.storage.errors.StorageError` family (the storage package also
recognises a driver error a store let through: DRIVER_ERRORS); OS errors are mapped here for
the parts that write a file directly (comment files, the built site)."""

from __future__ import annotations

import errno
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ownmedia.storage.errors import (
    DRIVER_ERRORS,
    DatabaseUnavailable,
    SchemaVersionError,
    StorageError,
    as_storage_error,
)

log = logging.getLogger("ownmedia.storage")

_OS_TRANSIENT = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
MESSAGE = "the server could not store this (its disk is full or failing): nothing was saved, " \
          "please retry in a moment"
DATABASE_MESSAGE = "the server's database is unavailable: nothing was saved, please retry " \
                   "in a moment"
SCHEMA_MESSAGE = "the server's database needs an upgrade (the operator's log says how): " \
                 "nothing was saved"
RETRY_AFTER = "30"


def is_storage_failure(exc: BaseException) -> bool:
    """True for the errors a full or failing disk or database causes."""
    if as_storage_error(exc) is not None:
        return True
    if isinstance(exc, OSError):
        return exc.errno in _OS_TRANSIENT
    return False


async def storage_failure(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for StorageError, DRIVER_ERRORS and OSError."""
    if not is_storage_failure(exc):
        raise exc  # a bug, not the disk: the usual 500 and traceback
    log.error("%s %s: storage failure: %s", request.method, request.url.path, exc)
    message = MESSAGE
    if isinstance(exc, SchemaVersionError):
        message = SCHEMA_MESSAGE
    elif isinstance(exc, DatabaseUnavailable):  # a server down, not a full disk
        message = DATABASE_MESSAGE
    headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"message": message, "errors": {"storage": message}}, 503,
                            headers=headers)
    return PlainTextResponse(message, 503, headers=headers)


EXCEPTION_HANDLERS = {StorageError: storage_failure, OSError: storage_failure,
                      **dict.fromkeys(DRIVER_ERRORS, storage_failure)}

"""The access log without the visitor's address unless the owner asks for it
([server] access_log_client_address): the README promises that no raw IP is kept by default,
and a log file is kept."""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class DropClientAddress(logging.Filter):
    """uvicorn logs '%s - "%s %s HTTP/%s" %d' with the client "ip:port" first: make it '-'."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            record.args = ("-", *args[1:])
        return True


def configure_access_log(with_client_address: bool) -> None:
    """Call after uvicorn.Config(...), which (re)configures its loggers."""
    logger = logging.getLogger(ACCESS_LOGGER)
    for existing in [f for f in logger.filters if isinstance(f, DropClientAddress)]:
        logger.removeFilter(existing)
    if not with_client_address:
        logger.addFilter(DropClientAddress())

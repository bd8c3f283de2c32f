"""Serve pages that live publishing replaces while they are being read.

Starlette's StaticFiles takes Content-Length from a stat() and then opens the path: if an
approval renames a new version of the page into place in between, the body no longer matches
the header (uvicorn then drops the response and the reader waits for nothing). For the files
live publishing rewrites (HTML pages and Atom feeds, a few hundred kB at most), this wrapper
holds the response until the body is complete and sends the Content-Length of what was
actually read. Other files (images, CSS, ranges, HEAD) pass through untouched."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUFFERED_TYPES = ("text/html", "application/atom+xml", "application/xml", "text/xml")
MAX_BUFFER = 8 * 1024 * 1024


class LiveStatic:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()
        passthrough = False

        async def buffered_send(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                ctype = headers.get("content-type", "")
                if message.get("status") == 200 and ctype.startswith(BUFFERED_TYPES):
                    start = message
                    return
                passthrough = True
                await send(message)
                return
            if message["type"] == "http.response.body" and start is not None:
                body.extend(message.get("body", b""))
                if len(body) > MAX_BUFFER:  # not one of our pages: stop buffering
                    passthrough = True
                    await send(start)
                    await send({**message, "body": bytes(body)})
                    return
                if not message.get("more_body", False):
                    MutableHeaders(scope=start)["content-length"] = str(len(body))
                    await send(start)
                    await send({"type": "http.response.body", "body": bytes(body),
                                "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, buffered_send)

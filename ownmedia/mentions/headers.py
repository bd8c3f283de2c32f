"""Advertise the mention endpoints on HTML pages of the built site with HTTP headers:
`Link: </api/webmention>; rel="webmention"` (Webmention 3.1.2) and `X-Pingback` (an absolute
URL, Pingback 1.0), next to the <link> elements the theme puts in article pages."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class MentionHeaders:
    """ASGI wrapper for the static site app."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    host = ""
                    for key, value in scope.get("headers", []):
                        if key == b"host":
                            host = value.decode("latin-1")
                    headers.append("Link", '</api/webmention>; rel="webmention"')
                    if host:
                        scheme = scope.get("scheme", "http")
                        headers["X-Pingback"] = f"{scheme}://{host}/api/pingback"
            await send(message)

        await self.app(scope, receive, send_with_headers)

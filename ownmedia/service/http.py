"""uvicorn's httptools protocol, writing each response in one system call.

uvicorn writes a response's status line and headers as soon as the app sends
`http.response.start`, then the body on `http.response.body`: two `write` calls (and two
TCP segments) per response. For the collector's tiny 202 answers those writes were about
15 % of the event loop's time in a profile. Here the connection's transport holds what is
written during one callback and writes it at once just after (`loop.call_soon`), so headers
and body leave together; closing the connection writes what is held first."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescingTransport:
    """A transport that joins the writes of one loop step into a single write."""

    __slots__ = ("_transport", "_loop", "_held")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Hold the data (copied when mutable) until the current callback returns."""
        if not isinstance(data, bytes):
            data = bytes(data)
        if self._held is None:
            self._held = [data]
            self._loop.call_soon(self.flush)
        else:
            self._held.append(data)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Write what is held (nothing if the connection is already closing)."""
        held, self._held = self._held, None
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_write_buffer_size(self) -> int:
        held = sum(len(d) for d in self._held) if self._held else 0
        return held + self._transport.get_write_buffer_size()

    def __getattr__(self, name: str) -> Any:  # pause_reading, get_extra_info, set_protocol...
        return getattr(self._transport, name)


REQUEST_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                   b"content-length: 36\r\nconnection: close\r\n\r\n"
                   b"the request headers took too long.\r\n")


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's protocol over a CoalescingTransport (pass as uvicorn.Config(http=...)), with
    a header deadline uvicorn lacks: a request's headers must be complete `header_timeout`
    seconds after the connection opened (or, on a kept-alive connection, after the previous
    response), whatever trickles in meanwhile; else 408 and close (a connection that sent
    nothing is just closed). uvicorn's own keep-alive
    timer is cancelled by any byte received, so one byte every few seconds held a connection
    open for ever (a slowloris)."""

    header_timeout: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None
    _in_headers = False  # a request has begun and its headers are not complete yet

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # no request being answered
            if self._in_headers:  # half a request: say why; an idle connection just closes
                self.transport.write(REQUEST_TIMEOUT)
            self.transport.close()

    def on_message_begin(self) -> None:
        self._in_headers = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._cancel_header_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._arm_header_timer()  # the next request's headers, or uvicorn's idle close

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)


def protocol_class(header_timeout: float) -> type[CoalescingHttpToolsProtocol]:
    """The protocol with [server] header_timeout_seconds (uvicorn builds it from a class)."""
    return type("OwnmediaHttpProtocol", (CoalescingHttpToolsProtocol,),
                {"header_timeout": header_timeout})

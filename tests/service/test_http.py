"""The coalescing transport under uvicorn's protocol: writes of one callback leave together,
in order, and nothing held is lost when the connection closes."""

import asyncio
import socket

from ownmedia.service.http import CoalescingTransport


class Sink(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport


async def _pair():
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair()
    transport, _ = await loop.create_connection(Sink, sock=ours)
    theirs.setblocking(False)
    return loop, CoalescingTransport(transport, loop), theirs


async def _read_until(loop, sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = await asyncio.wait_for(loop.sock_recv(sock, 65536), 5)
        if not chunk:
            break
        data += chunk
    return data


def test_writes_of_one_callback_are_joined_in_order():
    async def main():
        loop, transport, peer = await _pair()
        transport.write(b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n")
        transport.write(bytearray(b"ok"))
        assert transport.get_write_buffer_size() == 46  # held, not written yet
        first = await _read_until(loop, peer, 46)
        transport.write(b"second")
        second = await _read_until(loop, peer, 6)
        transport.close()
        peer.close()
        return first, second

    first, second = asyncio.run(main())
    assert first == b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\nok"
    assert second == b"second"


def test_close_writes_what_is_held():
    async def main():
        loop, transport, peer = await _pair()
        transport.write(b"bye")
        transport.close()
        assert transport.is_closing()
        data = await _read_until(loop, peer, 10)  # ends at EOF
        peer.close()
        return data

    assert asyncio.run(main()) == b"bye"


def test_attributes_are_the_real_transports():
    async def main():
        loop, transport, peer = await _pair()
        try:
            assert transport.get_extra_info("socket") is not None
            transport.pause_reading()
            transport.resume_reading()
        finally:
            transport.abort()
            peer.close()

    asyncio.run(main())

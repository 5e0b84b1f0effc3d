"""A minimal HTTP/1.1 keep-alive server for the benchmark subgraphs, all four in one process.

Run as `python -m bench.gateways.subgraph_server --ports A,B,C,D`: accounts, inventory,
products and reviews answer POST /graphql on 127.0.0.1 at those ports; GET /healthz answers
200 and GET /stats the count of GraphQL requests answered so far.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from bench.gateways.subgraphs import CachedExecutor, build_subgraph_schema

NAMES = ("accounts", "inventory", "products", "reviews")
Handler = Callable[[bytes], bytes]
_REASONS = {200: b"OK", 404: b"Not Found", 400: b"Bad Request"}


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """A chunked body starting at `start` and where it ends, or None while incomplete."""
    body = bytearray()
    position = start
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
        position = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n", position)
            return None if trailer_end < 0 else (bytes(body), trailer_end + 2)
        if len(buffer) < position + size + 2:
            return None
        body += buffer[position : position + size]
        position += size + 2


class SubgraphProtocol(asyncio.Protocol):
    """One client connection: parses requests as they arrive and answers each in order."""

    served: ClassVar[list[int]] = [0]
    """GraphQL requests answered by every subgraph of this process (GET /stats reports it)."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport to answer on."""
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        """Answer every complete request in the buffer."""
        self._buffer += data
        while self._transport is not None and self._answer_one():
            pass

    def _answer_one(self) -> bool:
        head_end = self._buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        lines = bytes(self._buffer[:head_end]).decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {
            key.strip().lower(): value.strip()
            for key, _, value in (line.partition(":") for line in lines[1:])
        }
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parsed = _dechunk(self._buffer, head_end + 4)
            if parsed is None:
                return False
            body, end = parsed
        else:
            end = head_end + 4 + int(headers.get("content-length", "0"))
            if len(self._buffer) < end:
                return False
            body = bytes(self._buffer[head_end + 4 : end])
        del self._buffer[:end]
        status, payload = self._respond(method, path.split("?", 1)[0], body)
        close = headers.get("connection", "").lower() == "close"
        assert self._transport is not None
        self._transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%s\r\n%s"
            % (status, _REASONS[status], len(payload), b"connection: close\r\n" if close else b"",
               payload)
        )  # fmt: skip
        if close:
            self._transport.close()
            self._transport = None
        return True

    def _respond(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        if method == "POST" and path == "/graphql":
            self.served[0] += 1
            try:
                return 200, self._handler(body)
            except (ValueError, KeyError, TypeError) as exc:
                return 400, b'{"errors":[{"message":"%s"}]}' % str(exc).encode()
        if path == "/stats":
            return 200, b'{"requests":%d}' % self.served[0]
        if path == "/healthz":
            return 200, b'{"status":"ok"}'
        return 404, b'{"errors":[{"message":"not found"}]}'


async def serve(host: str, ports: list[int]) -> None:
    """Serve the four subgraphs on `ports` (in NAMES order) until cancelled."""
    loop = asyncio.get_running_loop()
    servers = []
    for name, port in zip(NAMES, ports, strict=True):
        executor = CachedExecutor(build_subgraph_schema(name))
        servers.append(await loop.create_server(partial(SubgraphProtocol, executor), host, port))
    print("subgraphs ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main() -> None:
    """Parse `--host` and `--ports`, then serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ports", required=True, help="four comma-separated ports")
    args = parser.parse_args()
    asyncio.run(serve(args.host, [int(p) for p in args.ports.split(",")]))


if __name__ == "__main__":
    main()

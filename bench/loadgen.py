"""A lean HTTP/1.1 client for the load generator: keep-alive POSTs on asyncio streams.

httpx costs ~2-3 ms of client CPU per request on this project's 2-core machine (measured: the
service's lookup p50 9.5 ms through httpx, 6.2 ms through this client, same run). That cost
lands in every HTTP contender's latency but not in the in-process driver floor, and it takes
CPU from the servers under test, so the harness uses this client, like wrk would: one
connection per concurrent client, bodies by Content-Length or chunked, nothing else.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class TransportError(RuntimeError):
    """The connection failed, closed early or the answer was not HTTP/1.1."""


class _Closed(ConnectionError):
    """The server closed the connection before answering."""


class Connection:
    """One keep-alive connection to a URL, opened on first use and again after a close."""

    def __init__(self, url: str, timeout_s: float = 60.0) -> None:
        """POSTs will go to `url`; each must be answered within `timeout_s`."""
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"only http:// URLs: {url}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.path = parts.path or "/"
        self.timeout_s = timeout_s
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post_json(self, body: bytes) -> tuple[int, bytes]:
        """POST a JSON body; the status and the response body.

        A kept-alive connection the server closed while idle (Node closes them after 5 s)
        answers nothing; the request is then sent once more on a new connection, as
        browsers and httpx do (the mix only reads, so a repeat is harmless).
        """
        reused = self._streams is not None
        try:
            async with asyncio.timeout(self.timeout_s):
                try:
                    return await self._exchange(body)
                except _Closed:
                    self.close()
                    if not reused:
                        raise
                    return await self._exchange(body)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            self.close()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc

    async def _exchange(self, body: bytes) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode("ascii")
        writer.write(head + body)
        try:
            status_line = await reader.readline()
        except ConnectionResetError as exc:
            raise _Closed("the server closed the connection") from exc
        if not status_line:
            raise _Closed("the server closed the connection")
        if not status_line.startswith(b"HTTP/1.1 "):
            raise ValueError(f"not an HTTP/1.1 answer: {status_line[:80]!r}")
        status = int(status_line.split()[1])
        length: int | None = None
        chunked = close = False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            parts = []
            while size := int((await reader.readline()).split(b";")[0], 16):
                parts.append(await reader.readexactly(size))
                await reader.readline()
            await reader.readline()
            data = b"".join(parts)
        else:
            data = await reader.readexactly(length or 0)
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        """Drop the connection (the next POST opens a new one)."""
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


class Pool:
    """A connection per asyncio task, so N concurrent clients hold N connections."""

    def __init__(self, timeout_s: float = 60.0) -> None:
        """Connections made by this pool time out after `timeout_s` per request."""
        self.timeout_s = timeout_s
        self._connections: dict[tuple[int, str], Connection] = {}

    def connection(self, url: str) -> Connection:
        """The calling task's connection to `url`."""
        key = (id(asyncio.current_task()), url)
        found = self._connections.get(key)
        if found is None:
            found = self._connections[key] = Connection(url, self.timeout_s)
        return found

    def close(self) -> None:
        """Close every connection."""
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

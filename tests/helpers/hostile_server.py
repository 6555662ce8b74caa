"""A hostile Assistants server on 127.0.0.1, scripted per test.

Real HTTP/1.1 over loopback from a raw asyncio server in its own thread, so a test can make
it misbehave the way a broken or malicious server does — answer 1 byte per second, accept
and never answer, send an endless SSE line or a 300 MB JSON body, keep a run in progress
after Cancel, say ``has_more`` forever — without any of it touching the test's own loop.

Routes are ``(method, path prefix) -> handler``; a handler gets the parsed request and the
stream writer and writes whatever it likes. Unmatched requests get an OpenAI-shaped 404.
Every request is recorded in ``requests``.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


def head(
    status: int = 200, content_type: str = "application/json", length: int | None = None
) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"content-type: {content_type}", "connection: close"]
    if length is not None:
        lines.append(f"content-length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def reply_json(body: Any, status: int = 200) -> Handler:
    data = json.dumps(body).encode()

    async def handler(_request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(status, length=len(data)) + data)
        await writer.drain()

    return handler


def accept_and_hang() -> Handler:
    """Reads the request, then says nothing at all until the client goes away."""

    async def handler(_request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()

    return handler


def trickle(body: bytes, every_s: float = 1.0) -> Handler:
    """Headers at once, then the body one byte per ``every_s`` seconds (1 byte/s)."""

    async def handler(_request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, length=len(body)))
        await writer.drain()
        for byte in body:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(every_s)

    return handler


def huge_json(total: int, *, declare_length: bool = False) -> Handler:
    """A JSON body of ``total`` bytes, generated as it is sent (never held in memory)."""
    opening, closing = b'{"object":"list","data":[],"pad":"', b'"}'
    chunk = b"a" * (1 << 20)

    async def handler(_request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, length=total if declare_length else None) + opening)
        left = total - len(opening) - len(closing)
        try:
            while left > 0:
                piece = chunk[: min(left, len(chunk))]
                writer.write(piece)
                left -= len(piece)
                await writer.drain()
            writer.write(closing)
            await writer.drain()
        except (ConnectionError, OSError):
            return  # the client hung up: what a size limit should do

    return handler


def sse_head() -> bytes:
    return head(200, "text/event-stream")


def event(name: str, data: Any) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data)
    return f"event: {name}\ndata: {text}\n\n".encode()


def endless_sse_line(first: bytes = b"") -> Handler:
    """An event stream whose ``data:`` line never ends (until the client hangs up)."""
    chunk = b"x" * (1 << 16)

    async def handler(_request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(sse_head() + first + b"data: ")
        try:
            while True:
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            return

    return handler


def endless_events(
    events: Callable[[int], bytes], first: bytes = b"", every_s: float = 0.01
) -> Handler:
    """``first``, then ``events(n)`` for n = 0, 1, 2... forever (until the client hangs up)."""

    async def handler(_request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(sse_head() + first)
        n = 0
        try:
            while True:
                writer.write(events(n))
                await writer.drain()
                n += 1
                await asyncio.sleep(every_s)
        except (ConnectionError, OSError):
            return

    return handler


@dataclass
class HostileServer:
    routes: list[tuple[str, str, Handler]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def route(self, method: str, prefix: str, handler: Handler) -> None:
        """Serve ``method`` requests whose path (after ``/v1``) starts with ``prefix``.

        Later routes win, so a test can override an earlier, more general one.
        """
        self.routes.insert(0, (method.upper(), prefix, handler))

    def seen(self, method: str, prefix: str) -> list[Request]:
        return [r for r in list(self.requests) if r.method == method and r.path.startswith(prefix)]

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> HostileServer:
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop

            async def main() -> None:
                self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
                self.port = self._server.sockets[0].getsockname()[1]
                started.set()
                async with self._server:
                    await self._server.serve_forever()

            try:
                loop.run_until_complete(main())
            except asyncio.CancelledError:
                pass
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="hostile-server", daemon=True)
        self._thread.start()
        assert started.wait(10), "the hostile server did not start"
        return self

    def __exit__(self, *_: object) -> None:
        loop, server = self._loop, self._server
        if loop is not None and server is not None:

            def stop() -> None:
                server.close()
                for task in asyncio.all_tasks(loop):
                    task.cancel()

            loop.call_soon_threadsafe(stop)
        if self._thread is not None:
            self._thread.join(10)

    # -- one connection --------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await self._read(reader)
                if request is None:
                    return
                self.requests.append(request)
                await self._handler(request)(request, writer)
                await writer.drain()
                return  # one request per connection: every answer says "connection: close"
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            return
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def _read(self, reader: asyncio.StreamReader) -> Request | None:
        line = await reader.readline()
        if not line:
            return None
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if length := int(headers.get("content-length", "0") or 0):
            body = await reader.readexactly(length)
        url = urlsplit(target)
        path = url.path[3:] if url.path.startswith("/v1") else url.path
        return Request(method.upper(), path, dict(parse_qsl(url.query)), headers, body)

    def _handler(self, request: Request) -> Handler:
        for method, prefix, handler in self.routes:
            if method == request.method and request.path.startswith(prefix):
                return handler
        return reply_json(
            {"error": {"message": f"no route for {request.path}", "type": "invalid_request_error"}},
            404,
        )

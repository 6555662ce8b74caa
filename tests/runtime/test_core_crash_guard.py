"""A crashing request answers the OpenAI 500 body and leaves the connection usable.

The runtime has no known crashing route (that is the point), so a tiny app with one
deliberately broken route runs behind the same middleware, served by a real uvicorn on
127.0.0.1 and spoken to over one raw keep-alive socket.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.runtime.__main__ import bind
from playground.runtime.crash_guard import CrashGuard


async def broken(_request: Request) -> Response:
    raise RuntimeError("a bug")


async def fine(_request: Request) -> Response:
    return JSONResponse({"ok": True})


@pytest.fixture
def address() -> Iterator[tuple[str, int]]:
    app = Starlette(
        routes=[Route("/broken", broken), Route("/fine", fine)],
        middleware=[Middleware(CrashGuard)],
    )
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "test server did not start"
        time.sleep(0.01)
    try:
        yield sock.getsockname()[:2]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _exchange(conn: socket.socket, path: str) -> tuple[int, dict[str, object]]:
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        body += chunk
    return int(head.split(b" ")[1]), json.loads(body)


def test_crash_gives_openai_500_and_keeps_the_connection(address: tuple[str, int]) -> None:
    with socket.create_connection(address, timeout=5) as conn:
        status, body = _exchange(conn, "/broken")
        assert status == 500
        assert body == {
            "error": {
                "message": "The server had an error while processing your request.",
                "type": "server_error",
                "param": None,
                "code": "server_error",
            }
        }
        # Same socket: the next request is answered, not reset.
        assert _exchange(conn, "/fine") == (200, {"ok": True})

"""The listening socket: connections get TCP_NODELAY, so small responses are not held
back ~40 ms by Nagle's algorithm waiting for a delayed ACK."""

from __future__ import annotations

import socket
import statistics
import time

from playground.runtime.__main__ import bind
from tests.helpers.runtime_process import RuntimeServer, http_client


def test_accepted_connections_have_nodelay() -> None:
    server = bind("127.0.0.1", 0)
    try:
        assert server.proto == socket.IPPROTO_TCP
        client = socket.create_connection(server.getsockname()[:2], timeout=5)
        try:
            accepted, _ = server.accept()
            with accepted:
                # asyncio only sets TCP_NODELAY on sockets whose proto says TCP; Linux
                # also copies the listener's option. Either way it must be on.
                assert accepted.proto == socket.IPPROTO_TCP
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        finally:
            client.close()
    finally:
        server.close()


def test_keep_alive_requests_are_not_delayed(runtime: RuntimeServer) -> None:
    """With Nagle on, every response on a kept-alive connection took ≥ 40 ms."""
    with http_client(runtime) as client:
        thread = client.post("/threads", json={}).json()
        samples = []
        for _ in range(15):
            start = time.perf_counter()
            response = client.get(f"/threads/{thread['id']}")
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
    assert statistics.median(samples) < 0.030, samples

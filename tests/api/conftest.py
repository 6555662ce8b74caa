"""Fixtures for the client tests: an ``httpx.MockTransport`` "server" and a fake sleep.

Each test supplies its server as a handler ``(request) -> Response`` (or one that raises
an httpx error to simulate a network failure); :class:`Recorder` keeps every request
that reached it so tests can assert on URLs, headers and bodies.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from playground.api import AssistantsClient, Dialect, OpenAIDialect, RequestLogEntry

KEY = "sk-test-SECRET-abcdef123456"
BASE = "http://127.0.0.1:9999/v1"

Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def error(status: int, message: str = "nope", **extra: Any) -> httpx.Response:
    body = {
        "error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    }
    return httpx.Response(status, json=body, headers=extra.get("headers"))


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    url: httpx.URL
    headers: httpx.Headers
    body: bytes

    @property
    def path(self) -> str:
        return self.url.path

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Recorder:
    handler: Handler
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.seen.append(Seen(request.method, request.url, request.headers, body))
        return await self.handler(request)


@dataclass
class Harness:
    client: AssistantsClient
    server: Recorder
    sleeps: list[float]
    log: list[RequestLogEntry]
    http: httpx.AsyncClient


class FakeClock:
    """Unix time that only moves when a test (or the fake sleep) moves it."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., Harness]]:
    """Build a client over a handler; sleeps are recorded and advance no real time."""
    opened: list[httpx.AsyncClient] = []

    def build(
        handler: Handler,
        dialect: Dialect | None = None,
        *,
        clock: FakeClock | None = None,
        max_retries: int = 2,
    ) -> Harness:
        server = Recorder(handler)
        http = httpx.AsyncClient(transport=httpx.MockTransport(server))
        opened.append(http)
        sleeps: list[float] = []
        log: list[RequestLogEntry] = []
        fake_clock = clock or FakeClock()

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            fake_clock.now += seconds

        client = AssistantsClient(
            http,
            dialect or OpenAIDialect(BASE, KEY),
            on_request=log.append,
            max_retries=max_retries,
            sleep=sleep,
            clock=fake_clock,
            rng=random.Random(7),
        )
        return Harness(client, server, sleeps, log, http)

    yield build
    for http in opened:
        await http.aclose()

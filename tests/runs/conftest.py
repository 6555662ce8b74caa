"""Fixtures for the run-driver tests: the scripted server wired to a real client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from playground.api import AssistantsClient, OpenAIDialect
from playground.runs import RequiresAction, RunDriver, RunSession
from playground.runs.events import RunEvent

from .fake_server import ASSISTANT, THREAD, FakeClock, ScriptedServer, Stage, StreamScript

Build = Callable[..., Awaitable[tuple[ScriptedServer, RunDriver]]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def build(clock: FakeClock) -> AsyncIterator[Build]:
    clients: list[httpx.AsyncClient] = []

    async def make(
        stages: list[Stage],
        *,
        streams: list[StreamScript] | None = None,
        poll_after_ms: int | None = None,
        prefer_stream: bool = False,
        family: str = "v2",
        supports_streaming: bool = True,
    ) -> tuple[ScriptedServer, RunDriver]:
        server = ScriptedServer(clock, stages, streams=streams, poll_after_ms=poll_after_ms)
        http = httpx.AsyncClient(transport=httpx.MockTransport(server))
        clients.append(http)
        dialect = OpenAIDialect(
            "http://127.0.0.1:9/v1",
            "sk-test",
            family=family,  # type: ignore[arg-type]
            supports_streaming=supports_streaming,
        )
        client = AssistantsClient(http, dialect, sleep=clock.sleep, clock=clock.time)
        driver = RunDriver(
            client,
            sleep=clock.sleep,
            clock=clock.monotonic,
            wall_clock=clock.time,
            prefer_stream=prefer_stream,
        )
        return server, driver

    yield make
    for http in clients:
        await http.aclose()


Answer = Callable[[RunSession, RequiresAction], Awaitable[None]]


async def collect(session: RunSession, answer: Answer | None = None) -> list[RunEvent]:
    """Every event of the run; ``answer`` is called for each RequiresAction."""
    events: list[RunEvent] = []
    async for event in session.events():
        events.append(event)
        if isinstance(event, RequiresAction) and answer is not None:
            await answer(session, event)
    return events


async def start(driver: RunDriver, **overrides: Any) -> RunSession:
    return await driver.create_run(THREAD, ASSISTANT, **overrides)


def names(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]

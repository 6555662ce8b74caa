"""Cancel always ends the follow, against a hostile server over real loopback HTTP.

The server streams message deltas forever and, in one test, keeps the run ``in_progress``
after Cancel. The driver's clock and sleep are injected, so the 30 s cancel deadline costs
no real time; a guard timeout only turns a hang into a failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from playground.api import AssistantsClient, OpenAIDialect
from playground.runs import CancelNotConfirmed, MessageDelta, RunCancelled, RunDriver
from tests.helpers.hostile_server import HostileServer, endless_events, event, reply_json
from tests.runs.fake_server import RUN, THREAD, message, run_obj, text_delta

GUARD_S = 60


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def endless_run_stream() -> Any:
    opening = (
        event("thread.run.created", run_obj("queued"))
        + event("thread.run.in_progress", run_obj("in_progress"))
        + event("thread.message.created", message("msg_1", "", "in_progress"))
    )
    return endless_events(
        lambda n: event("thread.message.delta", text_delta("msg_1", "la ")), opening
    )


def empty_list() -> Any:
    return reply_json({"object": "list", "data": [], "has_more": False})


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def follow_and_cancel(server: HostileServer, http: httpx.AsyncClient) -> list[Any]:
    """Follow a streamed run, press Cancel after a few deltas; the events seen."""
    fake = FakeTime()
    client = AssistantsClient(http, OpenAIDialect(server.base_url, "key"), max_retries=0)
    driver = RunDriver(client, sleep=fake.sleep, clock=fake.clock)
    seen: list[Any] = []
    async with asyncio.timeout(GUARD_S):
        session = await driver.create_run(THREAD, "asst_1")
        cancelled = False
        async for item in session.events():
            seen.append(item)
            if not cancelled and sum(isinstance(e, MessageDelta) for e in seen) >= 3:
                cancelled = True
                await session.cancel()
    return seen


def hostile(after_cancel: str) -> HostileServer:
    server = HostileServer()
    server.route("POST", f"/threads/{THREAD}/runs", endless_run_stream())
    server.route("POST", f"/threads/{THREAD}/runs/{RUN}/cancel", reply_json(run_obj("cancelling")))
    server.route("GET", f"/threads/{THREAD}/runs/{RUN}", reply_json(run_obj(after_cancel)))
    server.route("GET", f"/threads/{THREAD}/runs/{RUN}/steps", empty_list())
    server.route("GET", f"/threads/{THREAD}/messages", empty_list())
    return server


async def test_cancel_closes_an_endless_stream_and_reports_the_cancel(
    http: httpx.AsyncClient,
) -> None:
    with hostile("cancelled") as server:
        seen = await follow_and_cancel(server, http)
    assert isinstance(seen[-1], RunCancelled)
    assert server.seen("POST", f"/threads/{THREAD}/runs/{RUN}/cancel")


async def test_a_run_kept_in_progress_after_cancel_is_let_go_at_the_deadline(
    http: httpx.AsyncClient,
) -> None:
    with hostile("in_progress") as server:
        with pytest.raises(CancelNotConfirmed) as caught:
            await follow_and_cancel(server, http)
        polls = server.seen("GET", f"/threads/{THREAD}/runs/{RUN}")
    assert "still says it is in progress" in str(caught.value)
    assert "may still be running" in str(caught.value)
    assert 1 <= len(polls) < 100  # it polled, with backoff, then stopped


async def test_endless_has_more_on_steps_does_not_keep_the_driver_paging(
    http: httpx.AsyncClient,
) -> None:
    from playground.runs import RunCompleted
    from playground.runs.constants import DETAIL_MAX_PAGES
    from tests.helpers.hostile_server import Request
    from tests.runs.fake_server import message_step

    counter = iter(range(10**9))

    async def endless_steps(request: Request, writer: asyncio.StreamWriter) -> None:
        n = next(counter)
        body = {"object": "list", "data": [message_step(f"step_{n}", "msg_1", "completed")]}
        await reply_json({**body, "has_more": True})(request, writer)

    with HostileServer() as server:
        server.route("POST", f"/threads/{THREAD}/runs", reply_json(run_obj("in_progress")))
        server.route("GET", f"/threads/{THREAD}/runs/{RUN}", reply_json(run_obj("completed")))
        server.route("GET", f"/threads/{THREAD}/runs/{RUN}/steps", endless_steps)
        server.route("GET", f"/threads/{THREAD}/messages", empty_list())
        fake = FakeTime()
        client = AssistantsClient(http, OpenAIDialect(server.base_url, "key"), max_retries=0)
        driver = RunDriver(client, sleep=fake.sleep, clock=fake.clock, prefer_stream=False)
        async with asyncio.timeout(GUARD_S):
            session = await driver.create_run(THREAD, "asst_1")
            seen = [item async for item in session.events()]
        step_reads = server.seen("GET", f"/threads/{THREAD}/runs/{RUN}/steps")
    assert isinstance(seen[-1], RunCompleted)
    assert 1 <= len(step_reads) <= DETAIL_MAX_PAGES

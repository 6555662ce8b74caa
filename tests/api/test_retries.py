"""Retry policy (wire reference §7.2) with a fake sleep: what is retried, and how long we wait."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from playground.api import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    RateLimitError,
)
from playground.api.constants import INITIAL_RETRY_DELAY, JITTER_MIN, MAX_RETRY_DELAY

from .conftest import FakeClock, error, ok

ASSISTANT = {"id": "asst_1", "object": "assistant", "model": "m"}
RUN = {"id": "run_1", "object": "thread.run", "thread_id": "t1", "status": "queued"}


def scripted(*responses: httpx.Response | type[httpx.TransportError]):
    """A handler answering with each item in turn (exception classes are raised)."""
    queue = list(responses)

    async def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, type):
            raise item("simulated", request=request)
        return item

    return handler


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503])
async def test_retryable_statuses_on_reads(make, status: int) -> None:
    h = make(scripted(error(status), ok(ASSISTANT)))
    assistant = await h.client.assistants.retrieve("asst_1")
    assert assistant.id == "asst_1"
    assert len(h.server.seen) == 2
    assert len(h.sleeps) == 1


async def test_backoff_is_capped_exponential_with_jitter(make) -> None:
    h = make(scripted(*[error(503)] * 6, ok(ASSISTANT)), max_retries=6)
    await h.client.assistants.retrieve("asst_1")
    assert len(h.sleeps) == 6
    for attempt, delay in enumerate(h.sleeps):
        base = min(INITIAL_RETRY_DELAY * 2**attempt, MAX_RETRY_DELAY)
        assert base * JITTER_MIN <= delay <= base
    assert h.sleeps[-1] <= MAX_RETRY_DELAY
    assert [e.attempt for e in h.log] == list(range(7))


async def test_gives_up_after_max_retries(make) -> None:
    h = make(scripted(error(429), error(429), error(429)))
    with pytest.raises(RateLimitError) as caught:
        await h.client.assistants.retrieve("asst_1")
    assert caught.value.status == 429
    assert len(h.server.seen) == 3  # one try plus two retries


async def test_retry_after_ms_wins_over_retry_after(make) -> None:
    headers = {"retry-after-ms": "1500", "retry-after": "9"}
    h = make(scripted(error(429, headers=headers), ok(ASSISTANT)))
    await h.client.assistants.retrieve("asst_1")
    assert h.sleeps == [1.5]


async def test_retry_after_seconds_and_http_date(make, clock: FakeClock) -> None:
    when = datetime.fromtimestamp(clock.now + 12, tz=UTC)
    h = make(
        scripted(
            error(503, headers={"retry-after": "2.5"}),
            error(503, headers={"retry-after": format_datetime(when, usegmt=True)}),
            ok(ASSISTANT),
        ),
        clock=clock,
    )
    await h.client.assistants.retrieve("asst_1")
    assert h.sleeps[0] == 2.5
    assert h.sleeps[1] == pytest.approx(12 - 2.5, abs=1)


async def test_unreasonable_retry_after_falls_back_to_backoff(make) -> None:
    h = make(scripted(error(429, headers={"retry-after": "3600"}), ok(ASSISTANT)))
    await h.client.assistants.retrieve("asst_1")
    assert INITIAL_RETRY_DELAY * JITTER_MIN <= h.sleeps[0] <= INITIAL_RETRY_DELAY


async def test_x_should_retry_overrides_status(make) -> None:
    h = make(scripted(error(503, headers={"x-should-retry": "false"})))
    with pytest.raises(InternalServerError):
        await h.client.assistants.retrieve("asst_1")
    assert len(h.server.seen) == 1
    h = make(scripted(error(400, headers={"x-should-retry": "true"}), ok(ASSISTANT)))
    await h.client.assistants.retrieve("asst_1")
    assert len(h.server.seen) == 2


async def test_client_errors_are_not_retried(make) -> None:
    h = make(scripted(error(400, "bad tool")))
    with pytest.raises(BadRequestError, match="bad tool"):
        await h.client.assistants.retrieve("asst_1")
    assert h.sleeps == []


async def test_connect_errors_are_retried_even_for_creates(make) -> None:
    h = make(scripted(httpx.ConnectError, httpx.ConnectTimeout, ok(RUN)))
    run = await h.client.runs.create("t1", {"assistant_id": "asst_1"})
    assert run.id == "run_1"
    assert len(h.sleeps) == 2
    assert h.log[0].error is not None and "Could not reach the server" in h.log[0].error


async def test_read_timeout_on_read_is_retried(make) -> None:
    h = make(scripted(httpx.ReadTimeout, ok(ASSISTANT)))
    assert (await h.client.assistants.retrieve("asst_1")).id == "asst_1"


async def test_create_is_not_resent_after_ambiguous_timeout(make) -> None:
    h = make(scripted(httpx.ReadTimeout, ok(RUN)))
    with pytest.raises(APITimeoutError) as caught:
        await h.client.runs.create("t1", {"assistant_id": "asst_1"})
    assert caught.value.request_may_have_succeeded is True
    assert "may still have done" in caught.value.message
    assert len(h.server.seen) == 1


async def test_create_is_not_resent_after_dropped_connection(make) -> None:
    h = make(scripted(httpx.RemoteProtocolError, ok(ASSISTANT)))
    with pytest.raises(APIConnectionError) as caught:
        await h.client.assistants.create({"model": "m"})
    assert caught.value.request_may_have_succeeded
    assert len(h.server.seen) == 1


async def test_create_is_not_resent_after_5xx_but_is_after_429(make) -> None:
    h = make(scripted(error(502), ok(RUN)))
    with pytest.raises(InternalServerError):
        await h.client.runs.create("t1", {"assistant_id": "asst_1"})
    assert len(h.server.seen) == 1
    h = make(scripted(error(429), error(409), ok(RUN)))
    run = await h.client.runs.create("t1", {"assistant_id": "asst_1"})
    assert run.id == "run_1"
    assert len(h.server.seen) == 3


async def test_conflict_maps_to_conflict_error(make) -> None:
    h = make(scripted(error(409, "busy"), error(409, "busy"), error(409, "busy")))
    with pytest.raises(ConflictError, match="busy"):
        await h.client.assistants.update("asst_1", {"name": "x"})

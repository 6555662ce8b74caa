"""The driver in poll mode: every status path, tool calls, cancel, expiry, intervals."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from playground.protocol import ToolOutput
from playground.runs import (
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    RequiresAction,
    RunCancelled,
    RunCompleted,
    RunCreated,
    RunExpired,
    RunFailed,
    RunIncomplete,
    RunSession,
    RunStatusChanged,
    StepCreated,
    StepUpdated,
    ToolOutputsError,
)
from playground.runs.constants import ACTION_RECHECK_S, POLL_INITIAL_S, POLL_MAX_S

from .conftest import Build, collect, names, start
from .fake_server import (
    RUN,
    T0,
    THREAD,
    FakeClock,
    Stage,
    calls,
    message,
    message_step,
    tool_step,
)


def answer_stages() -> list[Stage]:
    """queued → in_progress (message half written) → completed."""
    return [
        Stage("queued"),
        Stage(
            "in_progress",
            steps=[message_step("step_1", "msg_1", "in_progress")],
            messages=[message("msg_1", "Hello", "in_progress")],
        ),
        Stage(
            "completed",
            steps=[message_step("step_1", "msg_1", "completed")],
            messages=[message("msg_1", "Hello world", "completed")],
        ),
    ]


async def test_completed_run_reports_each_fact_once_in_order(build: Build) -> None:
    server, driver = await build(answer_stages())
    session = await start(driver, temperature=0.5)
    events = await collect(session)
    assert names(events) == [
        "RunCreated",
        "RunStatusChanged",
        "StepCreated",
        "MessageCreated",
        "MessageDelta",
        "StepUpdated",
        "MessageDelta",
        "MessageCompleted",
        "RunStatusChanged",
        "RunCompleted",
    ]
    assert isinstance(events[0], RunCreated) and events[0].run.status == "queued"
    changed = [e for e in events if isinstance(e, RunStatusChanged)]
    assert [(e.previous_status, e.run.status) for e in changed] == [
        ("queued", "in_progress"),
        ("in_progress", "completed"),
    ]
    text = "".join(e.text_delta for e in events if isinstance(e, MessageDelta))
    assert text == "Hello world"
    done = [e for e in events if isinstance(e, MessageCompleted)]
    assert done[0].message.text() == "Hello world"
    assert isinstance(events[-1], RunCompleted) and session.finished
    create = server.requests[0]
    assert create.method == "POST" and create.body == {"assistant_id": "asst_1", "temperature": 0.5}
    # messages are listed for this run only
    listed = [r for r in server.requests if r.path.endswith("/messages")]
    assert listed and all(r.query.get("run_id") == RUN for r in listed)


async def test_failed_run_gives_the_reason_in_plain_words(build: Build) -> None:
    error = {"code": "rate_limit_exceeded", "message": "You exceeded your current quota."}
    _, driver = await build([Stage("in_progress"), Stage("failed", run={"last_error": error})])
    events = await collect(await start(driver))
    assert isinstance(events[-1], RunFailed)
    assert events[-1].reason == (
        "The model's rate limit or quota was exceeded: You exceeded your current quota."
    )
    assert names(events).count("RunFailed") == 1


async def test_failed_run_without_details_still_says_something(build: Build) -> None:
    _, driver = await build([Stage("failed")])
    events = await collect(await start(driver))
    assert isinstance(events[-1], RunFailed)
    assert "did not say why" in events[-1].reason


async def test_incomplete_run_reports_why(build: Build) -> None:
    details = {"incomplete_details": {"reason": "max_completion_tokens"}}
    stages = [
        Stage("in_progress", messages=[message("msg_1", "Once upon", "in_progress")]),
        Stage("incomplete", run=details, messages=[message("msg_1", "Once upon a", "incomplete")]),
    ]
    _, driver = await build(stages)
    events = await collect(await start(driver))
    assert isinstance(events[-1], RunIncomplete)
    assert "max_completion_tokens" in events[-1].reason
    assert [e.message.status for e in events if isinstance(e, MessageCompleted)] == ["incomplete"]


async def test_cancel_ends_with_run_cancelled(build: Build) -> None:
    server, driver = await build([Stage("queued")] + [Stage("in_progress")] * 50)
    session = await start(driver)
    events = []
    async for event in session.events():
        events.append(event)
        if isinstance(event, RunStatusChanged) and event.run.status == "in_progress":
            await session.cancel()
    assert server.count("POST", rf"/v1/threads/{THREAD}/runs/{RUN}/cancel") == 1
    assert [e.run.status for e in events if isinstance(e, RunStatusChanged)] == [
        "in_progress",
        "cancelling",
        "cancelled",
    ]
    assert isinstance(events[-1], RunCancelled)
    await session.cancel()  # after the end: nothing happens, nothing is sent
    assert server.count("POST", r".*/cancel") == 1


async def test_expired_is_never_reported_as_cancelled(build: Build) -> None:
    _, driver = await build([Stage("in_progress"), Stage("expired")])
    events = await collect(await start(driver))
    assert isinstance(events[-1], RunExpired)
    assert not any(isinstance(e, RunCancelled) for e in events)


async def test_expired_after_a_cancel_request_is_still_expired(build: Build) -> None:
    server, driver = await build([Stage("queued"), Stage("in_progress"), Stage("expired")])
    session = await start(driver)
    seen = []
    async for event in session.events():
        seen.append(event)
        if isinstance(event, RunCreated):
            # The server refuses the cancel (the run just ended): the driver re-reads it.
            server.index = 2
            server.cancel_requested = False
            await session.cancel()
    assert isinstance(seen[-1], RunExpired)
    assert not any(isinstance(e, RunCancelled) for e in seen)


def function_stages() -> list[Stage]:
    ask = calls(
        ("call_a", "get_weather", '{"city": "Oslo"}'),
        ("call_b", "get_weather", '{"city": "Rome"}'),
        ("call_c", "get_time", '{"zone": "CET"}'),
    )
    pending = tool_step(
        "step_1",
        "in_progress",
        ("call_a", "get_weather", '{"city": "Oslo"}', None),
        ("call_b", "get_weather", '{"city": "Rome"}', None),
        ("call_c", "get_time", '{"zone": "CET"}', None),
    )
    answered = tool_step(
        "step_1",
        "completed",
        ("call_a", "get_weather", '{"city": "Oslo"}', "5C"),
        ("call_b", "get_weather", '{"city": "Rome"}', "20C"),
        ("call_c", "get_time", '{"zone": "CET"}', "12:00"),
    )
    return [
        Stage("in_progress", steps=[pending]),
        Stage(
            "requires_action", steps=[pending], run={"required_action": ask, "expires_at": T0 + 600}
        ),
        Stage("queued", steps=[answered]),
        Stage(
            "completed",
            steps=[answered, message_step("step_2", "msg_1", "completed")],
            messages=[message("msg_1", "Oslo 5C, Rome 20C, 12:00", "completed")],
        ),
    ]


async def test_parallel_tool_calls_are_submitted_together_in_one_request(build: Build) -> None:
    server, driver = await build(function_stages())
    outputs = {"call_a": "5C", "call_b": "20C", "call_c": "12:00"}

    async def answer(session: RunSession, event: RequiresAction) -> None:
        assert [c.id for c in event.tool_calls] == ["call_a", "call_b", "call_c"]
        assert event.expires_at == T0 + 600
        with pytest.raises(ToolOutputsError, match="no output for get_time"):
            await session.submit_tool_outputs(
                [ToolOutput(tool_call_id=i, output=outputs[i]) for i in ("call_a", "call_b")]
            )
        assert server.submissions == []  # the partial batch was refused before sending
        await session.submit_tool_outputs(
            [ToolOutput(tool_call_id=k, output=v) for k, v in outputs.items()]
        )
        with pytest.raises(ToolOutputsError, match="already submitted"):
            await session.submit_tool_outputs(
                [ToolOutput(tool_call_id=k, output=v) for k, v in outputs.items()]
            )

    events = await collect(await start(driver), answer)
    assert server.submissions == [
        {"tool_outputs": [{"tool_call_id": k, "output": v} for k, v in outputs.items()]}
    ]
    assert names(events).count("RequiresAction") == 1
    assert isinstance(events[-1], RunCompleted)
    updated = [e.step for e in events if isinstance(e, StepUpdated) and e.step.id == "step_1"]
    assert updated[-1].status == "completed"


async def test_repeated_requires_action_in_one_run(build: Build) -> None:
    first = calls(("call_1", "lookup", '{"q": "a"}'))
    second = calls(("call_2", "lookup", '{"q": "b"}'), ("call_3", "lookup", '{"q": "c"}'))
    stages = [
        Stage("in_progress"),
        Stage("requires_action", run={"required_action": first}),
        Stage("in_progress"),
        Stage("requires_action", run={"required_action": second}),
        Stage("in_progress"),
        Stage("completed"),
    ]
    server, driver = await build(stages)

    async def answer(session: RunSession, event: RequiresAction) -> None:
        await session.submit_tool_outputs(
            [{"tool_call_id": c.id, "output": f"out-{c.id}"} for c in event.tool_calls]
        )

    events = await collect(await start(driver), answer)
    batches = [[c.id for c in e.tool_calls] for e in events if isinstance(e, RequiresAction)]
    assert batches == [["call_1"], ["call_2", "call_3"]]
    assert [len(s["tool_outputs"]) for s in server.submissions] == [1, 2]
    assert isinstance(events[-1], RunCompleted)


async def test_waits_for_outputs_instead_of_polling_until_they_come(
    build: Build, clock: FakeClock
) -> None:
    _, driver = await build(function_stages()[1:])
    session = await start(driver)
    action: asyncio.Future[RequiresAction] = asyncio.get_running_loop().create_future()
    events = []

    async def follow() -> None:
        async for event in session.events():
            events.append(event)
            if isinstance(event, RequiresAction):
                action.set_result(event)

    task = asyncio.create_task(follow())
    event = await action
    for _ in range(50):  # let the follower wait (and re-check) a while
        await asyncio.sleep(0)
    # It waited in long re-check naps, not at the poll interval, and asked only once.
    assert ACTION_RECHECK_S in clock.sleeps
    assert all(s == ACTION_RECHECK_S for s in clock.sleeps)
    assert names(events).count("RequiresAction") == 1
    await session.submit_tool_outputs(
        [ToolOutput(tool_call_id=c.id, output="x") for c in event.tool_calls]
    )
    await task
    assert isinstance(events[-1], RunCompleted)
    assert names(events).count("RequiresAction") == 1


async def test_expiry_while_waiting_for_outputs(build: Build, clock: FakeClock) -> None:
    ask = calls(("call_1", "slow", "{}"))
    server, driver = await build(
        [Stage("requires_action", run={"required_action": ask, "expires_at": T0 + 600})]
    )
    events = await collect(await start(driver))  # nobody answers
    assert names(events) == ["RunCreated", "RequiresAction", "RunStatusChanged", "RunExpired"]
    assert server.submissions == []
    assert clock.wall > T0 + 600
    # It slept until the deadline instead of polling all the while.
    assert server.run_gets <= 1 + int(600 / 15) + 2


async def test_poll_after_header_is_honoured(build: Build, clock: FakeClock) -> None:
    _, driver = await build(
        [Stage("queued")] + [Stage("in_progress")] * 4 + [Stage("completed")], poll_after_ms=750
    )
    await collect(await start(driver))
    assert clock.sleeps and set(clock.sleeps) == {0.75}


async def test_adaptive_interval_starts_short_and_backs_off(build: Build, clock: FakeClock) -> None:
    stages = (
        [Stage("queued"), Stage("in_progress")] + [Stage("in_progress")] * 14 + [Stage("completed")]
    )
    _, driver = await build(stages)
    await collect(await start(driver))
    sleeps = clock.sleeps
    assert sleeps[0] == pytest.approx(POLL_INITIAL_S)
    # grows ×1.5 while nothing changes, never beyond the cap
    growing = sleeps[1:8]
    assert all(b > a for a, b in itertools.pairwise(growing))
    assert max(sleeps) == pytest.approx(POLL_MAX_S)
    assert sum(sleeps) < 30


async def test_short_run_is_seen_finishing_quickly(build: Build, clock: FakeClock) -> None:
    _, driver = await build([Stage("queued"), Stage("completed")])
    await collect(await start(driver))
    assert sum(clock.sleeps) <= 2 * POLL_INITIAL_S


async def test_attach_follows_an_existing_run(build: Build) -> None:
    server, driver = await build(answer_stages())
    server.created = True
    session = await driver.attach(THREAD, RUN)
    events = await collect(session)
    assert isinstance(events[0], RunCreated)
    assert isinstance(events[-1], RunCompleted)
    assert server.count("POST", ".*") == 0


async def test_v1_dialect_polls_even_when_streaming_is_preferred(build: Build) -> None:
    server, driver = await build(
        answer_stages(), prefer_stream=True, family="v1", supports_streaming=False
    )
    events = await collect(await start(driver))
    assert isinstance(events[-1], RunCompleted)
    assert server.requests[0].body == {"assistant_id": "asst_1"}


async def test_events_can_be_followed_only_once(build: Build) -> None:
    _, driver = await build(answer_stages())
    session = await start(driver)
    await collect(session)
    with pytest.raises(Exception, match="already being followed"):
        await collect(session)


async def test_submit_when_nothing_is_pending_is_refused(build: Build) -> None:
    server, driver = await build(answer_stages())
    session = await start(driver)
    with pytest.raises(ToolOutputsError, match="not waiting"):
        await session.submit_tool_outputs([ToolOutput(tool_call_id="x", output="y")])
    assert server.submissions == []


async def test_message_created_and_step_created_are_not_repeated(build: Build) -> None:
    stages = answer_stages()
    stages[1:2] = [stages[1]] * 5  # the same in-progress picture, polled five times
    _, driver = await build(stages)
    events = await collect(await start(driver))
    assert names(events).count("StepCreated") == 1
    assert names(events).count("MessageCreated") == 1
    assert names(events).count("StepUpdated") == 1
    assert sum(isinstance(e, MessageCreated) for e in events) == 1
    assert sum(isinstance(e, StepCreated) for e in events) == 1

"""The driver in stream mode, and its fallback to polling when a stream breaks."""

from __future__ import annotations

from typing import Any

from playground.api import StreamDecodeFailed, StreamInterrupted
from playground.protocol import FunctionToolCall, ToolOutput
from playground.runs import (
    MessageCompleted,
    MessageDelta,
    RequiresAction,
    RunCompleted,
    RunSession,
    StepUpdated,
)

from .conftest import Build, collect, names, start
from .fake_server import (
    T0,
    THREAD,
    Stage,
    StreamScript,
    calls,
    message,
    message_step,
    run_obj,
    text_delta,
    tool_step,
)


def opening() -> list[tuple[str, dict[str, Any] | str]]:
    return [
        ("thread.run.created", run_obj("queued")),
        ("thread.run.queued", run_obj("queued")),
        ("thread.run.in_progress", run_obj("in_progress")),
        ("thread.run.step.created", message_step("step_1", "msg_1", "in_progress")),
        ("thread.run.step.in_progress", message_step("step_1", "msg_1", "in_progress")),
        ("thread.message.created", message("msg_1", "", "in_progress")),
        ("thread.message.in_progress", message("msg_1", "", "in_progress")),
        ("thread.message.delta", text_delta("msg_1", "Hel")),
    ]


def ending() -> list[tuple[str, dict[str, Any] | str]]:
    return [
        ("thread.message.delta", text_delta("msg_1", "lo world")),
        ("thread.message.completed", message("msg_1", "Hello world", "completed")),
        ("thread.run.step.completed", message_step("step_1", "msg_1", "completed")),
        ("thread.run.completed", run_obj("completed")),
    ]


FINAL = Stage(
    "completed",
    steps=[message_step("step_1", "msg_1", "completed")],
    messages=[message("msg_1", "Hello world", "completed")],
)

EXPECTED = [
    "RunCreated",
    "RunStatusChanged",
    "StepCreated",
    "MessageCreated",
    "MessageDelta",
    "MessageDelta",
    "MessageCompleted",
    "StepUpdated",
    "RunStatusChanged",
    "RunCompleted",
]


def assert_complete_once(events: list[Any]) -> None:
    """Nothing lost, nothing twice: the vocabulary a consumer relies on."""
    for once in ("RunCreated", "StepCreated", "MessageCreated", "MessageCompleted", "RunCompleted"):
        assert names(events).count(once) == 1, (once, names(events))
    text = "".join(e.text_delta for e in events if isinstance(e, MessageDelta))
    assert text == "Hello world"
    final = next(e for e in events if isinstance(e, MessageCompleted))
    assert final.message.text() == "Hello world"
    steps = [e.step.status for e in events if isinstance(e, StepUpdated)]
    assert steps == ["completed"]
    assert isinstance(events[-1], RunCompleted)


async def test_streamed_run_gives_the_same_events_as_a_polled_one(build: Build) -> None:
    server, driver = await build(
        [FINAL], streams=[StreamScript(opening() + ending())], prefer_stream=True
    )
    session = await start(driver, model="m")
    assert session.run_id == "run_1"
    events = await collect(session)
    assert names(events) == EXPECTED
    assert_complete_once(events)
    assert server.requests[0].body == {"assistant_id": "asst_1", "model": "m", "stream": True}
    assert server.run_gets == 0  # nothing was polled
    assert session.stream_error is None


async def test_same_vocabulary_when_polling(build: Build) -> None:
    stages = [
        Stage("queued"),
        Stage(
            "in_progress",
            steps=[message_step("step_1", "msg_1", "in_progress")],
            messages=[message("msg_1", "Hel", "in_progress")],
        ),
        FINAL,
    ]
    _, driver = await build(stages)
    events = await collect(await start(driver))
    assert set(names(events)) == set(EXPECTED)
    assert_complete_once(events)


async def test_mid_stream_drop_falls_back_to_polling_without_loss_or_duplicates(
    build: Build,
) -> None:
    in_progress = Stage(
        "in_progress",
        steps=[message_step("step_1", "msg_1", "in_progress")],
        messages=[message("msg_1", "Hello wo", "in_progress")],
    )
    server, driver = await build(
        [in_progress, FINAL],
        streams=[StreamScript(opening(), end="drop", then_stage=0)],
        prefer_stream=True,
    )
    session = await start(driver)
    events = await collect(session)
    assert isinstance(session.stream_error, StreamInterrupted)
    assert server.run_gets >= 1
    assert_complete_once(events)
    deltas = [e.text_delta for e in events if isinstance(e, MessageDelta)]
    assert deltas == ["Hel", "lo wo", "rld"]


async def test_stream_without_done_falls_back(build: Build) -> None:
    _, driver = await build(
        [FINAL], streams=[StreamScript(opening(), end="eof", then_stage=0)], prefer_stream=True
    )
    session = await start(driver)
    events = await collect(session)
    assert isinstance(session.stream_error, StreamInterrupted)
    assert_complete_once(events)


async def test_malformed_event_falls_back(build: Build) -> None:
    _, driver = await build(
        [FINAL],
        streams=[StreamScript(opening(), end="garbage", then_stage=0)],
        prefer_stream=True,
    )
    session = await start(driver)
    events = await collect(session)
    assert isinstance(session.stream_error, StreamDecodeFailed)
    assert_complete_once(events)


async def test_stream_that_breaks_before_naming_the_run_is_found_by_listing(
    build: Build,
) -> None:
    server, driver = await build(
        [Stage("in_progress"), FINAL],
        streams=[StreamScript([], end="drop", then_stage=0)],
        prefer_stream=True,
    )
    session = await start(driver)
    assert session.run_id == "run_1"
    assert server.count("GET", rf"/v1/threads/{THREAD}/runs") == 1  # the recovery listing
    assert server.count("POST", rf"/v1/threads/{THREAD}/runs") == 1  # never created twice
    events = await collect(session)
    assert names(events)[0] == "RunCreated"
    assert isinstance(events[-1], RunCompleted)


async def test_server_that_cannot_stream_is_polled_from_then_on(build: Build) -> None:
    server, driver = await build([Stage("in_progress"), FINAL], prefer_stream=True)
    server.can_stream = False  # answers stream: true with a JSON run
    session = await start(driver)
    assert isinstance(session.stream_error, type(None))
    assert driver.stream_unavailable and not driver.can_stream
    assert server.count("POST", rf"/v1/threads/{THREAD}/runs") == 1  # found, not re-created
    events = await collect(session)
    assert isinstance(events[-1], RunCompleted)
    server.index = 0
    await start(driver)  # the next run is created without asking for a stream
    assert "stream" not in server.requests[-1].body


def tool_stream() -> list[tuple[str, dict[str, Any] | str]]:
    first_delta = {
        "id": "step_1",
        "object": "thread.run.step.delta",
        "delta": {
            "step_details": {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "add", "arguments": "", "output": None},
                    },
                ],
            }
        },
    }
    args_delta = {
        "id": "step_1",
        "object": "thread.run.step.delta",
        "delta": {
            "step_details": {
                "type": "tool_calls",
                "tool_calls": [
                    {"index": 0, "type": "function", "function": {"arguments": '{"a": 1}'}}
                ],
            }
        },
    }
    empty_step = tool_step("step_1", "in_progress")
    asking = run_obj(
        "requires_action",
        required_action=calls(("call_a", "add", '{"a": 1}'), ("call_b", "add", '{"a": 2}')),
        expires_at=T0 + 600,
    )
    return [
        ("thread.run.created", run_obj("queued")),
        ("thread.run.in_progress", run_obj("in_progress")),
        ("thread.run.step.created", empty_step),
        ("thread.run.step.delta", first_delta),
        ("thread.run.step.delta", args_delta),
        ("thread.run.requires_action", asking),
    ]


def after_submit() -> list[tuple[str, dict[str, Any] | str]]:
    done_step = tool_step(
        "step_1",
        "completed",
        ("call_a", "add", '{"a": 1}', "1"),
        ("call_b", "add", '{"a": 2}', "2"),
    )
    return [
        ("thread.run.step.completed", done_step),
        ("thread.run.queued", run_obj("queued")),
        ("thread.run.in_progress", run_obj("in_progress")),
        *opening()[3:],
        *ending(),
    ]


async def answer_both(session: RunSession, event: RequiresAction) -> None:
    await session.submit_tool_outputs(
        [ToolOutput(tool_call_id=c.id, output=str(i + 1)) for i, c in enumerate(event.tool_calls)]
    )


async def test_streamed_tool_calls_are_answered_with_a_streamed_submit(build: Build) -> None:
    server, driver = await build(
        [Stage("requires_action"), FINAL],
        streams=[StreamScript(tool_stream()), StreamScript(after_submit(), then_stage=1)],
        prefer_stream=True,
    )
    events = await collect(await start(driver), answer_both)
    assert server.submissions == [
        {
            "tool_outputs": [
                {"tool_call_id": "call_a", "output": "1"},
                {"tool_call_id": "call_b", "output": "2"},
            ],
            "stream": True,
        }
    ]
    assert names(events).count("RequiresAction") == 1
    # the step's arguments were accumulated from the deltas
    step_updates = [e.step for e in events if isinstance(e, StepUpdated) and e.step.id == "step_1"]
    first_call = step_updates[1].step_details.tool_calls[0]  # type: ignore[union-attr]
    assert isinstance(first_call, FunctionToolCall)
    assert first_call.function.arguments == '{"a": 1}'
    assert step_updates[-1].status == "completed"
    assert isinstance(events[-1], RunCompleted)
    assert server.run_gets == 0


async def test_submit_stream_that_drops_falls_back_to_polling(build: Build) -> None:
    server, driver = await build(
        [Stage("requires_action"), Stage("in_progress"), FINAL],
        streams=[
            StreamScript(tool_stream()),
            StreamScript(after_submit()[:3], end="drop", then_stage=1),
        ],
        prefer_stream=True,
    )
    session = await start(driver)
    events = await collect(session, answer_both)
    assert isinstance(session.stream_error, StreamInterrupted)
    assert len(server.submissions) == 1
    assert names(events).count("RequiresAction") == 1
    assert isinstance(events[-1], RunCompleted)
    assert names(events).count("MessageCompleted") == 1

"""A poll is normally ONE request (the run); steps and messages are read only when they
can have changed, and the events a consumer gets are still complete."""

from __future__ import annotations

from playground.runs import MessageDelta, RunCompleted, RunStatusChanged, StepCreated

from .conftest import Build, collect, names, start
from .fake_server import (
    RUN,
    T0,
    THREAD,
    FakeClock,
    ScriptedServer,
    Stage,
    calls,
    message,
    message_step,
    tool_step,
)

STEPS = rf"/v1/threads/{THREAD}/runs/{RUN}/steps"
MESSAGES = rf"/v1/threads/{THREAD}/messages"


def kinds(server: ScriptedServer) -> list[str]:
    """The requests in order, by what they read: run, steps, messages or other."""
    out = []
    for r in server.requests:
        if r.method == "GET" and r.path == f"/v1/threads/{THREAD}/runs/{RUN}":
            out.append("run")
        elif r.path.endswith("/steps"):
            out.append("steps")
        elif r.path.endswith("/messages"):
            out.append("messages")
        else:
            out.append("other")
    return out


def final_stage(text: str = "Hello world") -> Stage:
    return Stage(
        "completed",
        steps=[message_step("step_1", "msg_1", "completed")],
        messages=[message("msg_1", text, "completed")],
    )


async def test_a_thinking_run_costs_one_request_per_poll(build: Build, clock: FakeClock) -> None:
    # 25 polls at 200 ms: a model thinking for about five seconds, then answering.
    stages = [Stage("queued")] + [Stage("in_progress")] * 25 + [final_stage()]
    server, driver = await build(stages, poll_after_ms=200)
    events = await collect(await start(driver))

    assert isinstance(events[-1], RunCompleted)
    assert names(events)[-6:] == [
        "StepCreated",
        "MessageCreated",
        "MessageDelta",
        "MessageCompleted",
        "RunStatusChanged",
        "RunCompleted",
    ]
    seen = kinds(server)
    run_gets = seen.count("run")
    assert run_gets == 27
    # Nothing below the run moved until the end: the message is read once, at the end...
    assert seen.count("messages") == 1 and seen[-1] in ("steps", "messages")
    # ...and the steps at the change to in_progress, a few times (less and less often)
    # while the model thought, and at the end.
    assert 3 <= seen.count("steps") <= 5
    # The SDK's create_and_poll would send 1 + run_gets requests; the driver stays within 1.5x.
    assert len(seen) <= 1.5 * (1 + run_gets)
    # Long stretches of run-only polls in between.
    longest = max(len(chunk) for chunk in "".join(k[0] for k in seen).split("s"))
    assert longest >= 6


async def test_every_fact_is_still_reported_once(build: Build) -> None:
    stages = [Stage("queued")] + [Stage("in_progress")] * 3 + [final_stage()]
    _, driver = await build(stages, poll_after_ms=200)
    events = await collect(await start(driver))
    assert [n for n in names(events) if n != "MessageDelta"] == [
        "RunCreated",
        "RunStatusChanged",
        "StepCreated",
        "MessageCreated",
        "MessageCompleted",
        "RunStatusChanged",
        "RunCompleted",
    ]
    assert "".join(e.text_delta for e in events if isinstance(e, MessageDelta)) == "Hello world"


async def test_a_message_being_written_is_read_with_its_step(
    build: Build, clock: FakeClock
) -> None:
    writing = [message_step("step_1", "msg_1", "in_progress")]
    stages = (
        [Stage("queued")]
        + [Stage("in_progress", steps=writing, messages=[message("msg_1", "Hel", "in_progress")])]
        * 10
        + [
            Stage(
                "in_progress",
                steps=writing,
                messages=[message("msg_1", "Hello wor", "in_progress")],
            )
        ]
        * 10
        + [final_stage()]
    )
    server, driver = await build(stages, poll_after_ms=200)
    events = await collect(await start(driver))

    deltas = [e.text_delta for e in events if isinstance(e, MessageDelta)]
    # The text was seen growing while the run was in progress, not only at the end.
    assert deltas == ["Hel", "lo wor", "ld"]
    end = next(i for i, e in enumerate(events) if isinstance(e, RunStatusChanged) and i > 1)
    assert any(isinstance(e, MessageDelta) and e.text_delta == "lo wor" for e in events[:end])
    seen = kinds(server)
    # Each live read of the steps (the message step is in progress) also reads messages.
    assert seen.count("messages") == seen.count("steps")
    assert seen.count("steps") <= 1 + 21 * 0.2 / 1.0 + 2
    assert seen.count("run") == 22


async def test_messages_are_not_reread_once_their_step_is_done(build: Build) -> None:
    # The reply is written, then a long tool step runs (code interpreter, say).
    done_msg = message_step("step_1", "msg_1", "completed")
    tool = tool_step("step_2", "in_progress", ("call_1", "crunch", "{}", None))
    middle = Stage(
        "in_progress",
        steps=[done_msg, tool],
        messages=[message("msg_1", "Working on it", "completed")],
    )
    stages = [Stage("queued")] + [middle] * 20 + [final_stage("Working on it")]
    server, driver = await build(stages, poll_after_ms=200)
    events = await collect(await start(driver))
    assert isinstance(events[-1], RunCompleted)
    seen = kinds(server)
    # Read once when the message appeared, once at the end; the steps a few more times.
    assert seen.count("messages") == 2
    assert seen.count("steps") >= 3
    assert names(events).count("MessageCompleted") == 1


async def test_waiting_for_tool_outputs_reads_only_the_run(build: Build, clock: FakeClock) -> None:
    ask = calls(("call_1", "slow", "{}"))
    pending = tool_step("step_1", "in_progress", ("call_1", "slow", "{}", None))
    server, driver = await build(
        [
            Stage("in_progress", steps=[pending]),
            Stage(
                "requires_action",
                steps=[pending],
                run={"required_action": ask, "expires_at": T0 + 600},
            ),
        ]
    )
    events = await collect(await start(driver))  # nobody answers: the run expires
    assert names(events)[-1] == "RunExpired"
    seen = kinds(server)
    assert seen.count("run") >= 30  # re-checked now and then for ten minutes...
    # ...but steps only at the change to requires_action and at the end.
    assert seen.count("steps") <= 3
    assert seen.count("messages") == 1
    step_events = [e for e in events if isinstance(e, StepCreated)]
    assert [e.step.id for e in step_events] == ["step_1"]


async def test_attaching_reads_steps_and_messages_on_the_first_poll(build: Build) -> None:
    writing = Stage(
        "in_progress",
        steps=[message_step("step_1", "msg_1", "in_progress")],
        messages=[message("msg_1", "Half", "in_progress")],
    )
    server, driver = await build([writing] * 5 + [final_stage("Half done")], poll_after_ms=200)
    server.created = True
    session = await driver.attach(THREAD, RUN)
    events = await collect(session)
    # attach read the run; the first poll caught up on everything at once.
    assert kinds(server)[:4] in (
        ["run", "run", "steps", "messages"],
        ["run", "run", "messages", "steps"],
    )
    assert names(events)[:4] == ["RunCreated", "StepCreated", "MessageCreated", "MessageDelta"]
    assert isinstance(events[-1], RunCompleted)

"""The event vocabulary: which events carry the run, for consumers that follow its status."""

from __future__ import annotations

import typing

from playground.protocol import Message, Run, RunStep
from playground.runs.events import (
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    RequiresAction,
    RunCancelled,
    RunCompleted,
    RunCreated,
    RunEvent,
    RunExpired,
    RunFailed,
    RunIncomplete,
    RunStatusChanged,
    StepCreated,
    StepUpdated,
    run_of,
)

RUN = Run(id="run_1", thread_id="thread_1", status="in_progress")
STEP = RunStep.model_validate(
    {
        "id": "step_1",
        "run_id": "run_1",
        "thread_id": "thread_1",
        "type": "message_creation",
        "status": "completed",
        "step_details": {"type": "message_creation", "message_creation": {"message_id": "m"}},
    }
)
MESSAGE = Message(id="msg_1", thread_id="thread_1")

ONE_OF_EACH: list[RunEvent] = [
    RunCreated(RUN),
    RunStatusChanged(RUN, "queued"),
    RequiresAction(RUN, (), None),
    RunCompleted(RUN),
    RunFailed(RUN, "broke"),
    RunIncomplete(RUN, "too long"),
    RunExpired(RUN),
    RunCancelled(RUN),
    StepCreated(STEP),
    StepUpdated(STEP),
    MessageCreated(MESSAGE),
    MessageDelta("msg_1", "hi", MESSAGE),
    MessageCompleted(MESSAGE),
]


def test_the_list_covers_every_event_kind() -> None:
    assert {type(e) for e in ONE_OF_EACH} == set(typing.get_args(RunEvent))


def test_run_of_gives_the_run_snapshot_or_none() -> None:
    for event in ONE_OF_EACH:
        carries_run = not isinstance(
            event, StepCreated | StepUpdated | MessageCreated | MessageDelta | MessageCompleted
        )
        assert run_of(event) is (RUN if carries_run else None), type(event).__name__


def _failed(error: dict[str, str] | None) -> Run:
    return Run.model_validate({"id": "run_2", "status": "failed", "last_error": error})


def test_failure_reasons_read_as_plain_words() -> None:
    from playground.runs.events import failure_reason

    unreachable = "Could not reach the model at http://127.0.0.1:9/v1 (connection refused)."
    # The spec has no code for "the model is down": the server's words stand alone.
    assert failure_reason(_failed({"code": "server_error", "message": unreachable})) == unreachable
    assert failure_reason(_failed({"code": "server_error", "message": ""})) == (
        "The server could not finish the run."
    )
    assert failure_reason(_failed({"code": "rate_limit_exceeded", "message": "slow down"})) == (
        "The model's rate limit or quota was exceeded: slow down"
    )
    assert failure_reason(_failed({"code": "odd", "message": "boom"})) == "boom (odd)"
    assert failure_reason(_failed(None)) == "The run failed; the server did not say why."

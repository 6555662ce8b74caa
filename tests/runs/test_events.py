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

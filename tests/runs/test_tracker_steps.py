"""How the tracker reports steps: created once, updated per real change, never twice."""

from __future__ import annotations

from typing import Any

from playground.protocol import RunStep
from playground.protocol.base import to_wire
from playground.protocol.deltas import RunStepDelta
from playground.runs.events import StepCreated, StepUpdated
from playground.runs.tracker import RunTracker


def _step(arguments: str, status: str = "in_progress") -> RunStep:
    return RunStep.model_validate(
        {
            "id": "step_1",
            "run_id": "run_1",
            "thread_id": "thread_1",
            "type": "tool_calls",
            "status": status,
            "step_details": {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": arguments, "output": None},
                    }
                ],
            },
        }
    )


def _delta(chunk: str | None) -> RunStepDelta:
    body: dict[str, Any] = {}
    if chunk is not None:
        body["step_details"] = {
            "type": "tool_calls",
            "tool_calls": [{"index": 0, "type": "function", "function": {"arguments": chunk}}],
        }
    return RunStepDelta.model_validate({"id": "step_1", "delta": body})


def _arguments(step: RunStep) -> str:
    details = to_wire(step)["step_details"]
    return str(details["tool_calls"][0]["function"]["arguments"])


def test_each_delta_is_one_update_and_an_equal_snapshot_after_them_is_none() -> None:
    tracker = RunTracker()
    assert [type(e) for e in tracker.on_step(_step(""))] == [StepCreated]
    for chunk in ('{"a"', ": 1", "}"):
        (event,) = tracker.on_step_delta(_delta(chunk))
        assert isinstance(event, StepUpdated)
    assert _arguments(tracker.steps["step_1"]) == '{"a": 1}'
    # A poll (or the stream's *.completed) that says the same reports nothing new...
    assert tracker.on_step(_step('{"a": 1}')) == []
    # ...one that differs (here: the status) is an update, and only once.
    assert [type(e) for e in tracker.on_step(_step('{"a": 1}', "completed"))] == [StepUpdated]
    assert tracker.on_step(_step('{"a": 1}', "completed")) == []


def test_an_empty_delta_changes_nothing_and_a_first_delta_creates_the_step() -> None:
    tracker = RunTracker()
    (created,) = tracker.on_step_delta(_delta("{"))
    assert isinstance(created, StepCreated)
    assert tracker.on_step_delta(_delta(None)) == []
    assert [type(e) for e in tracker.on_step_delta(_delta("}"))] == [StepUpdated]
    assert _arguments(tracker.steps["step_1"]) == "{}"


def test_a_shorter_stale_snapshot_after_deltas_is_still_an_update_not_a_silent_drop() -> None:
    """The snapshot is the server's truth; the tracker reports it rather than guessing."""
    tracker = RunTracker()
    tracker.on_step(_step(""))
    tracker.on_step_delta(_delta('{"a": 1}'))
    assert [type(e) for e in tracker.on_step(_step(""))] == [StepUpdated]
    assert _arguments(tracker.steps["step_1"]) == ""

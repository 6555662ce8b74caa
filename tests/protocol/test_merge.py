"""Delta merging (wire reference §5.4): fragments accumulate into the final objects."""

from __future__ import annotations

import copy
import json
from typing import Any

from playground.protocol import (
    CodeInterpreterImageOutput,
    CodeInterpreterLogsOutput,
    CodeInterpreterToolCall,
    FileCitationAnnotation,
    FunctionToolCall,
    ImageFileContent,
    Message,
    MessageDelta,
    RunStep,
    RunStepDelta,
    TextContent,
    ToolCallsDetails,
    accumulate_delta,
    apply_message_delta,
    apply_step_delta,
    to_wire,
)

CREATED_MESSAGE: dict[str, Any] = {
    "id": "msg_1",
    "object": "thread.message",
    "created_at": 1710000000,
    "thread_id": "thread_1",
    "status": "in_progress",
    "incomplete_details": None,
    "completed_at": None,
    "incomplete_at": None,
    "role": "assistant",
    "content": [],
    "assistant_id": "asst_1",
    "run_id": "run_1",
    "attachments": [],
    "metadata": {},
}


def message_delta(*content: dict[str, Any]) -> MessageDelta:
    return MessageDelta.model_validate(
        {"id": "msg_1", "object": "thread.message.delta", "delta": {"content": list(content)}}
    )


def text_part(index: int, value: str | None = None, **text: Any) -> dict[str, Any]:
    body: dict[str, Any] = dict(text)
    if value is not None:
        body["value"] = value
    return {"index": index, "type": "text", "text": body}


def fold_messages(start: Message | None, deltas: list[MessageDelta]) -> Message:
    message = start
    for delta in deltas:
        message = apply_message_delta(message, delta)
    assert message is not None
    return message


CITATION = {
    "index": 0,
    "type": "file_citation",
    "text": "【4:0†notes.txt】",
    "start_index": 20,
    "end_index": 35,
    "file_citation": {"file_id": "file-abc"},
}


def test_text_chunks_annotations_and_parts_fold_into_the_completed_message() -> None:
    deltas = [
        message_delta(text_part(0, "The answer", annotations=[])),
        message_delta(text_part(0, " is 42.")),
        message_delta(text_part(0, " Source: 【4:0†notes.txt】")),
        message_delta(text_part(0, annotations=[CITATION])),
        message_delta({"index": 1, "type": "image_file", "image_file": {"file_id": "file-img"}}),
        message_delta(text_part(0, "!")),
    ]
    final = fold_messages(Message.model_validate(CREATED_MESSAGE), deltas)

    expected_text = "The answer is 42. Source: 【4:0†notes.txt】!"
    citation = {k: v for k, v in CITATION.items() if k != "index"}
    assert to_wire(final) == {
        **CREATED_MESSAGE,
        "content": [
            {"type": "text", "text": {"value": expected_text, "annotations": [citation]}},
            {"type": "image_file", "image_file": {"file_id": "file-img"}},
        ],
    }
    part = final.content[0]
    assert isinstance(part, TextContent)
    annotation = part.text.annotations[0]
    assert isinstance(annotation, FileCitationAnnotation)
    assert annotation.file_citation.file_id == "file-abc"
    assert isinstance(final.content[1], ImageFileContent)


def test_second_text_part_and_annotations_accumulate_by_index() -> None:
    second = {**CITATION, "index": 1, "text": "sandbox:/x.csv", "type": "file_path"}
    second.pop("file_citation")
    second["file_path"] = {"file_id": "file-csv"}
    final = fold_messages(
        Message.model_validate(CREATED_MESSAGE),
        [
            message_delta(text_part(0, "one"), text_part(1, "two", annotations=[])),
            message_delta(text_part(1, " more", annotations=[CITATION])),
            message_delta(text_part(1, annotations=[second])),
        ],
    )
    values = [p.text.value for p in final.content if isinstance(p, TextContent)]
    assert values == ["one", "two more"]
    last = final.content[1]
    assert isinstance(last, TextContent)
    assert [a.type for a in last.text.annotations] == ["file_citation", "file_path"]


def test_delta_before_created_starts_a_message() -> None:
    final = fold_messages(
        None, [message_delta(text_part(0, "Hi")), message_delta(text_part(0, "!"))]
    )
    assert final.id == "msg_1"
    assert final.text() == "Hi!"


def test_inputs_are_not_mutated() -> None:
    start = Message.model_validate(CREATED_MESSAGE)
    before = start.model_dump()
    delta = message_delta(text_part(0, "x", annotations=[CITATION]))
    delta_before = delta.model_dump()
    apply_message_delta(start, delta)
    assert start.model_dump() == before
    assert delta.model_dump() == delta_before


CREATED_STEP: dict[str, Any] = {
    "id": "step_1",
    "object": "thread.run.step",
    "created_at": 1710000001,
    "run_id": "run_1",
    "assistant_id": "asst_1",
    "thread_id": "thread_1",
    "type": "tool_calls",
    "status": "in_progress",
    "cancelled_at": None,
    "completed_at": None,
    "expires_at": 1710000600,
    "failed_at": None,
    "last_error": None,
    "step_details": {"type": "tool_calls", "tool_calls": []},
    "usage": None,
}


def step_delta(*calls: dict[str, Any]) -> RunStepDelta:
    return RunStepDelta.model_validate(
        {
            "id": "step_1",
            "object": "thread.run.step.delta",
            "delta": {"step_details": {"type": "tool_calls", "tool_calls": list(calls)}},
        }
    )


def fold_steps(deltas: list[RunStepDelta]) -> RunStep:
    step = RunStep.model_validate(CREATED_STEP)
    for delta in deltas:
        step = apply_step_delta(step, delta)
    return step


def fn(index: int, **function: Any) -> dict[str, Any]:
    return {"index": index, "type": "function", "function": function}


def test_function_arguments_split_across_deltas_for_two_parallel_calls() -> None:
    deltas = [
        step_delta({**fn(0, name="get_weather", arguments="", output=None), "id": "call_a"}),
        step_delta(fn(0, arguments='{"city": ')),
        step_delta({**fn(1, name="get_time", arguments="", output=None), "id": "call_b"}),
        step_delta(fn(0, arguments='"Oslo"}'), fn(1, arguments='{"tz": "UTC"}')),
    ]
    step = fold_steps(deltas)
    details = step.step_details
    assert isinstance(details, ToolCallsDetails)
    calls = details.tool_calls
    assert all(isinstance(c, FunctionToolCall) for c in calls)
    assert [c.id for c in calls] == ["call_a", "call_b"]
    first, second = calls
    assert isinstance(first, FunctionToolCall) and isinstance(second, FunctionToolCall)
    assert json.loads(first.function.arguments) == {"city": "Oslo"}
    assert json.loads(second.function.arguments) == {"tz": "UTC"}
    assert first.function.name == "get_weather"  # sent once, not doubled
    assert first.function.output is None
    # The wire form carries no bookkeeping "index" keys.
    assert "index" not in json.dumps(to_wire(step))


def test_code_interpreter_input_logs_and_image_accumulate() -> None:
    ci = {"index": 0, "type": "code_interpreter"}
    deltas = [
        step_delta({**ci, "id": "call_ci", "code_interpreter": {"input": "", "outputs": []}}),
        step_delta({**ci, "code_interpreter": {"input": "import math\n"}}),
        step_delta({**ci, "code_interpreter": {"input": "print(math.pi)"}}),
        step_delta(
            {**ci, "code_interpreter": {"outputs": [{"index": 0, "type": "logs", "logs": "3.14"}]}}
        ),
        step_delta(
            {**ci, "code_interpreter": {"outputs": [{"index": 0, "type": "logs", "logs": "159\n"}]}}
        ),
        step_delta(
            {
                **ci,
                "code_interpreter": {
                    "outputs": [{"index": 1, "type": "image", "image": {"file_id": "file-png"}}]
                },
            }
        ),
    ]
    step = fold_steps(deltas)
    assert isinstance(step.step_details, ToolCallsDetails)
    call = step.step_details.tool_calls[0]
    assert isinstance(call, CodeInterpreterToolCall)
    assert call.id == "call_ci"
    assert call.code_interpreter.input == "import math\nprint(math.pi)"
    logs, image = call.code_interpreter.outputs
    assert isinstance(logs, CodeInterpreterLogsOutput) and logs.logs == "3.14159\n"
    assert isinstance(image, CodeInterpreterImageOutput) and image.image.file_id == "file-png"


def test_message_creation_step_delta_sets_the_message_id() -> None:
    created = {
        **CREATED_STEP,
        "type": "message_creation",
        "step_details": {"type": "message_creation", "message_creation": {}},
    }
    delta = RunStepDelta.model_validate(
        {
            "id": "step_1",
            "delta": {
                "step_details": {
                    "type": "message_creation",
                    "message_creation": {"message_id": "msg_9"},
                }
            },
        }
    )
    step = apply_step_delta(RunStep.model_validate(created), delta)
    assert to_wire(step)["step_details"]["message_creation"] == {"message_id": "msg_9"}


def test_generic_rules_numbers_add_scalars_extend_nulls_do_not_erase() -> None:
    snapshot = {"n": 1, "tags": ["a"], "name": "x", "type": "old", "keep": "v", "empty": None}
    original = copy.deepcopy(snapshot)
    merged = accumulate_delta(
        snapshot,
        {"n": 2, "tags": ["b"], "name": "y", "type": "new", "keep": None, "empty": {"k": 1}},
    )
    assert merged == {
        "n": 3,
        "tags": ["a", "b"],
        "name": "xy",
        "type": "new",
        "keep": "v",
        "empty": {"k": 1},
    }
    assert snapshot == original

"""Property tests: unknown fields survive, unknown variants fall back, nothing raises."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from playground.protocol import (
    ANNOTATION_TYPES,
    CONTENT_TYPES,
    EVENT_DATA_TYPES,
    TOOL_CALL_TYPES,
    TOOL_TYPES,
    Assistant,
    ErrorEvent,
    Message,
    Run,
    RunStep,
    StreamDecodeError,
    TextContent,
    ToolCallsDetails,
    UnknownAnnotation,
    UnknownContent,
    UnknownEvent,
    UnknownRequiredAction,
    UnknownStepDetails,
    UnknownTool,
    UnknownToolCall,
    is_known_run_status,
    is_terminal_run_status,
    parse_stream_event,
    to_wire,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=14)

BASES: dict[type[BaseModel], dict[str, Any]] = {
    Run: {"id": "run_1", "object": "thread.run", "status": "queued", "tools": []},
    Message: {"id": "msg_1", "object": "thread.message", "content": []},
    Assistant: {"id": "asst_1", "object": "assistant", "model": "m", "tools": []},
    RunStep: {
        "id": "step_1",
        "object": "thread.run.step",
        "status": "completed",
        "step_details": {"type": "tool_calls", "tool_calls": []},
    },
}


def unknown(known: Any) -> st.SearchStrategy[str]:
    return names.filter(lambda n: n not in set(known))


@FAST
@given(
    model=st.sampled_from(list(BASES)),
    extras=st.dictionaries(names, json_values, min_size=1, max_size=4),
)
def test_unknown_top_level_fields_are_kept(model: type[BaseModel], extras: dict[str, Any]) -> None:
    extras = {k: v for k, v in extras.items() if k not in model.model_fields}
    payload = {**BASES[model], **extras}
    parsed = model.model_validate(payload)
    assert to_wire(parsed) == payload
    # And through JSON text, as the stream parser reads it.
    assert to_wire(model.model_validate_json(json.dumps(payload))) == payload


@FAST
@given(tool_type=unknown(TOOL_TYPES), fields=st.dictionaries(names, json_values, max_size=3))
def test_unknown_tool_types_fall_back_and_keep_fields(
    tool_type: str, fields: dict[str, Any]
) -> None:
    tool = {**{k: v for k, v in fields.items() if k != "type"}, "type": tool_type}
    assistant = Assistant.model_validate(
        {**BASES[Assistant], "tools": [{"type": "function", "function": {"name": "f"}}, tool]}
    )
    assert isinstance(assistant.tools[1], UnknownTool)
    assert assistant.tools[1].type == tool_type
    assert to_wire(assistant)["tools"][1] == tool


@FAST
@given(
    part_type=unknown(CONTENT_TYPES),
    note_type=unknown(ANNOTATION_TYPES),
    payload=json_values,
)
def test_unknown_content_and_annotation_types_fall_back(
    part_type: str, note_type: str, payload: Any
) -> None:
    message = Message.model_validate(
        {
            **BASES[Message],
            "content": [
                {
                    "type": "text",
                    "text": {"value": "v", "annotations": [{"type": note_type, "x": payload}]},
                },
                {"type": part_type, part_type: payload},
            ],
        }
    )
    text, other = message.content
    assert isinstance(text, TextContent)
    assert isinstance(text.text.annotations[0], UnknownAnnotation)
    assert isinstance(other, UnknownContent)
    assert to_wire(message)["content"][1] == {"type": part_type, part_type: payload}


@FAST
@given(
    call_type=unknown(TOOL_CALL_TYPES),
    details_type=unknown(["tool_calls", "message_creation"]),
    payload=json_values,
)
def test_unknown_tool_calls_and_step_details_fall_back(
    call_type: str, details_type: str, payload: Any
) -> None:
    step = RunStep.model_validate(
        {
            **BASES[RunStep],
            "step_details": {
                "type": "tool_calls",
                "tool_calls": [{"id": "c", "type": call_type, call_type: payload}],
            },
        }
    )
    assert isinstance(step.step_details, ToolCallsDetails)
    call = step.step_details.tool_calls[0]
    assert isinstance(call, UnknownToolCall) and call.type == call_type
    assert to_wire(step)["step_details"]["tool_calls"][0][call_type] == payload
    other = RunStep.model_validate(
        {**BASES[RunStep], "step_details": {"type": details_type, "x": payload}}
    )
    assert isinstance(other.step_details, UnknownStepDetails)


@FAST
@given(status=names, action_type=unknown(["submit_tool_outputs", "submit_tool_approval"]))
def test_unknown_run_status_and_required_action_parse(status: str, action_type: str) -> None:
    run = Run.model_validate(
        {**BASES[Run], "status": status, "required_action": {"type": action_type}}
    )
    assert run.status == status
    assert isinstance(run.required_action, UnknownRequiredAction)
    assert run.pending_tool_calls == []
    if not is_known_run_status(status):
        assert not is_terminal_run_status(status)


@FAST
@given(
    event=names.filter(lambda n: n not in EVENT_DATA_TYPES and n not in ("error", "done")),
    data=st.text(max_size=40) | json_values.map(json.dumps),
)
def test_unknown_event_names_never_raise(event: str, data: str) -> None:
    parsed = parse_stream_event(event, data)
    assert isinstance(parsed, UnknownEvent)
    assert parsed.raw == data


@FAST
@given(event=st.sampled_from([*EVENT_DATA_TYPES, "error"]), data=st.text(max_size=40))
def test_known_events_with_garbage_raise_only_stream_decode_error(event: str, data: str) -> None:
    try:
        parsed = parse_stream_event(event, data)
    except StreamDecodeError as exc:
        assert exc.event == event and exc.data == data
    else:
        assert parsed.event == event
        if event == "error":
            assert isinstance(parsed, ErrorEvent)

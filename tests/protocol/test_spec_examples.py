"""Every Assistants example in the shared specs parses and dumps back unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from playground.protocol import (
    Assistant,
    DeletedObject,
    DoneEvent,
    FileObject,
    FunctionToolCall,
    ListPage,
    Message,
    MessageDelta,
    MessageDeltaEvent,
    MessageEvent,
    Run,
    RunEvent,
    RunStep,
    RunStepDelta,
    RunStepDeltaEvent,
    RunStepEvent,
    StreamDecodeError,
    Thread,
    ToolCallsDetails,
    UnknownContent,
    UnknownEvent,
    UnknownTool,
    UnknownToolCall,
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
    apply_message_delta,
    apply_step_delta,
    parse_stream_event,
)
from tests.protocol.spec_examples import (
    azure_inline_examples,
    azure_object_examples,
    iter_sse,
    object_kind,
    openai_object_examples,
    openai_stream_examples,
)

MODELS: dict[str, type[BaseModel]] = {
    "assistant": Assistant,
    "thread": Thread,
    "thread.message": Message,
    "thread.message.delta": MessageDelta,
    "thread.run": Run,
    "thread.run.step": RunStep,
    "thread.run.step.delta": RunStepDelta,
    "file": FileObject,
    "vector_store": VectorStore,
    "vector_store.file": VectorStoreFile,
    "vector_store.files_batch": VectorStoreFileBatch,
    "vector_store.file_batch": VectorStoreFileBatch,
}


def model_for(kind: str) -> type[BaseModel]:
    if kind.endswith(".deleted"):
        return DeletedObject
    if kind.startswith("list:"):
        page: type[BaseModel] = ListPage[MODELS[kind.removeprefix("list:")]]  # type: ignore[misc,assignment]
        return page
    return MODELS[kind]


def _no_unknown_variants(value: Any) -> None:
    """Spec examples only use documented variants, so no fallback class may appear."""
    if isinstance(value, UnknownTool | UnknownContent | UnknownToolCall):
        raise AssertionError(f"documented payload fell back to {type(value).__name__}")
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _no_unknown_variants(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            _no_unknown_variants(item)


def assert_round_trip(payload: dict[str, Any]) -> BaseModel:
    kind = object_kind(payload)
    assert kind is not None
    model = model_for(kind)
    parsed = model.model_validate(payload)
    assert parsed.model_dump(mode="json", exclude_unset=True) == payload
    _no_unknown_variants(parsed)
    return parsed


OPENAI = openai_object_examples()
AZURE = azure_object_examples() + azure_inline_examples()


def test_the_spec_has_examples_for_every_core_object() -> None:
    kinds = {object_kind(p) for _, p in OPENAI}
    expected = {"assistant", "thread", "thread.message", "thread.run", "thread.run.step", "file"}
    assert expected <= kinds
    assert {"thread.message.delta", "thread.run.step.delta", "vector_store"} <= kinds


@pytest.mark.parametrize(("where", "payload"), OPENAI, ids=[w for w, _ in OPENAI])
def test_openai_example_round_trips(where: str, payload: dict[str, Any]) -> None:
    assert_round_trip(payload)


@pytest.mark.parametrize(("where", "payload"), AZURE, ids=[w for w, _ in AZURE])
def test_azure_example_round_trips(where: str, payload: dict[str, Any]) -> None:
    assert_round_trip(payload)


def test_azure_quirks_are_readable() -> None:
    examples = dict(azure_object_examples())
    run = Run.model_validate(examples["create_thread_and_run.json"])
    # Azure's TypeSpec example sends incomplete_details as the *string* "null".
    assert run.incomplete_details == "null"
    assert run.incomplete_reason is None
    files = ListPage[FileObject].model_validate(examples["list_file.json"])
    # No cursor fields in Azure's /files list; has_more defaults to False.
    assert files.first_id is None and files.has_more is False
    assert files.data[0].id.startswith("assistant-")
    message = Message.model_validate(examples["get_message.json"])
    assert message.file_ids == [] and message.status is None


STREAMS = openai_stream_examples()


def repair_spec_typo(data: str) -> str:
    """The spec's run events end in one ``}`` too many (a documentation bug)."""
    try:
        json.loads(data)
    except ValueError:
        if data.endswith("}}"):
            return data[:-1]
    return data


@pytest.mark.parametrize(("where", "text"), STREAMS, ids=[w for w, _ in STREAMS])
def test_stream_example_parses(where: str, text: str) -> None:
    records = list(iter_sse(text))
    assert records, "example had no events"
    events = []
    for name, data in records:
        if data != repair_spec_typo(data):
            # The broken original is rejected with the specific error, never accepted.
            with pytest.raises(StreamDecodeError, match="not valid JSON"):
                parse_stream_event(name, data)
        events.append(parse_stream_event(name, repair_spec_typo(data)))
    assert isinstance(events[-1], DoneEvent)
    assert not any(isinstance(e, UnknownEvent) for e in events)
    assert any(isinstance(e, RunEvent) for e in events)
    for event in events:
        if not isinstance(event, DoneEvent):
            assert event.event == records[events.index(event)][0]


def _fold(text: str) -> tuple[dict[str, Message], dict[str, RunStep], list[Run]]:
    messages: dict[str, Message] = {}
    steps: dict[str, RunStep] = {}
    runs: list[Run] = []
    for name, data in iter_sse(text):
        event = parse_stream_event(name, repair_spec_typo(data))
        if isinstance(event, MessageEvent) and event.event == "thread.message.created":
            # Only the created snapshot is kept, so the fold itself builds the final text.
            messages[event.data.id] = event.data
        elif isinstance(event, MessageDeltaEvent):
            messages[event.data.id] = apply_message_delta(messages.get(event.data.id), event.data)
        elif isinstance(event, RunStepEvent) and event.event == "thread.run.step.created":
            steps[event.data.id] = event.data
        elif isinstance(event, RunStepDeltaEvent):
            steps[event.data.id] = apply_step_delta(steps[event.data.id], event.data)
        elif isinstance(event, RunEvent):
            runs.append(event.data)
    return messages, steps, runs


def test_spec_message_stream_folds_to_the_completed_text() -> None:
    text = dict(STREAMS)["POST /threads/runs Streaming"]
    completed = [
        parse_stream_event(n, d) for n, d in iter_sse(text) if n == "thread.message.completed"
    ]
    messages, _, runs = _fold(text)
    assert len(completed) == 1 and isinstance(completed[0], MessageEvent)
    final = completed[0].data
    fragments = [
        e.data.text()
        for e in (parse_stream_event(n, d) for n, d in iter_sse(text))
        if isinstance(e, MessageDeltaEvent)
    ]
    # Folding concatenates every fragment onto the created snapshot (content: []); the
    # example elides middle deltas, so the final text is only checked at both ends.
    assert len(fragments) >= 2
    assert messages[final.id].text() == "".join(fragments)
    assert final.text().startswith(fragments[0])
    assert final.text().endswith(fragments[-1])
    assert runs[0].status == "queued"


def test_spec_function_stream_folds_arguments() -> None:
    text = dict(STREAMS)["POST /threads/runs Streaming with Functions"]
    _, steps, runs = _fold(text)
    step = steps["step_001"]
    assert isinstance(step.step_details, ToolCallsDetails)
    call = step.step_details.tool_calls[0]
    assert isinstance(call, FunctionToolCall)
    assert call.id == "call_XXNp8YGaFrjrSjgqxtC8JJ1B"
    assert call.function.name == "get_current_weather"
    # The example elides the middle deltas ("..."), so only the ends are checked.
    assert call.function.arguments.startswith('{"location')
    assert call.function.arguments.endswith('ahrenheit"}')
    assert runs[-1].status == "requires_action"
    pending = runs[-1].pending_tool_calls
    assert [c.id for c in pending] == [call.id]
    assert json.loads(pending[0].function.arguments)["unit"] == "fahrenheit"


def test_stream_examples_were_found() -> None:
    titles = " ".join(w for w, _ in STREAMS)
    assert len(STREAMS) >= 4
    assert "submit_tool_outputs" in titles

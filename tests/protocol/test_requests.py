"""Request models: only set fields are sent; documented request bodies validate."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from playground.protocol import (
    Assistant,
    CodeInterpreterTool,
    CreateAssistant,
    CreateMessage,
    CreateRun,
    CreateThread,
    CreateThreadAndRun,
    CreateVectorStore,
    FileSearchOptions,
    FileSearchTool,
    FunctionDefinition,
    FunctionTool,
    ImageUrlInput,
    ModifyAssistant,
    RankingOptions,
    ResponseFormatJsonSchema,
    SubmitToolOutputs,
    TextInput,
    ToolApproval,
    ToolChoiceObject,
    ToolOutput,
    to_body,
)


def test_to_body_sends_only_what_was_set_including_explicit_nulls() -> None:
    body = to_body(ModifyAssistant(name="Tutor", tool_resources=None))
    # tool_resources=None was set on purpose (it clears); everything else stays absent.
    assert body == {"name": "Tutor", "tool_resources": None}


def test_create_assistant_body_matches_the_wire_form() -> None:
    request = CreateAssistant(
        model="gpt-4o",
        instructions="Be brief.",
        tools=[
            CodeInterpreterTool(),
            FileSearchTool(
                file_search=FileSearchOptions(
                    max_num_results=5, ranking_options=RankingOptions(score_threshold=0.5)
                )
            ),
            FunctionTool(
                function=FunctionDefinition(
                    name="get_weather",
                    parameters={"type": "object", "properties": {}},
                    strict=True,
                )
            ),
        ],
        response_format=ResponseFormatJsonSchema.model_validate(
            {"json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True}}
        ),
        tool_resources={"file_search": {"vector_stores": [{"file_ids": ["file-1"]}]}},
    )
    assert to_body(request) == {
        "model": "gpt-4o",
        "instructions": "Be brief.",
        "tools": [
            {"type": "code_interpreter"},
            {
                "type": "file_search",
                "file_search": {"max_num_results": 5, "ranking_options": {"score_threshold": 0.5}},
            },
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {"type": "object", "properties": {}},
                    "strict": True,
                },
            },
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
        },
        "tool_resources": {"file_search": {"vector_stores": [{"file_ids": ["file-1"]}]}},
    }


def test_the_type_literal_is_sent_even_when_defaulted() -> None:
    # A defaulted discriminator would vanish under exclude_unset; the wire needs it.
    assert to_body(CodeInterpreterTool()) == {"type": "code_interpreter"}
    assert to_body(TextInput(text="hi")) == {"type": "text", "text": "hi"}


def test_message_content_string_or_parts() -> None:
    plain = CreateMessage(role="user", content="Hello")
    parts = CreateMessage(
        role="user",
        content=[
            TextInput(text="What is this?"),
            ImageUrlInput.model_validate(
                {"image_url": {"url": "https://x/y.png", "detail": "low"}}
            ),
        ],
        attachments=[{"file_id": "file-1", "tools": [{"type": "file_search"}]}],
    )
    assert to_body(plain) == {"role": "user", "content": "Hello"}
    assert to_body(parts)["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "https://x/y.png", "detail": "low"},
    }
    assert to_body(parts)["attachments"] == [
        {"file_id": "file-1", "tools": [{"type": "file_search"}]}
    ]


def test_run_requests_and_tool_outputs() -> None:
    run = CreateRun(
        assistant_id="asst_1",
        additional_messages=[CreateMessage(role="user", content="again")],
        tool_choice=ToolChoiceObject(type="function", function={"name": "f"}),
        truncation_strategy={"type": "last_messages", "last_messages": 4},
        stream=True,
    )
    assert to_body(run) == {
        "assistant_id": "asst_1",
        "additional_messages": [{"role": "user", "content": "again"}],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "truncation_strategy": {"type": "last_messages", "last_messages": 4},
        "stream": True,
    }
    assert to_body(CreateRun(assistant_id="a", tool_choice="required")) == {
        "assistant_id": "a",
        "tool_choice": "required",
    }
    outputs = SubmitToolOutputs(tool_outputs=[ToolOutput(tool_call_id="call_1", output="70F")])
    assert to_body(outputs) == {"tool_outputs": [{"tool_call_id": "call_1", "output": "70F"}]}
    approvals = SubmitToolOutputs(tool_approvals=[ToolApproval(tool_call_id="c", approve=False)])
    assert to_body(approvals) == {"tool_approvals": [{"tool_call_id": "c", "approve": False}]}


def test_documented_request_bodies_validate() -> None:
    # Request bodies from the Azure 2024-05-01-preview examples.
    created = CreateAssistant.model_validate(
        {
            "name": "Math Tutor",
            "instructions": "When a customer asks about a specific math problem, use Python.",
            "tools": [{"type": "code_interpreter"}],
            "model": "gpt-4-1106-preview",
        }
    )
    assert isinstance(created.tools and created.tools[0], CodeInterpreterTool)
    thread_run = CreateThreadAndRun.model_validate(
        {
            "assistant_id": "asst_abc123",
            "thread": {"messages": [{"role": "user", "content": "Explain deep learning."}]},
        }
    )
    assert isinstance(thread_run.thread, CreateThread)
    assert to_body(thread_run)["thread"]["messages"][0]["content"] == "Explain deep learning."
    store = CreateVectorStore.model_validate(
        {
            "name": "docs",
            "chunking_strategy": {
                "type": "static",
                "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
            },
        }
    )
    assert to_body(store)["chunking_strategy"]["static"]["chunk_overlap_tokens"] == 400


def test_missing_required_fields_fail_with_the_field_name() -> None:
    with pytest.raises(ValidationError, match="model"):
        CreateAssistant.model_validate({"name": "x"})
    with pytest.raises(ValidationError, match="tool_call_id"):
        ToolOutput.model_validate({"output": "x"})


def test_json_schema_response_format_keeps_the_schema_key() -> None:
    payload = {
        "id": "asst_1",
        "object": "assistant",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": None},
        },
    }
    assistant = Assistant.model_validate(payload)
    assert isinstance(assistant.response_format, ResponseFormatJsonSchema)
    assert assistant.response_format.json_schema.schema_ == {"type": "object"}
    # "schema" is stored under an alias; a plain dump must still use the wire name.
    assert assistant.model_dump(mode="json", exclude_unset=True) == payload
    assert (
        Assistant.model_validate({"id": "a", "response_format": "auto"}).response_format == "auto"
    )

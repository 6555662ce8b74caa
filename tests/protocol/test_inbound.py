"""The request parser the runtime uses: every field the specs define is accepted, anything
else is refused with OpenAI's words and ``param``, and fields of the other Assistants
version are named as such."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from playground.protocol import limits
from playground.protocol.errors import RequestError
from playground.protocol.inbound import parse_body
from playground.protocol.requests import (
    CreateAssistant,
    CreateMessage,
    CreateRun,
    CreateThread,
    CreateThreadAndRun,
    CreateVectorStore,
    CreateVectorStoreFile,
    CreateVectorStoreFileBatch,
    ModifyAssistant,
    ModifyMessage,
    ModifyRun,
    ModifyThread,
    ModifyVectorStore,
    SubmitToolOutputs,
)

SPECS = Path(__file__).resolve().parents[2] / "specs"

#: request model → (OpenAI schema, Azure 2024-05-01-preview definition or None)
REQUESTS: list[tuple[type[BaseModel], str, str | None]] = [
    (CreateAssistant, "CreateAssistantRequest", "AssistantCreationOptions"),
    (ModifyAssistant, "ModifyAssistantRequest", "UpdateAssistantOptions"),
    (CreateThread, "CreateThreadRequest", "AssistantThreadCreationOptions"),
    (ModifyThread, "ModifyThreadRequest", "UpdateAssistantThreadOptions"),
    (CreateMessage, "CreateMessageRequest", "ThreadMessageOptions"),
    (ModifyMessage, "ModifyMessageRequest", None),
    (CreateRun, "CreateRunRequest", "CreateRunOptions"),
    (CreateThreadAndRun, "CreateThreadAndRunRequest", "CreateAndRunThreadOptions"),
    (ModifyRun, "ModifyRunRequest", None),
    (SubmitToolOutputs, "SubmitToolOutputsRunRequest", None),
    (CreateVectorStore, "CreateVectorStoreRequest", "VectorStoreOptions"),
    (ModifyVectorStore, "UpdateVectorStoreRequest", "VectorStoreUpdateOptions"),
    (CreateVectorStoreFile, "CreateVectorStoreFileRequest", None),
    (CreateVectorStoreFileBatch, "CreateVectorStoreFileBatchRequest", None),
]


@cache
def _openai() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPECS / "openai-openapi.yaml").open() as handle:
        schemas: dict[str, Any] = yaml.load(handle, Loader=loader)["components"]["schemas"]
    return schemas


@cache
def _azure() -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads(
        (SPECS / "azure-openai-assistants-2024-05-01-preview.json").read_text()
    )["definitions"]
    return definitions


def _fields(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


@pytest.mark.parametrize(("model", "openai", "azure"), REQUESTS, ids=lambda v: str(v))
def test_every_field_the_specs_define_is_a_model_field(
    model: type[BaseModel], openai: str, azure: str | None
) -> None:
    spec_fields = set(_openai()[openai]["properties"])
    if azure is not None:
        spec_fields |= set(_azure()[azure]["properties"])
    assert spec_fields <= _fields(model), spec_fields - _fields(model)


def _error(model: type[BaseModel], body: dict[str, Any], family: str = "v2") -> RequestError:
    with pytest.raises(RequestError) as caught:
        parse_body(model, body, family=family)  # type: ignore[arg-type]
    return caught.value


def test_unknown_fields_are_refused_with_the_services_words() -> None:
    error = _error(CreateAssistant, {"model": "m", "bogus": 1})
    assert (error.message, error.param) == (
        "Unrecognized request argument supplied: bogus",
        "bogus",
    )
    nested = _error(
        CreateAssistant,
        {"model": "m", "tools": [{"type": "function", "function": {"name": "f", "x": 1}}]},
    )
    assert nested.param == "tools[0].function.x"


def test_validation_errors_carry_the_param_path() -> None:
    bad_name = {"type": "function", "function": {"name": "no spaces"}}
    error = _error(
        CreateAssistant, {"model": "m", "tools": [{"type": "code_interpreter"}, bad_name]}
    )
    assert error.param == "tools[1].function.name" and error.code == "invalid_value"
    missing = _error(CreateRun, {})
    assert (missing.message, missing.param) == (
        "Missing required parameter: 'assistant_id'.",
        "assistant_id",
    )
    wrong = _error(CreateMessage, {"role": "user", "content": 3})
    assert wrong.message == "Invalid type for 'content': expected a string, but got an integer."
    too_many = {str(i): "v" for i in range(limits.MAX_METADATA_PAIRS + 1)}
    assert _error(ModifyThread, {"metadata": too_many}).param == "metadata"
    assert _error(CreateRun, {"assistant_id": "a", "temperature": 2.5}).param == "temperature"


def test_fields_of_the_other_version_are_named_not_dropped() -> None:
    v1_on_v2 = _error(CreateAssistant, {"model": "m", "file_ids": ["file-1"]})
    assert v1_on_v2.param == "file_ids" and "Assistants v1" in v1_on_v2.message
    message = _error(CreateThread, {"messages": [{"role": "user", "content": "x", "file_ids": []}]})
    assert message.param == "messages[0].file_ids"
    retrieval = _error(CreateAssistant, {"model": "m", "tools": [{"type": "retrieval"}]})
    assert retrieval.param == "tools[0].type" and "Assistants v1 tool" in retrieval.message
    v2_on_v1 = _error(CreateThread, {"tool_resources": {}}, family="v1")
    assert v2_on_v1.param == "tool_resources" and "Assistants v2" in v2_on_v1.message
    attachments = _error(CreateMessage, {"role": "user", "content": "x", "attachments": []}, "v1")
    assert attachments.param == "attachments"


def test_every_optional_field_parses() -> None:
    body = {
        "assistant_id": "asst_1",
        "model": "m",
        "instructions": "i",
        "additional_instructions": "more",
        "additional_messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "t"},
                    {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}},
                ],
                "attachments": [{"file_id": "file-1", "tools": [{"type": "file_search"}]}],
                "metadata": {"k": "v"},
            }
        ],
        "tools": [
            {"type": "code_interpreter"},
            {
                "type": "file_search",
                "file_search": {
                    "max_num_results": 5,
                    "ranking_options": {"ranker": "auto", "score_threshold": 0.2},
                },
            },
            {
                "type": "function",
                "function": {"name": "f", "description": "d", "parameters": {}, "strict": True},
            },
        ],
        "metadata": {"a": "b"},
        "temperature": 0.5,
        "top_p": 0.9,
        "stream": False,
        "max_prompt_tokens": 1000,
        "max_completion_tokens": 500,
        "truncation_strategy": {"type": "last_messages", "last_messages": 3},
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "parallel_tool_calls": False,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "a", "schema": {"type": "object"}, "strict": True},
        },
        "reasoning_effort": "low",
    }
    run = parse_body(CreateRun, body, family="v2")
    assert run.model_dump(mode="json", exclude_unset=True, by_alias=True) == body

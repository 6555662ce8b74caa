"""The per-version shape table agrees with the specs it cites, row by row."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from playground.protocol.shapes import FIELDS, fit

SPECS = Path(__file__).resolve().parents[2] / "specs"

OPENAI = {
    "assistant": "AssistantObject",
    "thread": "ThreadObject",
    "message": "MessageObject",
    "run": "RunObject",
    "step": "RunStepObject",
    "vector_store": "VectorStoreObject",
    "vector_store_file": "VectorStoreFileObject",
    "file_batch": "VectorStoreFileBatchObject",
    "file": "OpenAIFile",
}
AZURE = {
    "assistant": "Assistant",
    "thread": "AssistantThread",
    "message": "ThreadMessage",
    "run": "ThreadRun",
    "step": "RunStep",
    "vector_store": "VectorStore",
    "vector_store_file": "VectorStoreFile",
    "file_batch": "VectorStoreFileBatch",
    "file": "OpenAIFile",
}


@cache
def _openai() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPECS / "openai-openapi.yaml").open() as handle:
        schemas: dict[str, Any] = yaml.load(handle, Loader=loader)["components"]["schemas"]
    return schemas


@cache
def _azure() -> dict[str, Any]:
    path = SPECS / "azure-openai-assistants-2024-05-01-preview.json"
    definitions: dict[str, Any] = json.loads(path.read_text())["definitions"]
    return definitions


@pytest.mark.parametrize("kind", sorted(OPENAI))
def test_v2_row_is_the_openai_schema(kind: str) -> None:
    assert FIELDS["v2"][kind] == set(_openai()[OPENAI[kind]]["properties"])


@pytest.mark.parametrize("kind", sorted(AZURE))
def test_2024_05_01_row_is_the_azure_definition(kind: str) -> None:
    assert FIELDS["2024-05-01-preview"][kind] == set(_azure()[AZURE[kind]]["properties"])


def test_2024_05_01_nested_differences() -> None:
    step = {
        "id": "step_1",
        "step_details": {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "file_search",
                    "file_search": {"ranking_options": {"ranker": "auto"}, "results": []},
                }
            ],
        },
        "expires_at": 5,
    }
    fitted = fit("step", step, "2024-05-01-preview")
    assert fitted["step_details"]["tool_calls"][0] == {
        "id": "call_1",
        "type": "file_search",
        "file_search": {},
    }
    assert "expires_at" not in fitted
    citation = {"type": "file_citation", "text": "[1]", "file_citation": {"file_id": "f"}}
    message = {"content": [{"type": "text", "text": {"value": "x", "annotations": [citation]}}]}
    quoted = fit("message", message, "2024-05-01-preview")["content"][0]["text"]["annotations"]
    assert quoted[0]["file_citation"] == {"quote": "", "file_id": "f"}
    run = {"tools": [{"type": "file_search", "file_search": {"max_num_results": 3}}]}
    assert fit("run", run, "2024-05-01-preview")["tools"] == [{"type": "file_search"}]

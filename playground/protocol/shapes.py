"""Which fields each wire version's objects carry: one table, used to build responses.

The runtime stores objects in the newest (OpenAI v2) shape and answers every client in the
shape of the version it asked for. Each version gets exactly the fields its own definition
lists, no more: a client generated from the 2024-05-01-preview Azure spec must not meet
``parallel_tool_calls``, and nothing outside the OpenAI schema leaves the server.

Sources: ``specs/openai-openapi.yaml`` (v2, OpenAI and Azure from 2024-07-01-preview on),
``specs/azure-openai-assistants-2024-05-01-preview.json`` (the first v2 Azure version) and
the Assistants v1 objects (OpenAI ``assistants=v1``, Azure 2024-02-15 to 2024-04-01-preview)
as the wire reference §8.1 lists them. ``tests/protocol/test_shapes.py`` checks the v2
and 2024-05-01-preview rows against the specs.
"""

from __future__ import annotations

from typing import Any, Final, Literal

#: The response shapes the runtime can speak.
Shape = Literal["v1", "2024-05-01-preview", "v2"]
#: Object kinds with a shape row (``vector_store_file`` = ``vector_store.file``).
Kind = Literal[
    "assistant",
    "thread",
    "message",
    "run",
    "step",
    "vector_store",
    "vector_store_file",
    "file_batch",
    "file",
]

_ASSISTANT_V2 = frozenset(
    {
        "id",
        "object",
        "created_at",
        "name",
        "description",
        "model",
        "instructions",
        "tools",
        "tool_resources",
        "metadata",
        "temperature",
        "top_p",
        "response_format",
    }
)
_THREAD_V2 = frozenset({"id", "object", "created_at", "tool_resources", "metadata"})
_MESSAGE_V2 = frozenset(
    {
        "id",
        "object",
        "created_at",
        "thread_id",
        "status",
        "incomplete_details",
        "completed_at",
        "incomplete_at",
        "role",
        "content",
        "assistant_id",
        "run_id",
        "attachments",
        "metadata",
    }
)
_RUN_V2 = frozenset(
    {
        "id",
        "object",
        "created_at",
        "thread_id",
        "assistant_id",
        "status",
        "required_action",
        "last_error",
        "expires_at",
        "started_at",
        "cancelled_at",
        "failed_at",
        "completed_at",
        "incomplete_details",
        "model",
        "instructions",
        "tools",
        "metadata",
        "usage",
        "temperature",
        "top_p",
        "max_prompt_tokens",
        "max_completion_tokens",
        "truncation_strategy",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
    }
)
_STEP_V2 = frozenset(
    {
        "id",
        "object",
        "created_at",
        "assistant_id",
        "thread_id",
        "run_id",
        "type",
        "status",
        "step_details",
        "last_error",
        "expired_at",
        "cancelled_at",
        "failed_at",
        "completed_at",
        "metadata",
        "usage",
    }
)
_VECTOR_STORE = frozenset(
    {
        "id",
        "object",
        "created_at",
        "name",
        "usage_bytes",
        "file_counts",
        "status",
        "expires_after",
        "expires_at",
        "last_active_at",
        "metadata",
    }
)
_VS_FILE_V2 = frozenset(
    {
        "id",
        "object",
        "usage_bytes",
        "created_at",
        "vector_store_id",
        "status",
        "last_error",
        "chunking_strategy",
        "attributes",
    }
)
_BATCH = frozenset({"id", "object", "created_at", "vector_store_id", "status", "file_counts"})
_FILE = frozenset(
    {
        "id",
        "object",
        "bytes",
        "created_at",
        "expires_at",
        "filename",
        "purpose",
        "status",
        "status_details",
    }
)

FIELDS: Final[dict[Shape, dict[str, frozenset[str]]]] = {
    "v2": {
        "assistant": _ASSISTANT_V2,
        "thread": _THREAD_V2,
        "message": _MESSAGE_V2,
        "run": _RUN_V2,
        "step": _STEP_V2,
        "vector_store": _VECTOR_STORE,
        "vector_store_file": _VS_FILE_V2,
        "file_batch": _BATCH,
        "file": _FILE,
    },
    "2024-05-01-preview": {
        "assistant": _ASSISTANT_V2,
        "thread": _THREAD_V2,
        "message": _MESSAGE_V2,
        "run": _RUN_V2 - {"parallel_tool_calls"},
        "step": _STEP_V2,
        "vector_store": _VECTOR_STORE,
        "vector_store_file": _VS_FILE_V2 - {"chunking_strategy", "attributes"},
        "file_batch": _BATCH,
        "file": _FILE - {"expires_at"},
    },
    "v1": {
        "assistant": (_ASSISTANT_V2 - {"tool_resources", "temperature", "top_p", "response_format"})
        | {"file_ids"},
        "thread": _THREAD_V2 - {"tool_resources"},
        "message": (
            _MESSAGE_V2
            - {"status", "incomplete_details", "completed_at", "incomplete_at", "attachments"}
        )
        | {"file_ids"},
        "run": (
            _RUN_V2
            - {
                "incomplete_details",
                "temperature",
                "top_p",
                "max_prompt_tokens",
                "max_completion_tokens",
                "truncation_strategy",
                "tool_choice",
                "parallel_tool_calls",
                "response_format",
            }
        )
        | {"file_ids"},
        "step": _STEP_V2,
        "file": _FILE - {"expires_at"},
    },
}

#: Azure api-versions whose objects follow the 2024-05-01-preview definition.
AZURE_2024_05_01: Final = frozenset({"2024-05-01-preview"})


def fit(kind: str, obj: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """``obj`` (already in ``shape``'s field vocabulary) cut to the fields ``shape`` has,
    with the nested differences of that version applied."""
    allowed = FIELDS[shape].get(kind)
    out = {k: v for k, v in obj.items() if allowed is None or k in allowed}
    if shape == "2024-05-01-preview":
        out = _fit_2024_05_01(kind, out)
    return out


def _fit_2024_05_01(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """2024-05-01-preview: file_search has no options and its calls no results yet, and
    a file citation carries a ``quote``."""
    if kind in ("assistant", "run") and isinstance(obj.get("tools"), list):
        obj["tools"] = [
            {"type": "file_search"} if t.get("type") == "file_search" else t for t in obj["tools"]
        ]
    if kind == "step":
        details = obj.get("step_details") or {}
        if details.get("type") == "tool_calls":
            calls = [
                {"id": c.get("id"), "type": "file_search", "file_search": {}}
                if c.get("type") == "file_search"
                else c
                for c in details.get("tool_calls") or []
            ]
            obj["step_details"] = {**details, "tool_calls": calls}
    if kind == "message":
        obj["content"] = with_citation_quotes(obj.get("content") or [])
    return obj


def with_citation_quotes(content: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Text parts whose ``file_citation`` annotations carry ``quote`` (v1, 2024-05-01)."""
    parts = []
    for part in content:
        if part.get("type") == "text":
            text = dict(part["text"])
            annotations = []
            for annotation in text.get("annotations") or []:
                if annotation.get("type") == "file_citation":
                    citation = {"quote": "", **annotation.get("file_citation", {})}
                    annotation = {**annotation, "file_citation": citation}
                annotations.append(annotation)
            text["annotations"] = annotations
            part = {**part, "text": text}
        parts.append(part)
    return parts

"""Collect example payloads from the shared OpenAI and Azure specs for the protocol tests.

The OpenAI spec stores examples as JSON text under ``x-oaiMeta``; a few have trailing
commas (hand-written docs), which we strip before parsing. Azure's spec only references
its example files, so their response bodies are kept in ``fixtures/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from playground.protocol.sse import decode_all
from tests.helpers.specs import AZURE_SPEC, OPENAI_SPEC

AZURE_EXAMPLES = Path(__file__).parent / "fixtures" / "azure_2024_05_01_preview_examples.json"

_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


@dataclass(frozen=True)
class Example:
    """One example payload and where it came from (for test ids)."""

    where: str
    text: str


@cache
def openai_spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with OPENAI_SPEC.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=loader)
    return spec


def _oai_examples() -> Iterator[Example]:
    spec = openai_spec()
    for name, schema in spec["components"]["schemas"].items():
        example = (schema.get("x-oaiMeta") or {}).get("example")
        if isinstance(example, str):
            yield Example(f"schema:{name}", example)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            examples = (operation.get("x-oaiMeta") or {}).get("examples")
            if isinstance(examples, dict):
                examples = [examples]
            for example in examples or []:
                response = example.get("response") if isinstance(example, dict) else None
                if isinstance(response, str):
                    title = example.get("title", "")
                    yield Example(f"{method.upper()} {path} {title}".strip(), response)


def loads_lenient(text: str) -> Any:
    """Parse JSON, forgiving the trailing commas some documentation examples have."""
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text))


ASSISTANTS_OBJECTS = frozenset(
    {
        "assistant",
        "assistant.deleted",
        "thread",
        "thread.deleted",
        "thread.message",
        "thread.message.deleted",
        "thread.message.delta",
        "thread.run",
        "thread.run.step",
        "thread.run.step.delta",
        "file",
        "vector_store",
        "vector_store.deleted",
        "vector_store.file",
        "vector_store.file.deleted",
        "vector_store.files_batch",
        "vector_store.file_batch",
    }
)


def object_kind(payload: Any) -> str | None:
    """The ``object`` of a payload, or of a list page's items."""
    if not isinstance(payload, dict):
        return None
    kind = payload.get("object")
    if kind == "list":
        data = payload.get("data") or []
        if data and isinstance(data[0], dict):
            inner = data[0].get("object")
            return f"list:{inner}" if isinstance(inner, str) else None
        return None
    return kind if isinstance(kind, str) else None


def is_assistants_kind(kind: str | None) -> bool:
    if kind is None:
        return False
    return kind.removeprefix("list:") in ASSISTANTS_OBJECTS


@cache
def openai_object_examples() -> tuple[tuple[str, Any], ...]:
    """Every JSON example in the OpenAI spec whose object is an Assistants-API object."""
    found: list[tuple[str, Any]] = []
    for example in _oai_examples():
        if example.text.lstrip().startswith("event:"):
            continue
        try:
            payload = loads_lenient(example.text)
        except ValueError:
            continue
        if is_assistants_kind(object_kind(payload)):
            found.append((example.where, payload))
    return tuple(found)


@cache
def openai_stream_examples() -> tuple[tuple[str, str], ...]:
    """Every SSE example (text starting with ``event:``) on an Assistants path."""
    return tuple(
        (e.where, e.text)
        for e in _oai_examples()
        if e.text.lstrip().startswith("event:") and "/threads" in e.where
    )


def azure_object_examples() -> list[tuple[str, Any]]:
    raw = json.loads(AZURE_EXAMPLES.read_text(encoding="utf-8"))
    return [(name, body) for name, body in raw.items() if not name.startswith("_")]


def azure_inline_examples() -> list[tuple[str, Any]]:
    """Any ``example`` objects written inline in the Azure spec's definitions."""
    spec = json.loads(AZURE_SPEC.read_text(encoding="utf-8"))
    found: list[tuple[str, Any]] = []
    for name, definition in spec.get("definitions", {}).items():
        example = definition.get("example") if isinstance(definition, dict) else None
        if is_assistants_kind(object_kind(example)):
            found.append((f"definition:{name}", example))
    return found


def iter_sse(text: str) -> Iterator[tuple[str, str]]:
    """Split SSE text into (event, data) records with the protocol's one decoder.

    Lines without a colon (the spec's ``...`` elisions) are fields with no known name
    and are ignored, exactly as a browser would.
    """
    for event in decode_all(text):
        yield event.event, event.data

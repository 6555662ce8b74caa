"""Export and import of an assistant definition: JSON without ids, files or secrets.

An import is checked field by field and becomes an unsaved draft (Save creates it), so a
file from elsewhere never reaches the server without the person seeing it first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from playground.protocol.tools import FunctionDefinition
from playground.ui.viewmodels.assistant_draft import (
    RESPONSE_FORMATS,
    AssistantDraft,
    format_fields,
)

EXPORT_KIND = "assistants-playground.assistant"
EXPORT_VERSION = 1


def export_definition(draft: AssistantDraft, api_family: str = "v2") -> str:
    """A shareable JSON definition: no ids, no files, no keys, no local function modes."""
    document = {
        "kind": EXPORT_KIND,
        "version": EXPORT_VERSION,
        "assistant": draft.definition_body(api_family),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class ImportResult:
    """``draft`` is None when the text could not be used at all; ``problems`` then say why.
    With a draft, ``problems`` are what must be fixed before Save, ``notes`` what was dropped."""

    draft: AssistantDraft | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_DROPPED = ("id", "object", "created_at", "tool_resources", "file_ids")
_KNOWN = (
    "model",
    "name",
    "description",
    "instructions",
    "temperature",
    "top_p",
    "response_format",
    "metadata",
    "tools",
)


def import_definition(text: str) -> ImportResult:
    """Read an exported definition (or a bare assistant object) and check every field."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return ImportResult(
            None, [f"This is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."]
        )
    if not isinstance(document, dict):
        return ImportResult(None, ["The file must hold a JSON object."])
    if "kind" in document:
        if document.get("kind") != EXPORT_KIND:
            return ImportResult(
                None, [f"This is not an assistant definition ({document['kind']})."]
            )
        if document.get("version") != EXPORT_VERSION:
            return ImportResult(
                None, [f"Unsupported definition version {document.get('version')!r}."]
            )
        body = document.get("assistant")
        if not isinstance(body, dict):
            return ImportResult(None, ["The definition has no “assistant” object."])
    else:
        body = document
    notes = [f"Left out “{k}” (ids and files belong to one server)." for k in _DROPPED if k in body]
    notes += [f"Ignored the unknown field “{k}”." for k in body if k not in (*_KNOWN, *_DROPPED)]
    errors: list[str] = []
    fields: dict[str, Any] = {}
    for key in ("model", "name", "description", "instructions"):
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            errors.append(f"“{key}” must be text.")
        else:
            fields[key] = value
    for key in ("temperature", "top_p"):
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(f"“{key}” must be a number.")
        else:
            fields[key] = float(value)
    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
            errors.append("“metadata” must be an object of text values.")
        else:
            fields["metadata"] = tuple((str(k), v) for k, v in metadata.items())
    fmt = body.get("response_format")
    if fmt is not None:
        if fmt != "auto" and not (isinstance(fmt, dict) and isinstance(fmt.get("type"), str)):
            errors.append('“response_format” must be "auto" or an object with a “type”.')
        else:
            name, schema_name, schema_text, strict = format_fields(fmt)
            if isinstance(fmt, dict) and fmt.get("type") not in RESPONSE_FORMATS:
                errors.append(f"Unknown response format type “{fmt.get('type')}”.")
            fields.update(
                response_format=name,
                schema_name=schema_name,
                schema_text=schema_text,
                schema_strict=strict,
            )
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            errors.append("“tools” must be a list.")
        else:
            errors.extend(_import_tools(tools, fields))
    if errors:
        return ImportResult(None, errors, notes)
    draft = AssistantDraft(**fields)
    return ImportResult(draft, [p.message for p in draft.problems()], notes)


def _import_tools(tools: list[Any], fields: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    functions: list[FunctionDefinition] = []
    others: list[dict[str, Any]] = []
    for index, tool in enumerate(tools, start=1):
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            errors.append(f"Tool {index} is not an object with a “type”.")
            continue
        kind = tool["type"]
        if kind == "code_interpreter":
            fields["code_interpreter"] = True
        elif kind in ("file_search", "retrieval"):
            fields["file_search"] = True
        elif kind == "function":
            spec = tool.get("function")
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                errors.append(f"Tool {index} (function) has no “function” with a “name”.")
                continue
            params = spec.get("parameters")
            if params is not None and not isinstance(params, dict):
                errors.append(f"Function “{spec['name']}”: “parameters” must be an object.")
                continue
            description = spec.get("description")
            functions.append(
                FunctionDefinition(
                    name=spec["name"],
                    description=description if isinstance(description, str) else None,
                    parameters=params,
                    strict=spec.get("strict") if isinstance(spec.get("strict"), bool) else None,
                )
            )
        else:
            others.append(dict(tool))
    fields["functions"] = tuple(functions)
    fields["other_tools"] = tuple(others)
    return errors

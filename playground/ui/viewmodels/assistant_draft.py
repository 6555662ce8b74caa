"""The assistant as the form edits it: a plain, immutable draft and its checks.

"Unsaved changes" is simply ``draft != original``: no flags to forget to reset. The draft
knows how to become a request body for the connection's API version (v1 ``retrieval`` +
``file_ids``, v2 ``file_search`` + ``tool_resources``). Tools this playground does not edit
(Foundry tools, unknown types) ride along unchanged so a save never drops them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from playground.protocol import limits
from playground.protocol.assistant import Assistant
from playground.protocol.base import to_wire
from playground.protocol.tools import FunctionDefinition, FunctionTool
from playground.store.function_modes import FunctionMode
from playground.ui.viewmodels.functions import (
    MAX_TOOLS,
    Problem,
    check_definition,
    meta_schema_problems,
    parse_parameters,
)

MAX_METADATA_PAIRS = limits.MAX_METADATA_PAIRS
MAX_METADATA_KEY = limits.MAX_METADATA_KEY
MAX_METADATA_VALUE = limits.MAX_METADATA_VALUE
MAX_NAME = limits.MAX_ASSISTANT_NAME
MAX_DESCRIPTION = limits.MAX_ASSISTANT_DESCRIPTION
MAX_INSTRUCTIONS = 256_000
SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

RESPONSE_FORMATS = ("auto", "text", "json_object", "json_schema")

_BUILTIN = ("code_interpreter", "file_search", "retrieval", "function")


@dataclass(frozen=True)
class AssistantDraft:
    """Everything the form shows. ``function_modes`` is local (store), never sent."""

    name: str = ""
    description: str = ""
    instructions: str = ""
    model: str = ""
    temperature: float | None = None
    top_p: float | None = None
    response_format: str = "auto"
    schema_name: str = ""
    schema_text: str = ""
    schema_strict: bool = False
    metadata: tuple[tuple[str, str], ...] = ()
    code_interpreter: bool = False
    file_search: bool = False
    functions: tuple[FunctionDefinition, ...] = ()
    other_tools: tuple[dict[str, Any], ...] = ()
    code_interpreter_file_ids: tuple[str, ...] = ()
    vector_store_ids: tuple[str, ...] = ()
    file_ids: tuple[str, ...] = ()
    function_modes: tuple[tuple[str, FunctionMode], ...] = field(default=())

    # -- reading ---------------------------------------------------------------------------

    @property
    def tool_count(self) -> int:
        return (
            int(self.code_interpreter)
            + int(self.file_search)
            + len(self.functions)
            + len(self.other_tools)
        )

    def function_names(self) -> list[str]:
        return [f.name for f in self.functions]

    def mode_for(self, name: str) -> FunctionMode:
        return dict(self.function_modes).get(name, FunctionMode())

    def problems(self) -> list[Problem]:
        """Every reason the server would refuse this draft, in plain words."""
        found: list[Problem] = []
        if not self.model.strip():
            found.append(Problem("model", "Choose a model (or type a deployment name)."))
        if len(self.name) > MAX_NAME:
            found.append(Problem("name", f"The name is longer than {MAX_NAME} characters."))
        if len(self.description) > MAX_DESCRIPTION:
            found.append(
                Problem(
                    "description", f"The description is longer than {MAX_DESCRIPTION} characters."
                )
            )
        if len(self.instructions) > MAX_INSTRUCTIONS:
            found.append(
                Problem(
                    "instructions",
                    f"The instructions are longer than {MAX_INSTRUCTIONS:,} characters.",
                )
            )
        if self.temperature is not None and not 0 <= self.temperature <= 2:
            found.append(Problem("temperature", "Temperature must be between 0 and 2."))
        if self.top_p is not None and not 0 <= self.top_p <= 1:
            found.append(Problem("top_p", "Top P must be between 0 and 1."))
        found.extend(check_metadata(self.metadata))
        found.extend(self._response_format_problems())
        if self.tool_count > MAX_TOOLS:
            found.append(
                Problem(
                    "tools", f"An assistant can have at most {MAX_TOOLS} tools ({self.tool_count})."
                )
            )
        seen: set[str] = set()
        for definition in self.functions:
            for problem in check_definition(definition, frozenset(seen)):
                found.append(
                    Problem("functions", f"Function “{definition.name}”: {problem.message}")
                )
            seen.add(definition.name)
        return found

    def _response_format_problems(self) -> list[Problem]:
        if self.response_format not in RESPONSE_FORMATS:
            return [Problem("response_format", f"Unknown response format {self.response_format}.")]
        if self.response_format != "json_schema":
            return []
        found: list[Problem] = []
        if not SCHEMA_NAME.match(self.schema_name):
            found.append(
                Problem(
                    "response_format",
                    "The JSON schema needs a name of 1–64 letters, digits, underscores or dashes.",
                )
            )
        schema, parse_problems = parse_parameters(self.schema_text)
        found.extend(
            Problem("response_format", p.message.replace("parameters", "response schema"), p.line)
            for p in parse_problems
        )
        if schema is None and not parse_problems:
            found.append(Problem("response_format", "Enter the JSON schema of the response."))
        if schema is not None:
            found.extend(
                Problem("response_format", f"Response schema: {p.message}")
                for p in meta_schema_problems(schema)
            )
        return found

    # -- writing ---------------------------------------------------------------------------

    def tools_body(self, api_family: str) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        if self.code_interpreter:
            tools.append({"type": "code_interpreter"})
        if self.file_search:
            tools.append({"type": "retrieval" if api_family == "v1" else "file_search"})
        for definition in self.functions:
            # exclude_none: an unset description/strict must be absent, not null, on the wire.
            spec = definition.model_dump(mode="json", exclude_none=True, by_alias=True)
            tools.append({"type": "function", "function": spec})
        tools.extend(dict(t) for t in self.other_tools)
        return tools

    def response_format_body(self) -> Any:
        if self.response_format == "auto":
            return "auto"
        if self.response_format == "json_schema":
            schema, _ = parse_parameters(self.schema_text)
            inner: dict[str, Any] = {"name": self.schema_name, "schema": schema}
            if self.schema_strict:
                inner["strict"] = True
            return {"type": "json_schema", "json_schema": inner}
        return {"type": self.response_format}

    def definition_body(self, api_family: str) -> dict[str, Any]:
        """The fields an export carries (and create/update send): no ids, no files."""
        body: dict[str, Any] = {"model": self.model.strip()}
        for key in ("name", "description", "instructions"):
            value = getattr(self, key)
            if value:
                body[key] = value
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.top_p is not None:
            body["top_p"] = self.top_p
        if self.response_format != "auto":
            body["response_format"] = self.response_format_body()
        if self.metadata:
            body["metadata"] = dict(self.metadata)
        tools = self.tools_body(api_family)
        if tools:
            body["tools"] = tools
        return body

    def request_body(self, api_family: str, *, update: bool) -> dict[str, Any]:
        """Create or update body. An update names every field, so clearing one sticks."""
        body = self.definition_body(api_family)
        if update:
            for key in ("name", "description", "instructions"):
                body.setdefault(key, None)
            body.setdefault("metadata", {})
            body.setdefault("tools", [])
            if api_family != "v1":  # v1 assistants have no sampling fields to clear
                body.setdefault("temperature", None)
                body.setdefault("top_p", None)
                body.setdefault("response_format", "auto")
        if api_family == "v1":
            if self.file_ids or update:
                body["file_ids"] = list(self.file_ids)
        elif self.code_interpreter_file_ids or self.vector_store_ids or update:
            body["tool_resources"] = {
                "code_interpreter": {"file_ids": list(self.code_interpreter_file_ids)},
                "file_search": {"vector_store_ids": list(self.vector_store_ids)},
            }
        return body


def check_metadata(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[Problem]:
    """The API's metadata limits: 16 pairs, keys ≤ 64 and values ≤ 512 characters."""
    found: list[Problem] = []
    if len(pairs) > MAX_METADATA_PAIRS:
        found.append(
            Problem(
                "metadata",
                f"Metadata can hold at most {MAX_METADATA_PAIRS} pairs ({len(pairs)} now).",
            )
        )
    seen: set[str] = set()
    for key, value in pairs:
        if not key:
            found.append(Problem("metadata", "A metadata key is empty."))
        elif len(key) > MAX_METADATA_KEY:
            found.append(
                Problem(
                    "metadata",
                    f"Metadata key “{key[:20]}…” is longer than {MAX_METADATA_KEY} characters.",
                )
            )
        if key in seen:
            found.append(Problem("metadata", f"Metadata key “{key}” appears twice."))
        seen.add(key)
        if len(value) > MAX_METADATA_VALUE:
            found.append(
                Problem(
                    "metadata",
                    f"The value of metadata key “{key[:20]}” is longer than "
                    f"{MAX_METADATA_VALUE} characters.",
                )
            )
    return found


def draft_from_assistant(
    assistant: Assistant, modes: dict[str, FunctionMode] | None = None
) -> AssistantDraft:
    """The form's view of a server assistant."""
    functions: list[FunctionDefinition] = []
    others: list[dict[str, Any]] = []
    code_interpreter = file_search = False
    for tool in assistant.tools:
        kind = getattr(tool, "type", None)
        if kind == "code_interpreter":
            code_interpreter = True
        elif kind in ("file_search", "retrieval"):
            file_search = True
        elif isinstance(tool, FunctionTool):
            functions.append(tool.function)
        else:
            others.append(to_wire(tool))
    fmt, schema_name, schema_text, schema_strict = format_fields(assistant.response_format)
    resources = assistant.tool_resources
    ci_ids = tuple(
        (resources.code_interpreter.file_ids or [])
        if resources and resources.code_interpreter
        else []
    )
    vs_ids = tuple(
        (resources.file_search.vector_store_ids or [])
        if resources and resources.file_search
        else []
    )
    metadata = tuple((str(k), str(v)) for k, v in (assistant.metadata or {}).items())
    names = {f.name for f in functions}
    return AssistantDraft(
        name=assistant.name or "",
        description=assistant.description or "",
        instructions=assistant.instructions or "",
        model=assistant.model or "",
        temperature=assistant.temperature,
        top_p=assistant.top_p,
        response_format=fmt,
        schema_name=schema_name,
        schema_text=schema_text,
        schema_strict=schema_strict,
        metadata=metadata,
        code_interpreter=code_interpreter,
        file_search=file_search,
        functions=tuple(functions),
        other_tools=tuple(others),
        code_interpreter_file_ids=ci_ids,
        vector_store_ids=vs_ids,
        file_ids=tuple(assistant.file_ids or ()),
        function_modes=tuple(
            sorted(((n, m) for n, m in (modes or {}).items() if n in names), key=by_function_name)
        ),
    )


def by_function_name(pair: tuple[str, FunctionMode]) -> str:
    return pair[0]


def format_fields(value: Any) -> tuple[str, str, str, bool]:
    if value is None or value == "auto":
        return "auto", "", "", False
    kind = getattr(value, "type", None) if not isinstance(value, dict) else value.get("type")
    if kind == "json_schema":
        spec = value.get("json_schema") if isinstance(value, dict) else value.json_schema
        if isinstance(spec, dict):
            name, schema, strict = spec.get("name", ""), spec.get("schema"), spec.get("strict")
        elif spec is None:
            name, schema, strict = "", None, False
        else:
            name, schema, strict = spec.name, spec.schema_, spec.strict
        text = json.dumps(schema, indent=2) if schema is not None else ""
        return "json_schema", str(name or ""), text, bool(strict)
    if kind in ("text", "json_object"):
        return str(kind), "", "", False
    return "auto", "", "", False

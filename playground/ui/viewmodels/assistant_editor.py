"""The assistant being edited: a plain draft, its checks, export/import, and Save/Revert.

The form edits an :class:`AssistantDraft` (an immutable value, replaced on every change), and
"unsaved changes" is simply ``draft != original``: no flags to forget to reset. The draft knows
how to become a request body for the connection's API version (v1 ``retrieval`` + ``file_ids``,
v2 ``file_search`` + ``tool_resources``), and how to be exported without ids or secrets.
Tools this playground does not edit (Foundry tools, unknown types) ride along unchanged so a
save never drops them.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

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
from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient

log = logging.getLogger(__name__)

MAX_METADATA_PAIRS = limits.MAX_METADATA_PAIRS
MAX_METADATA_KEY = limits.MAX_METADATA_KEY
MAX_METADATA_VALUE = limits.MAX_METADATA_VALUE
MAX_NAME = limits.MAX_ASSISTANT_NAME
MAX_DESCRIPTION = limits.MAX_ASSISTANT_DESCRIPTION
MAX_INSTRUCTIONS = 256_000
SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

RESPONSE_FORMATS = ("auto", "text", "json_object", "json_schema")
EXPORT_KIND = "assistants-playground.assistant"
EXPORT_VERSION = 1

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
    fmt, schema_name, schema_text, schema_strict = _format_fields(assistant.response_format)
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
            sorted(((n, m) for n, m in (modes or {}).items() if n in names), key=_first)
        ),
    )


def _first(pair: tuple[str, FunctionMode]) -> str:
    return pair[0]


def _format_fields(value: Any) -> tuple[str, str, str, bool]:
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


# -- export / import ------------------------------------------------------------------------


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
            name, schema_name, schema_text, strict = _format_fields(fmt)
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


# -- the view model -------------------------------------------------------------------------


class AssistantEditorViewModel(QObject):
    """The draft of the selected (or new) assistant, with Save and Revert.

    Signals: ``loaded()`` (the whole draft was replaced: refill the form), ``draft_changed()``
    (any edit), ``dirty_changed(bool)``, ``problems_changed(object)`` (list of Problem),
    ``saving_changed(bool)``, ``saved(object)`` (the server's Assistant), ``save_refused(str)``
    (why Save did nothing, in words).
    """

    loaded = Signal()
    draft_changed = Signal()
    dirty_changed = Signal(bool)
    problems_changed = Signal(object)
    saving_changed = Signal(bool)
    saved = Signal(object)
    save_refused = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._assistant_id: str | None = None
        self._original = AssistantDraft()
        self._draft = AssistantDraft()
        self._problems: list[Problem] = self._draft.problems()
        self._dirty = False
        self._saving = False

    # -- state -----------------------------------------------------------------------------

    @property
    def assistant_id(self) -> str | None:
        return self._assistant_id

    @property
    def draft(self) -> AssistantDraft:
        return self._draft

    @property
    def original(self) -> AssistantDraft:
        return self._original

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @property
    def is_saving(self) -> bool:
        return self._saving

    @property
    def api_family(self) -> str:
        return self._session.api_family

    # -- loading ---------------------------------------------------------------------------

    def load(
        self, assistant: Assistant | None, modes: dict[str, FunctionMode] | None = None
    ) -> None:
        """Show a server assistant (or a blank new one) with no unsaved changes."""
        draft = draft_from_assistant(assistant, modes) if assistant else AssistantDraft()
        self._assistant_id = assistant.id if assistant else None
        self._original = draft
        self._set(draft, reload=True)

    def load_unsaved(self, draft: AssistantDraft) -> None:
        """Show a draft that is not on the server yet (duplicate, import, new with a model)."""
        self._assistant_id = None
        self._original = AssistantDraft()
        self._set(draft, reload=True)

    # -- edits -----------------------------------------------------------------------------

    def update(self, **changes: Any) -> None:
        """Change fields of the draft (names as on :class:`AssistantDraft`)."""
        if "metadata" in changes:
            changes["metadata"] = tuple((str(k), str(v)) for k, v in changes["metadata"])
        self._set(replace(self._draft, **changes))

    def put_function(
        self,
        definition: FunctionDefinition,
        mode: FunctionMode | None = None,
        *,
        replacing: str | None = None,
    ) -> None:
        """Add a function, or replace the one named ``replacing`` (its mode follows a rename)."""
        functions = list(self._draft.functions)
        modes = dict(self._draft.function_modes)
        index = next((i for i, f in enumerate(functions) if f.name == replacing), None)
        if index is None:
            functions.append(definition)
        else:
            functions[index] = definition
            old_mode = modes.pop(replacing or "", None)
            if mode is None and old_mode is not None:
                mode = old_mode
        if mode is not None and mode != FunctionMode():
            modes[definition.name] = mode
        else:
            modes.pop(definition.name, None)
        self._set(
            replace(
                self._draft,
                functions=tuple(functions),
                function_modes=tuple(sorted(modes.items(), key=_first)),
            )
        )

    def remove_function(self, name: str) -> None:
        functions = tuple(f for f in self._draft.functions if f.name != name)
        modes = tuple((n, m) for n, m in self._draft.function_modes if n != name)
        self._set(replace(self._draft, functions=functions, function_modes=modes))

    def set_resources(
        self,
        *,
        code_interpreter_file_ids: tuple[str, ...] | None = None,
        vector_store_ids: tuple[str, ...] | None = None,
        file_ids: tuple[str, ...] | None = None,
        persisted: bool = False,
    ) -> None:
        """Change the attached files/stores; ``persisted`` when the server already has them,
        so they do not count as unsaved changes."""
        changes: dict[str, Any] = {}
        if code_interpreter_file_ids is not None:
            changes["code_interpreter_file_ids"] = tuple(code_interpreter_file_ids)
        if vector_store_ids is not None:
            changes["vector_store_ids"] = tuple(vector_store_ids)
        if file_ids is not None:
            changes["file_ids"] = tuple(file_ids)
        if persisted:
            self._original = replace(self._original, **changes)
        self._set(replace(self._draft, **changes))

    def revert(self) -> None:
        self._set(self._original, reload=True)

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        self._session.runner.start(
            "assistants.save", self.save_async(), label="Saving the assistant"
        )

    async def save_async(self) -> Assistant | None:
        """Create or update on the server, then store the function modes locally."""
        if self._problems:
            reason = "Fix these first: " + " ".join(p.message for p in self._problems)
            self.save_refused.emit(reason)
            self._session.bridge.post_error("The assistant cannot be saved yet", reason)
            return None
        client: AssistantsClient | None = self._session.client
        if client is None:
            reason = "Connect to a server first."
            self.save_refused.emit(reason)
            self._session.bridge.post_error("Not connected", reason)
            return None
        draft, family = self._draft, self.api_family
        self._set_saving(True)
        try:
            if self._assistant_id is None:
                result = await client.assistants.create(draft.request_body(family, update=False))
            else:
                result = await client.assistants.update(
                    self._assistant_id, draft.request_body(family, update=True)
                )
            await self._save_modes(result.id, draft)
        finally:
            self._set_saving(False)
        if self._draft == draft:
            self.load(result, dict(draft.function_modes))
        else:  # edited while saving: keep the newer edits as unsaved on top of the result
            self._assistant_id = result.id
            self._original = draft_from_assistant(result, dict(draft.function_modes))
            self._set(self._draft)
        self.saved.emit(result)
        return result

    async def _save_modes(self, assistant_id: str, draft: AssistantDraft) -> None:
        profile_id = self._session.profile_id
        if profile_id is None:
            return
        store = self._session.store.function_modes
        wanted = dict(draft.function_modes)
        names = set(draft.function_names()) | {n for n, _ in self._original.function_modes}

        def write() -> None:
            for name in sorted(names):
                store.set(profile_id, assistant_id, name, wanted.get(name, FunctionMode()))

        await self._session.runner.run_blocking(write)

    # -- internals -------------------------------------------------------------------------

    def _set(self, draft: AssistantDraft, *, reload: bool = False) -> None:
        self._draft = draft
        problems = draft.problems()
        if problems != self._problems:
            self._problems = problems
            self.problems_changed.emit(list(problems))
        dirty = draft != self._original
        if reload:
            self.loaded.emit()
        self.draft_changed.emit()
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def _set_saving(self, value: bool) -> None:
        if value != self._saving:
            self._saving = value
            self.saving_changed.emit(value)

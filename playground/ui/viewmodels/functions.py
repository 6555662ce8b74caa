"""Custom functions: the API's rules, JSON Schema checks, and the editor's view model.

The checks run on every keystroke in the function editor, so a person sees *why* a definition
would be refused before the server refuses it: the name pattern and the 128-tool limit of the
Assistants API, that ``parameters`` is an object schema, the JSON Schema meta-schema (via
jsonschema's Draft 2020-12 validator, or the draft the schema names in ``$schema``), and the
Structured Outputs rules when ``strict`` is on. The checks are plain functions so the import
path and the assistant form use exactly the same rules as the editor.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from playground.protocol.limits import FUNCTION_NAME
from playground.protocol.tools import FunctionDefinition
from playground.store.function_modes import FunctionMode
from playground.ui.function_templates import template

#: The API's ``maxItems`` for an assistant's ``tools``.
MAX_TOOLS = 128
#: How many schema problems to list before "and N more" (a broken schema can yield hundreds).
_MAX_LISTED = 8


@dataclass(frozen=True)
class Problem:
    """One reason a definition cannot be saved. ``field`` is name/description/parameters;
    ``line`` (1-based) points into the parameters text for JSON syntax errors."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class FunctionCheck:
    """The result of checking one definition: ``definition`` is set only when it is valid."""

    problems: list[Problem] = field(default_factory=list)
    definition: FunctionDefinition | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """The problems as one plain paragraph (for a status line or a refusal message)."""
        return " ".join(p.message for p in self.problems)


def check_name(name: str, other_names: set[str] | frozenset[str] = frozenset()) -> list[Problem]:
    if not name:
        return [Problem("name", "Enter a function name.")]
    if not FUNCTION_NAME.match(name):
        return [
            Problem(
                "name",
                f"“{name}” is not a valid function name: use 1–64 letters, digits, "
                "underscores or dashes, with no spaces.",
            )
        ]
    if name in other_names:
        return [Problem("name", f"Another function of this assistant is already named “{name}”.")]
    return []


def parse_parameters(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse the parameters text. Empty text means "no parameters" (the API allows it)."""
    if not text.strip():
        return None, []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                "parameters",
                f"The parameters are not valid JSON: {exc.msg} (line {exc.lineno}, "
                f"column {exc.colno}).",
                line=exc.lineno,
            )
        ]
    if not isinstance(value, dict):
        return None, [
            Problem("parameters", "The parameters must be a JSON object (a schema in { … }).")
        ]
    return value, []


def check_parameters(schema: dict[str, Any], *, strict: bool = False) -> list[Problem]:
    """API rules plus the JSON Schema meta-schema for an already-parsed schema."""
    problems: list[Problem] = []
    if schema.get("type") != "object":
        problems.append(
            Problem(
                "parameters",
                'The parameters must describe an object: set "type": "object" at the top '
                'and list the arguments under "properties".',
            )
        )
    problems.extend(meta_schema_problems(schema))
    if strict and not problems:
        problems.extend(_strict_problems(schema, "the parameters"))
    return problems


def check_function(
    name: str,
    description: str,
    parameters_text: str,
    *,
    strict: bool = False,
    other_names: set[str] | frozenset[str] = frozenset(),
    tool_count: int = 0,
) -> FunctionCheck:
    """Check a whole definition as typed; ``tool_count`` is the assistant's other tools."""
    problems = check_name(name.strip(), other_names)
    if tool_count + 1 > MAX_TOOLS:
        problems.append(
            Problem(
                "name",
                f"An assistant can have at most {MAX_TOOLS} tools; remove one before adding "
                "another function.",
            )
        )
    schema, parse_problems = parse_parameters(parameters_text)
    problems.extend(parse_problems)
    if schema is not None:
        problems.extend(check_parameters(schema, strict=strict))
    if problems:
        return FunctionCheck(problems)
    definition = FunctionDefinition(
        name=name.strip(),
        description=description.strip() or None,
        parameters=schema,
        strict=True if strict else None,
    )
    return FunctionCheck([], definition)


def check_definition(
    definition: FunctionDefinition, other_names: set[str] | frozenset[str] = frozenset()
) -> list[Problem]:
    """Check a definition that arrived as data (an import, or one loaded from a server)."""
    problems = check_name(definition.name, other_names)
    if definition.parameters is not None:
        problems.extend(check_parameters(definition.parameters, strict=bool(definition.strict)))
    return problems


def parameters_text(definition: FunctionDefinition) -> str:
    return "" if definition.parameters is None else json.dumps(definition.parameters, indent=2)


# -- JSON Schema ----------------------------------------------------------------------------


def meta_schema_problems(schema: dict[str, Any]) -> list[Problem]:
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    declared = schema.get("$schema")
    with warnings.catch_warnings():
        # An unknown $schema makes jsonschema warn and fall back; we report it ourselves.
        warnings.simplefilter("ignore")
        validator_cls = validator_for(schema, default=Draft202012Validator)
    problems: list[Problem] = []
    if isinstance(declared, str) and validator_cls is Draft202012Validator:
        known = str(Draft202012Validator.META_SCHEMA.get("$id", "")).rstrip("#")
        if declared.rstrip("#") != known:
            problems.append(
                Problem(
                    "parameters",
                    f"The schema names an unknown JSON Schema version ({declared}); checked "
                    "it as Draft 2020-12.",
                )
            )
    meta = validator_cls(validator_cls.META_SCHEMA)
    errors = sorted(meta.iter_errors(schema), key=lambda e: list(e.absolute_path))
    for error in errors[:_MAX_LISTED]:
        where = _path_words(list(error.absolute_path))
        problems.append(Problem("parameters", f"Schema error at {where}: {error.message}."))
    if len(errors) > _MAX_LISTED:
        problems.append(Problem("parameters", f"…and {len(errors) - _MAX_LISTED} more."))
    return problems


def _path_words(path: list[Any]) -> str:
    if not path:
        return "the top level"
    return " → ".join(str(p) for p in path)


def _strict_problems(schema: dict[str, Any], where: str) -> list[Problem]:
    """Structured Outputs: every object closed and every property required."""
    problems: list[Problem] = []
    if schema.get("type") == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        if schema.get("additionalProperties") is not False:
            problems.append(
                Problem(
                    "parameters",
                    f'Strict mode needs "additionalProperties": false on {where}.',
                )
            )
        required = set(schema.get("required") or [])
        missing = [k for k in properties if k not in required]
        if missing:
            problems.append(
                Problem(
                    "parameters",
                    f'Strict mode needs every property of {where} in "required" '
                    f"(missing: {', '.join(missing)}).",
                )
            )
        for key, sub in properties.items():
            if isinstance(sub, dict):
                problems.extend(_strict_problems(sub, f"“{key}”"))
    items = schema.get("items")
    if isinstance(items, dict):
        problems.extend(_strict_problems(items, f"the items of {where}"))
    return problems


# -- the editor's view model ----------------------------------------------------------------


class FunctionEditorViewModel(QObject):
    """State of the function editor dialog, checked live.

    Signals: ``check_changed(object)`` (a :class:`FunctionCheck` after every edit),
    ``loaded()`` (fields replaced wholesale: a template or the initial definition; the dialog
    refills its widgets), ``mode_changed(object)`` (the :class:`FunctionMode`).
    """

    check_changed = Signal(object)
    loaded = Signal()
    mode_changed = Signal(object)

    def __init__(
        self,
        definition: FunctionDefinition | None = None,
        *,
        other_names: set[str] | frozenset[str] = frozenset(),
        tool_count: int = 0,
        mode: FunctionMode | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._other_names = frozenset(other_names)
        self._tool_count = tool_count
        self.original_name = definition.name if definition else None
        self.name = definition.name if definition else ""
        self.description = (definition.description or "") if definition else ""
        self.parameters = parameters_text(definition) if definition else ""
        self.strict = bool(definition.strict) if definition else False
        self._mode = mode or FunctionMode()
        self._check = self._run_check()

    @property
    def check(self) -> FunctionCheck:
        return self._check

    @property
    def mode(self) -> FunctionMode:
        return self._mode

    @property
    def is_new(self) -> bool:
        return self.original_name is None

    def set_name(self, value: str) -> None:
        self.name = value
        self._recheck()

    def set_description(self, value: str) -> None:
        self.description = value
        self._recheck()

    def set_parameters(self, value: str) -> None:
        self.parameters = value
        self._recheck()

    def set_strict(self, value: bool) -> None:
        self.strict = value
        self._recheck()

    def set_mode(self, mode: FunctionMode) -> None:
        self._mode = mode
        self.mode_changed.emit(mode)

    def apply_template(self, key: str) -> None:
        chosen = template(key)
        self.name = chosen.name
        self.description = chosen.description
        self.parameters = chosen.parameters_text()
        self.strict = False
        self._recheck()
        self.loaded.emit()

    def format_parameters(self) -> bool:
        """Re-indent the parameters JSON; False (and unchanged) when it does not parse."""
        schema, problems = parse_parameters(self.parameters)
        if problems or schema is None:
            return False
        self.parameters = json.dumps(schema, indent=2)
        self._recheck()
        self.loaded.emit()
        return True

    def result(self) -> FunctionDefinition:
        """The checked definition; ValueError with the problems when it is not valid."""
        if self._check.definition is None:
            raise ValueError(self._check.summary() or "The function is not valid.")
        return self._check.definition

    def _run_check(self) -> FunctionCheck:
        return check_function(
            self.name,
            self.description,
            self.parameters,
            strict=self.strict,
            other_names=self._other_names,
            tool_count=self._tool_count,
        )

    def _recheck(self) -> None:
        self._check = self._run_check()
        self.check_changed.emit(self._check)

"""Parse a request body the way the service does: one function, one error shape.

The runtime hands every JSON body to :func:`parse_body` with the request model of its
route. Three checks, in the order a caller can act on them:

1. the model validates (types, required fields, the limits of :mod:`.limits`);
2. nothing is left over: a field the model does not name is the service's
   ``Unrecognized request argument supplied: <name>`` (the models keep extras for the
   client's sake, so the check walks ``model_extra`` instead of ``extra="forbid"``);
3. fields and tool types that belong to the other Assistants version are refused with a
   message naming the version, instead of being dropped (a v1 client would lose files).

Every failure is a :class:`~.errors.RequestError` carrying OpenAI's ``param`` path
(``tools[0].function.name``), ready to become a 400 body.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from . import limits
from .errors import RequestError
from .requests import UnknownInput
from .tools import UnknownTool

M = TypeVar("M", bound=BaseModel)
Family = Literal["v1", "v2"]

#: Tool types the runtime serves, per Assistants version (the order of the 400 text).
TOOL_TYPES: dict[Family, tuple[str, ...]] = {
    "v1": ("code_interpreter", "function", "retrieval"),
    "v2": ("code_interpreter", "function", "file_search"),
}
_OTHER: dict[Family, Family] = {"v1": "v2", "v2": "v1"}
_HINTS = {
    ("file_ids", "v1"): " In Assistants v2 use 'tool_resources' on assistants and "
    "'attachments' on messages.",
    ("tool_resources", "v2"): " In Assistants v1 use 'file_ids'.",
    ("attachments", "v2"): " In Assistants v1 use 'file_ids'.",
}
_TYPE_CODES = {
    "missing": "missing_required_parameter",
    "string_too_long": "string_above_max_length",
    "string_too_short": "string_below_min_length",
    "too_long": "array_above_max_length",
    "too_short": "array_below_min_length",
    "literal_error": "invalid_value",
    "union_tag_invalid": "invalid_value",
    "string_pattern_mismatch": "invalid_value",
    "greater_than_equal": "decimal_below_min_value",
    "less_than_equal": "decimal_above_max_value",
    "value_error": "invalid_value",
}


def param_path(loc: tuple[str | int, ...]) -> str:
    """``("tools", 0, "function", "name")`` → ``tools[0].function.name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def parse_body(model: type[M], body: Mapping[str, Any], *, family: Family) -> M:
    """Validate ``body`` as ``model`` for Assistants ``family``, or raise RequestError."""
    try:
        parsed = model.model_validate(dict(body))
    except ValidationError as exc:
        raise from_validation_error(exc, body) from None
    for loc, value in _walk(parsed, ()):
        _check_known(value, loc)
        _check_family(value, loc, family)
    return parsed


def from_validation_error(exc: ValidationError, body: Any) -> RequestError:
    """The first pydantic error as OpenAI words: ``Invalid type for 'x': ...`` plus param."""
    first = exc.errors(include_url=False)[0]
    loc = _field_loc(tuple(first["loc"]), body)
    param = param_path(loc) or None
    name = param or "the request body"
    kind = first["type"]
    if kind == "missing":
        return RequestError(f"Missing required parameter: '{name}'.", param, _TYPE_CODES[kind])
    if kind.endswith("_type") or kind in ("model_attributes_type", "dict_type", "list_type"):
        return RequestError(
            f"Invalid type for '{name}': expected {_expected(kind)}, but got "
            f"{_json_type(first.get('input'))}.",
            param,
            "invalid_type",
        )
    message = str(first["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and first.get("ctx", {}).get("pattern") == (
        limits.FUNCTION_NAME_PATTERN
    ):
        message = "use 1 to 64 letters, digits, underscores or dashes"
    return RequestError(f"Invalid '{name}': {message}.", param, _TYPE_CODES.get(kind))


def _field_loc(loc: tuple[Any, ...], body: Any) -> tuple[str | int, ...]:
    """Drop pydantic's union-member markers from ``loc`` by walking the input alongside.

    Tagged unions add the tag (``tools.0.function.function.name``) and smart unions add
    the member type (``content.str``); only steps that exist in the input are fields.
    """
    out: list[str | int] = []
    node = body
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif last and isinstance(part, str) and isinstance(node, dict) and "[" not in part:
            out.append(part)  # a missing field: not in the input, still the param
    return tuple(out)


def _expected(kind: str) -> str:
    return {
        "string_type": "a string",
        "int_type": "an integer",
        "int_parsing": "an integer",
        "float_type": "a number",
        "float_parsing": "a number",
        "bool_type": "a boolean",
        "bool_parsing": "a boolean",
        "list_type": "an array",
        "dict_type": "an object",
        "model_type": "an object",
        "model_attributes_type": "an object",
    }.get(kind, "another type")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _walk(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every model inside ``value`` with its location, parents before children."""
    if isinstance(value, BaseModel):
        yield loc, value
        for name in type(value).model_fields:
            if name in value.model_fields_set:
                field = type(value).model_fields[name]
                yield from _walk(getattr(value, name), (*loc, field.alias or name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index))


def _check_known(model: Any, loc: tuple[str | int, ...]) -> None:
    if isinstance(model, UnknownTool | UnknownInput):
        return  # reported by the family check with the supported values
    extra = getattr(model, "model_extra", None) or {}
    if extra:
        name = param_path((*loc, next(iter(extra))))
        raise RequestError(f"Unrecognized request argument supplied: {name}", name, None)


def _check_family(model: Any, loc: tuple[str | int, ...], family: Family) -> None:
    other = _OTHER[family]
    foreign: frozenset[str] = getattr(model, f"{other}_fields", frozenset())
    for name in sorted(foreign & model.model_fields_set):
        param = param_path((*loc, name))
        raise RequestError(
            f"'{param}' belongs to Assistants {other} and is not accepted in Assistants "
            f"{family}.{_HINTS.get((name, other), '')} Send 'OpenAI-Beta: assistants={other}' "
            f"(Azure: an api-version of that version) to use {other}.",
            param,
            "unsupported_parameter",
        )
    tag = getattr(model, "type", None)
    if len(loc) == 2 and loc[0] == "tools":  # an assistant's or a run's tool list
        allowed = TOOL_TYPES[family]
        if tag not in allowed:
            listed = ", ".join(f"'{t}'" for t in allowed[:-1]) + f", and '{allowed[-1]}'"
            hint = ""
            if tag in TOOL_TYPES[other]:
                hint = f" '{tag}' is an Assistants {other} tool."
            raise RequestError(
                f"Invalid value: '{tag}'. Supported values are: {listed}.{hint}",
                param_path((*loc, "type")),
                "invalid_value",
            )
    if isinstance(model, UnknownInput):
        raise RequestError(
            f"Invalid value: '{tag}'. Supported values are: 'text', 'image_file', and 'image_url'.",
            param_path((*loc, "type")),
            "invalid_value",
        )

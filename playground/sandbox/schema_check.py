"""Checking tool-call arguments against a function's JSON Schema, safely.

``$ref`` resolves only inside the schema (a local-only ``referencing`` registry: never a
URL, never a ``file://`` path). Regular expressions cannot be interrupted in Python, so
schemas with ``pattern`` are checked by running this module as a child process
(``python -m playground.sandbox.schema_check``, stdin ``{"raw", "schema"}``, stdout the
problems as JSON) under :mod:`.limited`'s limits.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable

from .limited import limit_memory

_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "true/false",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _where(error: ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    return f"“{path}”" if path else "The arguments"


def _describe(error: ValidationError) -> str:
    """One validation error in plain words (common cases spelled out, the rest as given)."""
    where = _where(error)
    keyword, expected = error.validator, error.validator_value
    if keyword == "required":
        missing = [
            name
            for name in expected or []
            if isinstance(error.instance, dict) and name not in error.instance
        ]
        if missing:
            names = ", ".join(f"“{n}”" for n in missing)
            return f"{where}: missing required argument {names}."
    if keyword == "type":
        wanted = expected if isinstance(expected, str) else " or ".join(map(str, expected))
        return f"{where} should be {wanted}, not {_json_type(error.instance)}."
    if keyword == "enum":
        options = ", ".join(json.dumps(o) for o in expected or [])
        return f"{where} must be one of: {options} (got {json.dumps(error.instance)})."
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set((error.schema or {}).get("properties", {}))
        extra = sorted(set(error.instance) - allowed)
        if extra:
            return f"{where}: unexpected argument " + ", ".join(f"“{n}”" for n in extra) + "."
    return f"{where}: {error.message}."


def check_arguments(raw: str, schema: Mapping[str, Any] | None) -> list[str]:
    """Problems with a call's ``arguments`` JSON against the function's parameter schema.

    An empty list means the arguments look right. ``schema`` None (unknown function)
    checks only that the arguments are a JSON object.
    """
    text = (raw or "").strip()
    if not text:
        return ["The model sent no arguments (an empty string instead of a JSON object)."]
    try:
        arguments = json.loads(text)
    except ValueError as exc:
        return [f"The arguments are not valid JSON ({exc})."]
    if not isinstance(arguments, dict):
        return [f"The arguments should be a JSON object, not {_json_type(arguments)}."]
    if not schema:
        return []
    try:
        validator_class = jsonschema.validators.validator_for(
            schema, default=jsonschema.Draft202012Validator
        )
        validator_class.check_schema(schema)
    except SchemaError as exc:
        return [
            f"The function's parameter schema is itself invalid, so nothing was checked: {exc.message}."
        ]
    validator = validator_class(schema, registry=_LOCAL_ONLY)
    try:
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
    except Unresolvable as exc:
        return [
            "The function's parameter schema refers to another document "
            f"({exc.ref if hasattr(exc, 'ref') else exc}), which is never fetched, so the "
            "arguments were not checked."
        ]
    return [_describe(e) for e in errors]


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs field, mypy misses it


#: Resolves ``$ref`` only inside the schema itself: never a URL, never a ``file://`` path
#: (jsonschema would otherwise fetch ``http://…`` refs, on the UI thread).
_LOCAL_ONLY: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]


def main() -> None:
    limit_memory()
    request = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(check_arguments(request["raw"], request["schema"])))


if __name__ == "__main__":
    main()

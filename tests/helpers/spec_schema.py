"""Validate JSON responses against the response schemas of the OpenAI spec.

The spec is OpenAPI 3.0, whose ``nullable: true`` is not JSON Schema; it is rewritten
to ``anyOf: [schema, {type: null}]`` once, then every ``$ref`` resolves inside the
document through a ``referencing`` registry. Draft 4 semantics match OpenAPI 3.0.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "openai-openapi.yaml"
SPEC_URI = "urn:openai-openapi"


def _json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _registry() -> Registry[Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open() as handle:
        spec = yaml.load(handle, Loader=loader)
    document = {"components": {"schemas": _json_schema(spec["components"]["schemas"])}}
    resource = Resource.from_contents(document, default_specification=DRAFT4)
    return Registry().with_resource(SPEC_URI, resource)


@functools.cache
def validator(schema_name: str) -> Draft4Validator:
    """A validator for ``components/schemas/<schema_name>``."""
    schema = {"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"}
    return Draft4Validator(schema, registry=_registry())


def assert_matches(schema_name: str, instance: Any) -> None:
    """Raise AssertionError listing every schema violation of ``instance``."""
    errors = sorted(validator(schema_name).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        details = "\n".join(
            f"- at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
            for e in errors[:10]
        )
        raise AssertionError(f"response does not match {schema_name}:\n{details}")

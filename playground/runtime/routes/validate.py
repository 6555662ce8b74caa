"""Request-body checks that answer 400 with the offending ``param`` in plain words.

Unknown fields are ignored (newer SDKs add fields over time); known fields with the
wrong type or out of range are rejected, as OpenAI did.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request

from ..body import NO_BODY, read_json_body
from ..errors import bad_request

FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
V2_TOOL_TYPES = ("code_interpreter", "file_search", "function")
V1_TOOL_TYPES = ("code_interpreter", "retrieval", "function")


async def json_body(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The JSON object body; an empty body counts as ``{}`` when ``required`` is False."""
    body = await read_json_body(request)  # size, depth and Unicode limits (issue 14)
    if body is NO_BODY:
        if required:
            raise bad_request("The request body is empty; a JSON object was expected.")
        return {}
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def _type_name(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), "null" if value is None else type(value).__name__)


def _wrong(param: str, expected: str, value: Any) -> Exception:
    return bad_request(
        f"Invalid type for '{param}': expected {expected}, but got {_type_name(value)}.",
        param=param,
        code="invalid_type",
    )


def string(
    body: dict[str, Any],
    key: str,
    *,
    required: bool = False,
    nullable: bool = True,
    max_len: int | None = None,
    param: str | None = None,
) -> str | None:
    name = param or key
    if key not in body:
        if required:
            raise bad_request(f"Missing required parameter: '{name}'.", param=name)
        return None
    value = body[key]
    if value is None and nullable and not required:
        return None
    if not isinstance(value, str):
        raise _wrong(name, "a string", value)
    if required and not value:
        raise bad_request(f"'{name}' must not be empty.", param=name)
    if max_len is not None and len(value) > max_len:
        raise bad_request(
            f"'{name}' is too long: at most {max_len} characters, got {len(value)}.",
            param=name,
            code="string_above_max_length",
        )
    return value


def number(
    body: dict[str, Any], key: str, low: float, high: float, *, param: str | None = None
) -> float | None:
    name = param or key
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(name, "a number", value)
    if not low <= value <= high:
        raise bad_request(
            f"'{name}' must be between {low:g} and {high:g}, got {value}.", param=name
        )
    return value


def integer(
    body: dict[str, Any], key: str, *, minimum: int | None = None, param: str | None = None
) -> int | None:
    name = param or key
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(name, "an integer", value)
    if minimum is not None and value < minimum:
        raise bad_request(f"'{name}' must be at least {minimum}, got {value}.", param=name)
    return value


def boolean(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _wrong(key, "a boolean", value)
    return value


def string_list(
    body: dict[str, Any], key: str, *, max_items: int, param: str | None = None
) -> list[str] | None:
    name = param or key
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise _wrong(name, "an array of strings", value)
    if len(value) > max_items:
        raise bad_request(
            f"'{name}' has too many items: at most {max_items}, got {len(value)}.",
            param=name,
            code="array_above_max_length",
        )
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise _wrong(f"{name}[{index}]", "a non-empty string", item)
    return list(value)


def metadata(body: dict[str, Any], key: str = "metadata") -> dict[str, str] | None:
    """At most 16 pairs; keys ≤ 64 chars; string values ≤ 512 chars."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _wrong(key, "an object of string values", value)
    if len(value) > 16:
        raise bad_request(f"'{key}' has too many keys: at most 16, got {len(value)}.", param=key)
    for k, v in value.items():
        if len(k) > 64:
            raise bad_request(f"'{key}' key '{k[:20]}…' is longer than 64 characters.", param=key)
        if not isinstance(v, str):
            raise _wrong(f"{key}.{k}", "a string", v)
        if len(v) > 512:
            raise bad_request(f"'{key}.{k}' is longer than 512 characters.", param=f"{key}.{k}")
    return dict(value)


def tools(
    body: dict[str, Any], *, dialect: str, max_items: int = 128, key: str = "tools"
) -> list[dict[str, Any]] | None:
    """Validate tool definitions for the dialect; v1 ``retrieval`` becomes ``file_search``."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise _wrong(key, "an array of tools", value)
    if len(value) > max_items:
        raise bad_request(
            f"'{key}' has too many tools: at most {max_items}, got {len(value)}.",
            param=key,
            code="array_above_max_length",
        )
    allowed = V1_TOOL_TYPES if dialect == "v1" else V2_TOOL_TYPES
    result: list[dict[str, Any]] = []
    for index, tool in enumerate(value):
        param = f"{key}[{index}]"
        if not isinstance(tool, dict):
            raise _wrong(param, "an object", tool)
        tool_type = tool.get("type")
        if tool_type not in allowed:
            listed = ", ".join(f"'{t}'" for t in allowed[:-1]) + f", and '{allowed[-1]}'"
            raise bad_request(
                f"Invalid value: '{tool_type}'. Supported values are: {listed}.",
                param=f"{param}.type",
                code="invalid_value",
            )
        if tool_type == "function":
            result.append({"type": "function", "function": _function(tool, param)})
        elif tool_type in ("file_search", "retrieval"):
            result.append(_file_search(tool, param))
        else:
            result.append({"type": "code_interpreter"})
    return result


def _function(tool: dict[str, Any], param: str) -> dict[str, Any]:
    function = tool.get("function")
    if not isinstance(function, dict):
        raise bad_request(
            f"Missing required parameter: '{param}.function'.", param=f"{param}.function"
        )
    name = function.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME.match(name):
        raise bad_request(
            f"Invalid '{param}.function.name': use 1-64 letters, digits, '_' or '-'.",
            param=f"{param}.function.name",
            code="invalid_value",
        )
    out: dict[str, Any] = {"name": name}
    description = function.get("description")
    if description is not None:
        if not isinstance(description, str):
            raise _wrong(f"{param}.function.description", "a string", description)
        out["description"] = description
    parameters = function.get("parameters")
    if parameters is not None:
        if not isinstance(parameters, dict):
            raise _wrong(f"{param}.function.parameters", "a JSON Schema object", parameters)
        out["parameters"] = parameters
    strict = function.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise _wrong(f"{param}.function.strict", "a boolean", strict)
    out["strict"] = bool(strict) if strict is not None else False
    return out


def _file_search(tool: dict[str, Any], param: str) -> dict[str, Any]:
    options = tool.get("file_search")
    if options is None:
        return {"type": "file_search"}
    if not isinstance(options, dict):
        raise _wrong(f"{param}.file_search", "an object", options)
    out: dict[str, Any] = {}
    max_results = integer(
        options, "max_num_results", minimum=1, param=f"{param}.file_search.max_num_results"
    )
    if max_results is not None:
        if max_results > 50:
            raise bad_request(
                f"'{param}.file_search.max_num_results' must be between 1 and 50.",
                param=f"{param}.file_search.max_num_results",
            )
        out["max_num_results"] = max_results
    ranking = options.get("ranking_options")
    if ranking is not None:
        if not isinstance(ranking, dict):
            raise _wrong(f"{param}.file_search.ranking_options", "an object", ranking)
        ranker = ranking.get("ranker", "auto")
        if ranker not in ("auto", "default_2024_08_21"):
            raise bad_request(
                f"Invalid value: '{ranker}'. Supported values are: 'auto' and 'default_2024_08_21'.",
                param=f"{param}.file_search.ranking_options.ranker",
                code="invalid_value",
            )
        threshold = number(
            ranking,
            "score_threshold",
            0,
            1,
            param=f"{param}.file_search.ranking_options.score_threshold",
        )
        out["ranking_options"] = {"ranker": ranker, "score_threshold": threshold or 0.0}
    return {"type": "file_search", "file_search": out}


def response_format(body: dict[str, Any]) -> Any:
    value = body.get("response_format")
    if value is None or value == "auto":
        return value
    if not isinstance(value, dict) or value.get("type") not in (
        "text",
        "json_object",
        "json_schema",
    ):
        raise bad_request(
            'Invalid \'response_format\': use "auto", {"type": "text"}, '
            '{"type": "json_object"} or {"type": "json_schema", "json_schema": {...}}.',
            param="response_format",
            code="invalid_value",
        )
    if value["type"] == "json_schema":
        schema = value.get("json_schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("name"), str):
            raise bad_request(
                "Missing required parameter: 'response_format.json_schema.name'.",
                param="response_format.json_schema.name",
            )
    return value


def tool_choice(body: dict[str, Any]) -> Any:
    value = body.get("tool_choice")
    if value is None or value in ("none", "auto", "required"):
        return value
    if isinstance(value, dict):
        kind = value.get("type")
        if kind in ("code_interpreter", "file_search"):
            return {"type": kind}
        if kind == "function":
            function = value.get("function")
            if isinstance(function, dict) and isinstance(function.get("name"), str):
                return {"type": "function", "function": {"name": function["name"]}}
    raise bad_request(
        'Invalid \'tool_choice\': use "none", "auto", "required", or '
        '{"type": "function", "function": {"name": ...}}.',
        param="tool_choice",
        code="invalid_value",
    )


def tool_choice_matches(choice: Any, run_tools: list[dict[str, Any]]) -> None:
    """A forced tool must be one the run can call; otherwise the model would be asked
    for a tool it was never given (and Chat Completions servers reject that mid-run)."""
    if not isinstance(choice, dict):
        return
    kind = choice.get("type")
    if kind == "function":
        name = (choice.get("function") or {}).get("name")
        names = [
            (tool.get("function") or {}).get("name")
            for tool in run_tools
            if tool.get("type") == "function"
        ]
        if name not in names:
            listed = ", ".join(f"'{n}'" for n in names) if names else "none"
            raise bad_request(
                f"Invalid 'tool_choice': the function '{name}' is not among this run's "
                f"tools (functions available: {listed}).",
                param="tool_choice",
                code="invalid_value",
            )
    elif kind in ("code_interpreter", "file_search"):
        if not any(tool.get("type") == kind for tool in run_tools):
            raise bad_request(
                f"Invalid 'tool_choice': this run has no '{kind}' tool; add it to the "
                "run's or the assistant's tools first.",
                param="tool_choice",
                code="invalid_value",
            )


def truncation_strategy(body: dict[str, Any]) -> dict[str, Any] | None:
    value = body.get("truncation_strategy")
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in ("auto", "last_messages"):
        raise bad_request(
            "Invalid 'truncation_strategy': 'type' must be 'auto' or 'last_messages'.",
            param="truncation_strategy.type",
            code="invalid_value",
        )
    last = integer(value, "last_messages", minimum=1, param="truncation_strategy.last_messages")
    return {"type": value["type"], "last_messages": last}


def token_budget(body: dict[str, Any], key: str) -> int | None:
    return integer(body, key, minimum=256)


def only_one_of(body: dict[str, Any], *keys: str) -> None:
    present = [k for k in keys if body.get(k) is not None]
    if len(present) > 1:
        raise bad_request(f"Send only one of {', '.join(repr(k) for k in keys)}.", param=present[1])

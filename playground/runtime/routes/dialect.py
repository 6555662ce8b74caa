"""Which wire version a request speaks (v1 or v2), and rendering stored v2 objects as v1.

OpenAI style (``/v1/...``): header ``OpenAI-Beta: assistants=v1`` selects v1 and
``assistants=v2`` selects v2. Without the header the assistants, threads and vector-store
routes answer the service's 400 ``invalid_beta`` (OpenAI did; a client that forgot the
header would otherwise be served a version it never asked for). ``/files`` and
``/models`` never needed the header.

Azure style (``/openai/...``): the ``api-version`` query parameter is required.
- missing → 400 ``missing_api_version`` (the request cannot be interpreted);
- ``2024-02-15-preview``, ``2024-03-01-preview``, ``2024-04-01-preview`` → v1;
- any ``YYYY-MM-DD-preview`` from ``2024-05-01-preview`` on, and ``v1`` (Foundry) → v2;
- anything else (GA versions carried no Assistants, earlier previews, junk) → 404
  ``unsupported_api_version``, as Azure answers for a path the version does not have.

Objects are stored in the v2 shape; v1 answers are derived on the way out:
``file_search`` tools show as ``retrieval``, assistants show ``file_ids`` (their
code-interpreter files), messages show ``file_ids`` (their attachments), citations carry
``quote``, runs carry ``file_ids: []``, and ``tool_resources``/``attachments`` are hidden.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request

from ...protocol.responses import ResponseShapeError, check_response
from ...protocol.shapes import AZURE_2024_05_01, Shape, fit, with_citation_quotes
from ..errors import ApiError
from ..store import public

V1_API_VERSIONS = frozenset({"2024-02-15-preview", "2024-03-01-preview", "2024-04-01-preview"})
FIRST_V2_PREVIEW = "2024-05-01"
_PREVIEW = re.compile(r"^(\d{4}-\d{2}-\d{2})-preview$")

Obj = dict[str, Any]


#: OpenAI-style routes that never needed ``OpenAI-Beta``.
_NO_BETA_PREFIXES = ("/v1/files", "/v1/models")
MISSING_BETA = (
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try "
    "again by setting the header 'OpenAI-Beta: assistants=v2'."
)


def dialect(request: Request) -> Shape:
    """'v1', 'v2' or an Azure version with its own shapes ('2024-05-01-preview') for this
    request (ApiError for a bad api-version or a missing header). Anything but 'v1' is
    Assistants v2."""
    path = request.url.path
    if path.startswith("/openai/"):
        return azure_dialect(request.query_params.get("api-version"))
    beta = request.headers.get("openai-beta", "")
    for part in beta.split(","):
        name, _, value = part.strip().partition("=")
        if name == "assistants" and value.strip() in ("v1", "v2"):
            return "v1" if value.strip() == "v1" else "v2"
    if path.startswith(_NO_BETA_PREFIXES):
        return "v2"
    raise ApiError(400, MISSING_BETA, code="invalid_beta")


def azure_dialect(api_version: str | None) -> Shape:
    if not api_version:
        raise ApiError(
            400,
            "Missing required query parameter 'api-version' (for example "
            "?api-version=2024-05-01-preview).",
            param="api-version",
            code="missing_api_version",
        )
    if api_version in V1_API_VERSIONS:
        return "v1"
    if api_version in AZURE_2024_05_01:
        return "2024-05-01-preview"
    match = _PREVIEW.match(api_version)
    if api_version == "v1" or (match and match.group(1) >= FIRST_V2_PREVIEW):
        return "v2"
    raise ApiError(
        404,
        f"api-version '{api_version}' does not support the Assistants API. Use "
        "2024-02-15-preview through 2024-04-01-preview (v1) or 2024-05-01-preview "
        "or later (v2).",
        param="api-version",
        code="unsupported_api_version",
    )


# ---------------------------------------------------------------- v1 rendering


def _tools_v1(tools: list[Obj] | None) -> list[Obj]:
    out = []
    for tool in tools or []:
        out.append({"type": "retrieval"} if tool.get("type") == "file_search" else tool)
    return out


def assistant_v1(obj: Obj) -> Obj:
    out = public(obj)
    resources = out.pop("tool_resources", None) or {}
    out["file_ids"] = list((resources.get("code_interpreter") or {}).get("file_ids") or [])
    out["tools"] = _tools_v1(out.get("tools"))
    return out


def thread_v1(obj: Obj) -> Obj:
    out = public(obj)
    out.pop("tool_resources", None)
    return out


def message_v1(obj: Obj) -> Obj:
    out = public(obj)
    attachments = out.pop("attachments", None) or []
    out["file_ids"] = [a["file_id"] for a in attachments if "file_id" in a]
    out["content"] = with_citation_quotes(out.get("content") or [])
    return out


def run_v1(obj: Obj) -> Obj:
    out = public(obj)
    out["tools"] = _tools_v1(out.get("tools"))
    out["file_ids"] = list(obj.get("_file_ids") or [])
    return out


def _tool_calls_v1(calls: list[Obj]) -> list[Obj]:
    out = []
    for call in calls:
        if call.get("type") == "file_search":
            call = {key: value for key, value in call.items() if key not in ("file_search", "type")}
            call.update({"type": "retrieval", "retrieval": {}})
        out.append(call)
    return out


def step_v1(obj: Obj) -> Obj:
    out = public(obj)
    details = out.get("step_details") or {}
    if details.get("type") == "tool_calls":
        out["step_details"] = {
            **details,
            "tool_calls": _tool_calls_v1(details.get("tool_calls") or []),
        }
    return out


def step_delta_v1(obj: Obj) -> Obj:
    delta = obj.get("delta") or {}
    details = delta.get("step_details") or {}
    if details.get("type") == "tool_calls":
        details = {**details, "tool_calls": _tool_calls_v1(details.get("tool_calls") or [])}
        return {**obj, "delta": {**delta, "step_details": details}}
    return obj


_V1_RENDERERS = {
    "assistant": assistant_v1,
    "thread": thread_v1,
    "message": message_v1,
    "run": run_v1,
    "step": step_v1,
}


def render(kind: str, obj: Obj, version: Shape) -> Obj:
    """The client-visible form of a stored object of ``kind`` in ``version``: converted
    to v1 where needed, then cut to the fields that version defines (protocol.shapes)."""
    converted = _V1_RENDERERS.get(kind, public)(obj) if version == "v1" else public(obj)
    return checked(kind, fit(kind, converted, version))


def checked(kind: str, obj: Obj) -> Obj:
    """``obj`` if it fits ``kind``'s protocol model, else a 500 that says which field broke
    (never a malformed object that a client would choke on far from the cause)."""
    try:
        return check_response(kind, obj)
    except ResponseShapeError as exc:
        raise ApiError(500, str(exc), code="server_error") from None


_EVENT_KINDS = (
    ("thread.run.step.delta", None),
    ("thread.message.delta", None),
    ("thread.created", "thread"),
    ("thread.run.step.", "step"),
    ("thread.run.", "run"),
    ("thread.message.", "message"),
)


def render_event(name: str, payload: Obj, version: Shape) -> Obj:
    """Render one stream event's data for ``version``."""
    for prefix, kind in _EVENT_KINDS:
        if name.startswith(prefix):
            if kind is not None:
                return render(kind, payload, version)
            if version == "v1" and name == "thread.run.step.delta":
                return step_delta_v1(payload)
            return public(payload)
    return payload

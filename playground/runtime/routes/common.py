"""Helpers shared by the route modules: the one request parser and response builders."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from ...protocol.errors import RequestError
from ...protocol.inbound import parse_body
from ...protocol.shapes import Shape
from ..body import NO_BODY, read_json_body
from ..errors import ApiError, bad_request, not_found
from ..pagination import list_envelope
from ..store import Obj
from .context import ctx
from .dialect import render

M = TypeVar("M", bound=BaseModel)


async def read_body(request: Request, *, required: bool) -> dict[str, Any]:
    """The JSON object body; an empty body counts as ``{}`` when not ``required``.

    The only place the routes read a request body, so size and nesting caps apply to all.
    """
    body = await read_json_body(request)  # size, depth and Unicode limits
    if body is NO_BODY:
        if required:
            raise bad_request("The request body is empty; a JSON object was expected.")
        return {}
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


async def parse_request(
    request: Request, model: type[M], version: Shape, *, required: bool = True
) -> M:
    """Read the body and parse it with the protocol ``model``, or answer OpenAI's 400."""
    return parse_object(await read_body(request, required=required), model, version)


def parse_object(body: dict[str, Any], model: type[M], version: Shape) -> M:
    """Parse an already-read JSON object (a nested part of a multipart form, say)."""
    try:
        return parse_body(model, body, family="v1" if version == "v1" else "v2")
    except RequestError as exc:
        raise ApiError(400, exc.message, param=exc.param, code=exc.code) from None


def dump(model: BaseModel | str | None) -> Any:
    """A parsed request part as plain JSON data with only the fields the caller sent
    (string options such as ``"auto"`` pass through)."""
    if model is None or isinstance(model, str):
        return model
    return model.model_dump(mode="json", exclude_unset=True, by_alias=True)


def ok(kind: str, obj: Obj, version: Shape, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(render(kind, obj, version), headers=headers)


def page(kind: str, items: list[Obj], has_more: bool, version: Shape) -> JSONResponse:
    return JSONResponse(list_envelope([render(kind, i, version) for i in items], has_more))


def deleted(object_id: str, object_name: str) -> JSONResponse:
    return JSONResponse({"id": object_id, "object": object_name, "deleted": True})


async def load(request: Request, kind: str, object_id: str, *, parent: str | None = None) -> Obj:
    """The stored object or a 404 naming it."""
    obj = await ctx(request).store.get(kind, object_id, parent=parent)
    if obj is None:
        raise not_found(kind, object_id)
    return obj


def path(request: Request, name: str) -> str:
    value: Any = request.path_params[name]
    return str(value)

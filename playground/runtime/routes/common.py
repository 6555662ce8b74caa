"""Small response helpers shared by the route modules."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import not_found
from ..pagination import list_envelope
from ..store import Obj
from .context import ctx
from .dialect import render


def ok(kind: str, obj: Obj, version: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(render(kind, obj, version), headers=headers)


def page(kind: str, items: list[Obj], has_more: bool, version: str) -> JSONResponse:
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

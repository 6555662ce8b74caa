"""``/models``: the one model that answers runs, so clients can fill a model picker.

That is the configured endpoint's model, or the offline default when none is configured.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import ApiError
from .common import path
from .context import ctx


def _models(request: Request) -> list[dict[str, object]]:
    name = ctx(request).model_id
    if not name:
        return []
    return [{"id": name, "object": "model", "created": 0, "owned_by": "assistants-playground"}]


async def list_models(request: Request) -> Response:
    return JSONResponse({"object": "list", "data": _models(request)})


async def get_model(request: Request) -> Response:
    model_id = path(request, "model_id")
    for model in _models(request):
        if model["id"] == model_id:
            return JSONResponse(model)
    raise ApiError(
        404, f"The model '{model_id}' does not exist.", param="model", code="model_not_found"
    )


routes = [
    Route("/models", list_models, methods=["GET"]),
    Route("/models/{model_id:path}", get_model, methods=["GET"]),
]

"""``GET /models``: names for the model picker, where the server offers them."""

from __future__ import annotations

from ...protocol import ListPage
from ..errors import APIResponseValidationError, APIStatusError, MalformedResponseError
from ..wire_extras import ModelInfo
from .base import Resource

#: Statuses meaning "this server has no /models": the picker then takes free text.
_MISSING = frozenset({404, 405, 501})


class Models(Resource):
    async def list(self) -> list[ModelInfo]:
        """Every model the server names, or ``[]`` if it has no ``/models`` endpoint.

        Authentication and server errors still raise: they mean the connection is
        wrong, which the user should hear about.
        """
        try:
            page = await self._get("/models", ListPage[ModelInfo], "model list")
        except APIStatusError as exc:
            if exc.status in _MISSING:
                return []
            raise
        except (MalformedResponseError, APIResponseValidationError):
            return []  # a server without the endpoint may answer with its home page
        return list(page.data)

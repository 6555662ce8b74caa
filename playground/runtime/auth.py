"""Token check for every request: ``Authorization: Bearer T`` or ``api-key: T``.

A pure ASGI middleware (not BaseHTTPMiddleware) so streaming responses pass through
untouched. The comparison is constant-time so the token cannot be probed by timing.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import ApiError


def presented_token(headers: dict[bytes, bytes]) -> str | None:
    api_key = headers.get(b"api-key")
    if api_key:
        return api_key.decode("latin-1").strip()
    authorization = headers.get(b"authorization", b"").decode("latin-1").strip()
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class TokenAuth:
    """Rejects any HTTP request without the server token with a 401 OpenAI error."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        token = presented_token(headers)
        if token is None:
            error = ApiError(
                401,
                "You didn't provide an API key. Send the server token as "
                "'Authorization: Bearer TOKEN' or 'api-key: TOKEN'.",
                code="missing_api_key",
            )
        elif not hmac.compare_digest(token.encode(), self._token):
            error = ApiError(
                401, "Incorrect API key provided for this server.", code="invalid_api_key"
            )
        else:
            await self._app(scope, receive, send)
            return
        await error.response()(scope, receive, send)

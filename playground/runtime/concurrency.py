"""At most N requests in flight; the next ones get an OpenAI-shaped 503 with ``Retry-After``.

uvicorn's own ``limit_concurrency`` answered with a plain-text "Service Unavailable", which
SDKs cannot parse (the openai SDK reported an unreadable body instead of "busy, retry").
Counting here keeps the body in the one error shape of the API and tells clients when to
come back. One event loop runs every request, so a plain counter is exact: nothing awaits
between the check and the increment.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import ApiError

#: Seconds a refused client is asked to wait; requests here take milliseconds to seconds.
RETRY_AFTER_SECONDS = 1


def server_busy(limit: int) -> ApiError:
    """The answer past the cap: 503, retryable, with the cap named."""
    return ApiError(
        503,
        f"The server is busy: {limit} requests are already in progress. "
        f"Try again in {RETRY_AFTER_SECONDS} s.",
        code="server_busy",
        type="server_error",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class ConcurrencyCap:
    """Pure ASGI middleware counting HTTP requests (streams included) until they end."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self._app = app
        self._limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        if self.in_flight >= self._limit:
            await server_busy(self._limit).response()(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self._app(scope, receive, send)
        finally:
            self.in_flight -= 1

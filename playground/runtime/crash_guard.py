"""Turns an unexpected exception into the OpenAI 500 body *without* dropping the connection.

Starlette's outermost error middleware sends the 500 but then re-raises, and uvicorn
answers a re-raised exception by closing the connection; a client that pooled it then
fails its next request with "connection reset". Catching the crash one layer further in
keeps the keep-alive connection usable. Once a response has started (a stream that
broke half-way) nothing valid can follow, so the exception goes on and the connection
is closed, as it must be.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError, DiskFull, is_disk_full

log = logging.getLogger(__name__)

CRASH_MESSAGE = "The server had an error while processing your request."


class CrashGuard:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            if is_disk_full(exc):
                # An expected condition with its own plain answer; no traceback per request.
                log.warning(
                    "%s %s failed: the disk is full", scope.get("method"), scope.get("path")
                )
                await DiskFull().response()(scope, receive, send)
                return
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            response = ApiError(500, CRASH_MESSAGE, code="server_error").response()
            await response(scope, receive, send)

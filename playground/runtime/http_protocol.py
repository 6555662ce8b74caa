"""uvicorn's h11 protocol with a deadline for receiving a request's headers.

uvicorn closes idle keep-alive connections, but a connection that never sends a complete
request (half-open, or a slowloris client dribbling header bytes) is kept forever: 1,100 of
them exhausted the server's file descriptors and locked real clients out. Here every
connection must deliver a request's headers within ``header_timeout`` seconds of opening
(or of its previous response); otherwise it is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState


def protocol_with_header_timeout(header_timeout: float) -> type[H11Protocol]:
    """An h11 protocol class for ``uvicorn.Config(http=...)`` that enforces the deadline."""

    class HeaderTimeoutProtocol(H11Protocol):
        def __init__(
            self,
            config: Config,
            server_state: ServerState,
            app_state: dict[str, Any],
            _loop: asyncio.AbstractEventLoop | None = None,
        ) -> None:
            super().__init__(config, server_state, app_state, _loop)
            self._header_deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)  # type: ignore[arg-type]
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            self._header_deadline = self.loop.call_later(header_timeout, self._check_headers)

        def _disarm(self) -> None:
            if self._header_deadline is not None:
                self._header_deadline.cancel()
                self._header_deadline = None

        def _check_headers(self) -> None:
            self._header_deadline = None
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and not self.transport.is_closing():
                # No request began in time: close quietly (no response is owed).
                if self.conn.our_state not in (h11.ERROR, h11.CLOSED):
                    try:
                        self.conn.send(h11.ConnectionClosed())
                    except h11.LocalProtocolError:
                        pass
                self.transport.close()

    return HeaderTimeoutProtocol

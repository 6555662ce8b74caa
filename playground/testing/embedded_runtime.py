"""Start the embedded runtime on demand for the headless ``test`` command.

The command line starts the same child as the window, through the same Qt-free
:class:`~playground.connection.embedded.EmbeddedRuntime`: ``python -m playground.runtime
--port 0``, the token read from the child's stdout (a pipe only we read, never a command
line), the model key in the child's environment, ``--exit-with-parent`` so no server outlives
a killed CI job. One launcher means the start-up contract with the runtime is written once.
This module only scopes the runtime to an ``async with`` block and turns its errors into the
testing package's own. It uses the same data folder as the window, so the assistants a person
built there are the ones a suite tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.connection.embedded import (
    EmbeddedRuntime,
    EmbeddedRuntimeError,
    EmbeddedSettings,
)

from .errors import RuntimeStartError


@dataclass(frozen=True)
class RunningRuntime:
    api_base: str  # http://127.0.0.1:PORT/v1
    token: str
    model: str  # what the runtime said answers its runs


class HeadlessRuntime:
    """One runtime child for the duration of an ``async with`` block."""

    def __init__(self, settings: EmbeddedSettings) -> None:
        self._settings = settings
        self._runtime = EmbeddedRuntime()

    async def __aenter__(self) -> RunningRuntime:
        try:
            api_base = await self._runtime.ensure_started(self._settings)
        except EmbeddedRuntimeError as exc:
            # The runtime has already stopped the child and added its log's last lines.
            raise RuntimeStartError(exc.message) from None
        token = self._runtime.token
        assert token is not None  # a start without an announced token raised above
        return RunningRuntime(api_base, token, self._runtime.model_description or "")

    async def __aexit__(self, *exc: object) -> None:
        await self._runtime.stop()

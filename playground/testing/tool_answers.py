"""Where a run's function outputs come from when nobody is at the keyboard.

A chain of sources, first answer wins: the case's canned outputs (by function name, and
optionally arguments), then the function's saved mode in the store (canned text, or a local
Python function run in its own process). A call nobody can answer raises
:class:`~.errors.NoToolOutputError` naming the function, so the report says exactly what
to add to the case instead of hanging on a prompt.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from playground.runs import LocalFunctionError
from playground.runs.tool_outputs import run_local_python
from playground.store.function_modes import FunctionModeKind, FunctionModeStore

from .errors import NoToolOutputError
from .suite import CannedOutput


class ToolAnswerSource(Protocol):
    async def answer(self, assistant_id: str, name: str, arguments: str) -> str | None:
        """The output for this call, or ``None`` when this source has none."""
        ...


def _parsed(arguments: str) -> dict[str, Any] | None:
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class CannedOutputs:
    """A case's ``tool_outputs``: the most specific match wins, then the first in the list."""

    def __init__(self, outputs: Sequence[CannedOutput]) -> None:
        self._outputs = list(outputs)

    async def answer(self, assistant_id: str, name: str, arguments: str) -> str | None:
        return self.lookup(name, arguments)

    def lookup(self, name: str, arguments: str) -> str | None:
        given = _parsed(arguments)
        best: tuple[int, str] | None = None
        for canned in self._outputs:
            if canned.function != name:
                continue
            wanted = canned.arguments or {}
            if wanted and (
                given is None or any(k not in given or given[k] != v for k, v in wanted.items())
            ):
                continue
            if best is None or len(wanted) > best[0]:
                best = (len(wanted), canned.output)
        return best[1] if best else None


class SavedFunctionModes:
    """The function modes a person set in the window for this connection profile."""

    def __init__(self, modes: FunctionModeStore, profile_id: str) -> None:
        self._modes = modes
        self._profile_id = profile_id

    async def answer(self, assistant_id: str, name: str, arguments: str) -> str | None:
        mode = self._modes.get(self._profile_id, assistant_id, name)
        match mode.kind:
            case FunctionModeKind.ASK:
                return None
            case FunctionModeKind.CANNED:
                return mode.canned_output
            case FunctionModeKind.LOCAL_PYTHON:
                problems = mode.problems()
                if problems:
                    raise NoToolOutputError(
                        f"{name}() is set to run local Python, but: {problems[0]}"
                    )
                try:
                    return await run_local_python(
                        mode.python_path, mode.callable_name, arguments, timeout_s=mode.timeout_s
                    )
                except LocalFunctionError as exc:
                    raise NoToolOutputError(
                        f"{name}() in local Python failed: {exc.message}"
                    ) from None
        return None


class AskSomeone:
    """Adapts an interactive prompt (the window's *ask* mode) into a source."""

    def __init__(self, ask: Callable[[str, str, str], Awaitable[str | None]]) -> None:
        self._ask = ask

    async def answer(self, assistant_id: str, name: str, arguments: str) -> str | None:
        return await self._ask(assistant_id, name, arguments)


class ToolAnswers:
    """The chain; :meth:`output` raises :class:`NoToolOutputError` when no source answers."""

    def __init__(self, *sources: ToolAnswerSource) -> None:
        self._sources = sources

    async def output(self, assistant_id: str, name: str, arguments: str) -> str:
        for source in self._sources:
            found = await source.answer(assistant_id, name, arguments)
            if found is not None:
                return found
        raise NoToolOutputError(
            f"The run called {name}({arguments}) and the case has no output for it. Add a "
            f"tool output for “{name}” to the case, or set the function's mode to canned or "
            "local Python."
        )

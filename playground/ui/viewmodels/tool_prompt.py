"""The requires_action prompt: one batch of tool calls waiting for outputs.

For each call: the function name, pretty arguments checked against that function's schema,
an output (typed by the person, a canned text, or computed by a local Python function off
the Qt thread), and the mode that decides which. When every call of the batch has an
automatic answer the batch is submitted without asking; otherwise ``needs_person`` is True
and the chat opens the prompt. All outputs of a batch go back in ONE request.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.runs import RequiresAction, RunSession
    from playground.store.function_modes import FunctionMode

log = logging.getLogger(__name__)


@dataclass
class ToolCallItem:
    """One call of the batch as the prompt shows it."""

    call_id: str
    name: str
    arguments: str  # pretty-printed when it is JSON
    argument_problems: list[str] = field(default_factory=list)
    output: str = ""
    output_warnings: list[str] = field(default_factory=list)
    mode: FunctionMode | None = None
    #: Who supplied the output: "you", "canned" or "local_python" (the inspector shows it).
    source: str = "you"
    error: str = ""


def pretty_arguments(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, TypeError):
        return raw


class ToolPromptViewModel(QObject):
    """Signals: ``ready()`` (schemas and automatic answers done), ``changed()`` (any item),
    ``submitting_changed(bool)``, ``finished()`` (submitted, cancelled, or the run ended)."""

    ready = Signal()
    changed = Signal()
    submitting_changed = Signal(bool)
    finished = Signal()
    #: (tool call id, source) for each output sent, once the batch went out.
    outputs_submitted = Signal(list)

    def __init__(
        self,
        session: Session,
        run_session: RunSession,
        event: RequiresAction,
        *,
        assistant_id: str | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._run_session = run_session
        self._event = event
        self._assistant_id = assistant_id or event.run.assistant_id or ""
        self.run_id: str = event.run.id
        self.thread_id: str = event.run.thread_id
        self.expires_at: float | None = _float_or_none(event.expires_at or event.run.expires_at)
        self.items: list[ToolCallItem] = [
            ToolCallItem(
                call_id=call.id,
                name=call.function.name,
                arguments=pretty_arguments(call.function.arguments),
            )
            for call in event.tool_calls
        ]
        self._raw_arguments = {call.id: call.function.arguments for call in event.tool_calls}
        self._schemas: dict[str, dict[str, Any]] = {}
        self._is_ready = False
        self._submitting = False
        self._closed = False

    # -- state ----------------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        return self._is_ready

    @property
    def needs_person(self) -> bool:
        """True when at least one call is in *ask* mode (or its automatic answer failed)."""
        return any(not self._automatic_done(i) for i in self.items)

    @property
    def submitting(self) -> bool:
        return self._submitting

    @property
    def closed(self) -> bool:
        return self._closed

    def seconds_left(self, now: float | None = None) -> float | None:
        if self.expires_at is None:
            return None
        return max(0.0, self.expires_at - (now if now is not None else time.time()))

    def schema(self, name: str) -> dict[str, Any] | None:
        return self._schemas.get(name)

    # -- intents --------------------------------------------------------------------------

    def start(self) -> None:
        self._session.runner.start(
            f"prompt.{self.run_id}", self.prepare(), label="Preparing the tool outputs"
        )

    async def prepare(self) -> None:
        """Load schemas and modes, check arguments, compute automatic answers."""
        from playground.runs import tool_outputs

        await self._load_schemas_and_modes()
        for item in self.items:
            schema = self._schemas.get(item.name)
            raw = self._raw_arguments.get(item.call_id, "")
            item.argument_problems = await tool_outputs.check_arguments_bounded(raw, schema)
        for index in range(len(self.items)):
            await self._answer_automatically(index)
        self._is_ready = True
        self.changed.emit()
        self.ready.emit()
        if not self.needs_person and not self._closed:
            await self.submit_async()

    def set_output(self, index: int, text: str) -> None:
        from playground.runs import tool_outputs

        item = self.items[index]
        item.output = text
        item.source = "you"
        item.output_warnings = list(tool_outputs.check_output(text))
        self.changed.emit()

    def set_mode(self, index: int, mode: FunctionMode) -> None:
        """Change (and remember) how this function is answered."""
        self._session.runner.start(
            None, self.set_mode_async(index, mode), label="Changing the function mode"
        )

    async def set_mode_async(self, index: int, mode: FunctionMode) -> None:
        item = self.items[index]
        problems = mode.problems()
        if problems:
            item.error = " ".join(problems)
            self.changed.emit()
            return
        item.mode = mode
        item.error = ""
        profile_id = self._session.profile_id
        if profile_id is not None and self._assistant_id:
            await self._session.runner.run_blocking(
                self._session.store.function_modes.set,
                profile_id,
                self._assistant_id,
                item.name,
                mode,
            )
        await self._answer_automatically(index)
        self.changed.emit()

    def submit_all(self) -> None:
        self._session.runner.start(
            f"prompt.submit.{self.run_id}", self.submit_async(), label="Submitting the tool outputs"
        )

    async def submit_async(self) -> None:
        from playground.protocol import ToolOutput

        if self._submitting or self._closed:
            return
        self._set_submitting(True)
        try:
            outputs = [ToolOutput(tool_call_id=i.call_id, output=i.output) for i in self.items]
            await self._run_session.submit_tool_outputs(outputs)
        finally:
            self._set_submitting(False)
        self.outputs_submitted.emit([(i.call_id, i.source) for i in self.items])
        self.close()

    def cancel_run(self) -> None:
        self._session.runner.start(None, self.cancel_async(), label="Cancelling the run")

    async def cancel_async(self) -> None:
        try:
            await self._run_session.cancel()
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._session.runner.cancel(f"prompt.{self.run_id}")
            self.finished.emit()

    # -- internals ------------------------------------------------------------------------

    async def _load_schemas_and_modes(self) -> None:
        from playground.protocol import FunctionTool

        session = self._session
        client: AssistantsClient | None = session.client
        profile_id = session.profile_id
        if client is not None and self._assistant_id:
            try:
                assistant = await client.assistants.retrieve(self._assistant_id)
                for tool in assistant.tools or []:
                    if isinstance(tool, FunctionTool):
                        params = tool.function.parameters
                        self._schemas[tool.function.name] = dict(params) if params else {}
            except Exception as exc:  # without schemas the prompt still works, unchecked
                log.warning("Could not load the function schemas: %s", type(exc).__name__)
        if profile_id is not None and self._assistant_id:
            modes = await session.runner.run_blocking(
                session.store.function_modes.for_assistant, profile_id, self._assistant_id
            )
        else:
            modes = {}
        from playground.store.function_modes import FunctionMode

        for item in self.items:
            item.mode = modes.get(item.name, FunctionMode())

    async def _answer_automatically(self, index: int) -> None:
        from playground.runs import tool_outputs
        from playground.store.function_modes import FunctionModeKind

        item = self.items[index]
        mode = item.mode
        if mode is None or mode.kind is FunctionModeKind.ASK:
            return
        if mode.kind is FunctionModeKind.CANNED:
            item.output = mode.canned_output
            item.source = "canned"
            item.error = ""
        else:
            item.source = "local_python"
            try:
                item.output = await tool_outputs.run_local_python(
                    mode.python_path,
                    mode.callable_name,
                    self._raw_arguments.get(item.call_id, ""),
                    timeout_s=mode.timeout_s,
                )
                item.error = ""
            except Exception as exc:
                item.error = getattr(exc, "message", None) or str(exc) or type(exc).__name__
                item.output = ""
        item.output_warnings = list(tool_outputs.check_output(item.output))

    def _automatic_done(self, item: ToolCallItem) -> bool:
        from playground.store.function_modes import FunctionModeKind

        return (
            item.mode is not None and item.mode.kind is not FunctionModeKind.ASK and not item.error
        )

    def _set_submitting(self, value: bool) -> None:
        self._submitting = value
        self.submitting_changed.emit(value)


def _float_or_none(value: object) -> float | None:
    if isinstance(value, int | float) and value > 0:
        return float(value)
    return None

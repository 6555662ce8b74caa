"""Compare: one message to 2–4 assistant variants at once, each in its own thread.

The runs go through :func:`playground.testing.variants.compare` — the session's client and
driver, the same code the suites use — so a comparison and a suite never disagree about
what an assistant did. Function calls follow each function's saved mode (canned, local
Python); *ask* asks once per run, in the column that asks (``ask_requested(column, ...)``),
and :meth:`answer` hands the output back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.testing.tool_answers import AskSomeone, SavedFunctionModes, ToolAnswers
from playground.testing.variants import VARIANT_FIELDS, Variant, VariantOutcome

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.runs import RunDriver, RunEvent
    from playground.testing.tool_answers import ToolAnswerSource
    from playground.ui.viewmodels.assistant_editor import AssistantEditorViewModel
    from playground.ui.viewmodels.session import Session

MIN_VARIANTS = 2
MAX_VARIANTS = 4


@dataclass
class Column:
    """What one column shows; ``status`` follows the run live."""

    variant: Variant
    status: str = "not run"
    answer: str = ""
    steps: list[str] = field(default_factory=list)
    image_file_ids: list[str] = field(default_factory=list)
    file_ids: list[str] = field(default_factory=list)
    duration_s: float | None = None
    tokens: int | None = None
    error: str = ""
    thread_id: str = ""
    run_id: str = ""
    #: The call this column waits for an output of ("" when not asking).
    asking: str = ""
    #: Image bytes by file id, fetched once the run has finished (for thumbnails).
    images: dict[str, bytes] = field(default_factory=dict)

    def facts(self) -> str:
        parts = [self.status]
        if self.duration_s is not None:
            parts.append(f"{self.duration_s:.1f} s")
        if self.tokens is not None:
            parts.append(f"{self.tokens} tokens")
        return " · ".join(parts)


class CompareViewModel(QObject):
    """Signals: ``columns_changed()`` (variants added/removed), ``column_changed(int)``,
    ``busy_changed(bool)``, ``ask_requested(int, str, str)`` (column, function, arguments),
    ``keep_requested(object)`` (the :class:`Variant` to apply to the assistant editor)."""

    columns_changed = Signal()
    column_changed = Signal(int)
    busy_changed = Signal(bool)
    ask_requested = Signal(int, str, str)
    keep_requested = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._columns: list[Column] = []
        self._busy = False
        self._pending: dict[int, asyncio.Future[str | None]] = {}

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    @property
    def busy(self) -> bool:
        return self._busy

    # -- intents --------------------------------------------------------------------------

    def set_variants(self, variants: list[Variant]) -> None:
        if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
            raise ValueError(f"Compare {MIN_VARIANTS} to {MAX_VARIANTS} variants.")
        self._columns = [Column(v) for v in variants]
        self.columns_changed.emit()

    def add_variant(self, variant: Variant) -> bool:
        if len(self._columns) >= MAX_VARIANTS or self._busy:
            return False
        self._columns.append(Column(variant))
        self.columns_changed.emit()
        return True

    def remove_variant(self, index: int) -> bool:
        if len(self._columns) <= MIN_VARIANTS or self._busy:
            return False
        del self._columns[index]
        self.columns_changed.emit()
        return True

    def update_variant(self, index: int, variant: Variant) -> None:
        """Replace a column's settings (its previous result no longer applies)."""
        self._columns[index] = Column(variant)
        self.column_changed.emit(index)

    def send(self, text: str) -> bool:
        """Start the comparison; False (nothing starts) when it cannot run now."""
        message = text.strip()
        if not message or self._busy or len(self._columns) < MIN_VARIANTS:
            return False
        if self._session.client is None:
            self._session.bridge.post_notice("Connect first: there is no server to compare on.")
            return False
        self._session.runner.start("compare.send", self._send(message), label="Comparing")
        return True

    def answer(self, column: int, output: str | None) -> None:
        """The output for the call ``column`` asks about (``None``: skip, the run stops)."""
        future = self._pending.pop(column, None)
        if future is not None and not future.done():
            future.set_result(output)

    def keep(self, column: int) -> None:
        self.keep_requested.emit(self._columns[column].variant)

    # -- work -----------------------------------------------------------------------------

    async def _send(self, message: str) -> None:
        from playground.runs import RunDriver
        from playground.testing.variants import compare

        client: AssistantsClient | None = self._session.client
        if client is None:
            return  # send() checked; the connection went since
        session_driver: RunDriver | None = self._session.driver
        driver = session_driver or RunDriver(client)
        for index, column in enumerate(self._columns):
            self._columns[index] = Column(column.variant, status="starting")
            self.column_changed.emit(index)
        self._set_busy(True)
        try:
            outcomes = await compare(
                client,
                driver,
                [c.variant for c in self._columns],
                message,
                self._answers_for,
                events_for=self._events_for,
            )
        finally:
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
            self._set_busy(False)
        for index, outcome in enumerate(outcomes):
            column = _column_from(outcome)
            column.images = await _fetch_images(client, column.image_file_ids)
            self._columns[index] = column
            self.column_changed.emit(index)

    def _answers_for(self, index: int, variant: Variant) -> ToolAnswers:
        sources: list[ToolAnswerSource] = []
        profile_id = self._session.profile_id
        if profile_id:
            sources.append(SavedFunctionModes(self._session.store.function_modes, profile_id))

        async def ask(assistant_id: str, name: str, arguments: str) -> str | None:
            future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
            self._pending[index] = future
            self._columns[index].asking = f"{name}({arguments})"
            self._columns[index].status = "waiting for an output"
            self.column_changed.emit(index)
            self.ask_requested.emit(index, name, arguments)
            try:
                return await future
            finally:
                self._columns[index].asking = ""
                self.column_changed.emit(index)

        sources.append(AskSomeone(ask))
        return ToolAnswers(*sources)

    def _events_for(self, index: int) -> Callable[[RunEvent], None]:
        from playground.runs.events import run_of

        def on_event(event: RunEvent) -> None:
            run = run_of(event)
            column = self._columns[index]
            if run is not None and not column.asking and str(run.status) != column.status:
                column.status = str(run.status)
                column.run_id = run.id or column.run_id
                self.column_changed.emit(index)

        return on_event

    def _set_busy(self, value: bool) -> None:
        if value != self._busy:
            self._busy = value
            self.busy_changed.emit(value)


#: Thumbnails per column; more images are listed by id only.
MAX_IMAGES = 4


async def _fetch_images(client: AssistantsClient, file_ids: list[str]) -> dict[str, bytes]:
    from playground.api import AssistantsError

    found: dict[str, bytes] = {}
    for file_id in file_ids[:MAX_IMAGES]:
        try:
            found[file_id] = await client.files.download(file_id)
        except AssistantsError:
            continue  # the id is still listed; a missing thumbnail is not worth an error
    return found


def _column_from(outcome: VariantOutcome) -> Column:
    column = Column(outcome.variant, thread_id=outcome.thread_id)
    turn = outcome.turns[-1] if outcome.turns else None
    if turn is None:
        column.status = "not run"
        return column
    column.error = turn.error
    seen = turn.observation
    if seen is None:
        column.status = "failed"
        return column
    column.status = seen.status
    column.answer = seen.answer
    column.run_id = seen.run_id
    column.duration_s = seen.duration_s
    column.tokens = seen.total_tokens
    column.image_file_ids = list(seen.image_file_ids)
    column.file_ids = list(seen.file_ids)
    column.steps = [
        f"{c.name}({c.arguments})" + (f" → {c.output}" if c.output is not None else "")
        for c in seen.function_calls
    ] or [s.label for s in seen.steps]
    if seen.failure and not column.error:
        column.error = seen.failure
    return column


def apply_variant(editor: AssistantEditorViewModel, variant: Variant) -> list[str]:
    """Put a variant's settings into the assistant editor (unsaved, so Save/Revert apply).

    Returns the settings that could not be applied (the editor has no field for them).
    """
    changes: dict[str, Any] = {}
    skipped: list[str] = []
    for key, value in variant.overrides.items():
        if key in ("model", "instructions", "temperature", "top_p"):
            changes[key] = value
        elif key == "response_format" and value in ("auto", "text", "json_object"):
            changes[key] = value
        elif (
            key == "response_format"
            and isinstance(value, dict)
            and value.get("type")
            in (
                "text",
                "json_object",
            )
        ):
            changes[key] = str(value["type"])
        else:
            skipped.append(key)
    if changes:
        editor.update(**changes)
    return skipped


__all__ = ["VARIANT_FIELDS", "Column", "CompareViewModel", "apply_variant"]

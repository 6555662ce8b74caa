"""Replay: re-run a thread's user messages against another assistant or a variant, in a new
thread, and show both side by side with the differences marked.

Tool outputs given in the original thread are reused wherever the same call recurs; any
other call follows the function's saved mode (canned, local Python) and otherwise stops
that run, saying which call had no output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.testing.capture import CapturedThread
from playground.testing.diff import TurnDiff, diff_turn
from playground.testing.tool_answers import SavedFunctionModes
from playground.testing.variants import Variant, VariantOutcome

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.runs import RunDriver
    from playground.ui.viewmodels.session import Session


class ReplayViewModel(QObject):
    """Signals: ``busy_changed(bool)``, ``result_changed()`` (``diffs`` and ``thread_id``)."""

    busy_changed = Signal(bool)
    result_changed = Signal()

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._busy = False
        self._diffs: list[TurnDiff] = []
        self._source_thread = ""
        self._thread_id = ""
        self._errors: list[str] = []
        self._variant: Variant | None = None

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def diffs(self) -> list[TurnDiff]:
        return list(self._diffs)

    @property
    def source_thread(self) -> str:
        return self._source_thread

    @property
    def thread_id(self) -> str:
        """The new thread the replay ran in."""
        return self._thread_id

    @property
    def errors(self) -> list[str]:
        return list(self._errors)

    @property
    def variant(self) -> Variant | None:
        return self._variant

    def replay(self, thread_id: str, variant: Variant) -> bool:
        if self._busy or not thread_id or self._session.client is None:
            return False
        self._session.runner.start(
            "replay.run", self._replay(thread_id, variant), label="Replaying the thread"
        )
        return True

    async def _replay(self, thread_id: str, variant: Variant) -> None:
        from playground.runs import RunDriver
        from playground.testing.capture import capture_thread
        from playground.testing.variants import replay

        client: AssistantsClient | None = self._session.client
        if client is None:
            return  # replay() checked; the connection went since
        session_driver: RunDriver | None = self._session.driver
        driver = session_driver or RunDriver(client)
        self._set_busy(True)
        try:
            captured = await capture_thread(client, thread_id)
            extra = []
            if self._session.profile_id:
                extra.append(
                    SavedFunctionModes(self._session.store.function_modes, self._session.profile_id)
                )
            outcome = await replay(client, driver, captured, variant, *extra)
        finally:
            self._set_busy(False)
        self._show(captured, outcome)

    def _show(self, captured: CapturedThread, outcome: VariantOutcome) -> None:
        after = [t.observation for t in outcome.turns]
        after += [None] * (len(captured.users) - len(after))
        self._diffs = [
            diff_turn(user, before, now)
            for user, before, now in zip(captured.users, captured.runs, after, strict=True)
        ]
        self._errors = [t.error for t in outcome.turns if t.error]
        self._source_thread = captured.thread_id
        self._thread_id = outcome.thread_id
        self._variant = outcome.variant
        self.result_changed.emit()

    def _set_busy(self, value: bool) -> None:
        if value != self._busy:
            self._busy = value
            self.busy_changed.emit(value)

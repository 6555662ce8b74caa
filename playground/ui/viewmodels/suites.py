"""Suites in the window: open/save a suite file, add the chat's thread as a case, run the
suite against assistants with progress, and export the report.

The runner is :class:`playground.testing.runner.SuiteRunner` on the session's client and
driver — the command line runs the very same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.testing.errors import TestingError
from playground.testing.results import CaseRun, SuiteReport
from playground.testing.suite import Case, Suite

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.runs import RunDriver
    from playground.ui.viewmodels.session import Session


@dataclass(frozen=True)
class ResultRow:
    """One row of the results table: one check of one run (or a run that did not finish)."""

    assistant: str
    case: str
    repeat: int
    turn: int
    check: str
    passed: bool
    detail: str
    thread_id: str
    run_id: str


def rows_of(run: CaseRun) -> list[ResultRow]:
    rows: list[ResultRow] = []
    for index, turn in enumerate(run.turns, start=1):
        base = (run.assistant_name, run.case, run.repeat, index)
        for check in turn.checks:
            rows.append(
                ResultRow(
                    *base, check.check, check.passed, check.detail, run.thread_id, turn.run_id
                )
            )
        if turn.error:
            rows.append(ResultRow(*base, "run", False, turn.error, run.thread_id, turn.run_id))
    if run.error and not any(t.error for t in run.turns):
        rows.append(
            ResultRow(
                run.assistant_name,
                run.case,
                run.repeat,
                0,
                "case",
                False,
                run.error,
                run.thread_id,
                "",
            )
        )
    return rows


class SuitesViewModel(QObject):
    """Signals: ``suite_changed()``, ``progress_changed(int, int)``, ``rows_changed()``,
    ``busy_changed(bool)``, ``finished(object)`` (the :class:`SuiteReport`)."""

    suite_changed = Signal()
    progress_changed = Signal(int, int)
    rows_changed = Signal()
    busy_changed = Signal(bool)
    finished = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._suite: Suite | None = None
        self._path: Path | None = None
        self._rows: list[ResultRow] = []
        self._report: SuiteReport | None = None
        self._busy = False

    # -- state ----------------------------------------------------------------------------

    @property
    def suite(self) -> Suite | None:
        return self._suite

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def rows(self) -> list[ResultRow]:
        return list(self._rows)

    @property
    def report(self) -> SuiteReport | None:
        return self._report

    @property
    def busy(self) -> bool:
        return self._busy

    # -- intents --------------------------------------------------------------------------

    def open(self, path: Path) -> None:
        self._session.runner.start("suites.file", self._open(path), label="Opening the suite")

    def save(self, path: Path) -> None:
        if self._suite is None:
            self._session.bridge.post_notice("There is no suite to save yet: add a case first.")
            return
        self._session.runner.start("suites.file", self._save(path), label="Saving the suite")

    def add_thread(self, thread_id: str | None, name: str) -> None:
        """Save the chat's thread as a test case (its user messages, outputs, starter checks)."""
        if not thread_id or self._session.client is None:
            self._session.bridge.post_notice("Open a thread in the chat first.")
            return
        self._session.runner.start(
            "suites.capture", self._add_thread(thread_id, name), label="Saving the thread as a case"
        )

    def run(self, assistant_ids: list[str], repeat: int) -> bool:
        if self._busy or self._suite is None or self._session.client is None:
            return False
        self._session.runner.start(
            "suites.run", self._run(self._suite, assistant_ids, repeat), label="Running the suite"
        )
        return True

    def export(self, junit: Path | None, html: Path | None) -> None:
        if self._report is None:
            self._session.bridge.post_notice("Run the suite first.")
            return
        self._session.runner.start(
            "suites.export", self._export(self._report, junit, html), label="Exporting the report"
        )

    # -- work -----------------------------------------------------------------------------

    async def _open(self, path: Path) -> None:
        from playground.testing.suite import load_suite

        suite = await self._session.runner.run_blocking(load_suite, path)
        self._suite, self._path = suite, path
        self.suite_changed.emit()

    async def _save(self, path: Path) -> None:
        from playground.testing.suite import save_suite

        assert self._suite is not None
        await self._session.runner.run_blocking(save_suite, self._suite, path)
        self._path = path
        self._session.bridge.post_notice(f"Saved the suite to {path}.")
        self.suite_changed.emit()

    async def _add_thread(self, thread_id: str, name: str) -> None:
        from playground.testing.capture import capture_thread

        client: AssistantsClient | None = self._session.client
        if client is None:
            return  # add_thread() checked; the connection went since
        captured = await capture_thread(client, thread_id)
        if not captured.users:
            self._session.bridge.post_notice("This thread has no user messages to replay.")
            return
        self.add_case(captured.as_case(name))

    def add_case(self, case: Case) -> None:
        """Add (or replace, by name) a case; a first case makes a new suite."""
        if self._suite is None:
            self._suite = Suite(name="My suite", cases=[case])
        else:
            cases = [c for c in self._suite.cases if c.name != case.name] + [case]
            self._suite = self._suite.model_copy(update={"cases": cases})
        self.suite_changed.emit()

    async def _run(self, suite: Suite, assistant_ids: list[str], repeat: int) -> None:
        from playground.runs import RunDriver
        from playground.testing.runner import SuiteRunner
        from playground.testing.tool_answers import SavedFunctionModes

        client: AssistantsClient | None = self._session.client
        if client is None:
            return  # run() checked; the connection went since
        session_driver: RunDriver | None = self._session.driver
        driver = session_driver or RunDriver(client)
        extra = []
        if self._session.profile_id:
            extra.append(
                SavedFunctionModes(self._session.store.function_modes, self._session.profile_id)
            )
        self._rows = []
        self._report = None
        self.rows_changed.emit()
        self._set_busy(True)
        total = len(assistant_ids) * len(suite.cases) * repeat
        self.progress_changed.emit(0, total)

        def on_progress(done: int, total: int, run: CaseRun) -> None:
            self._rows += rows_of(run)
            self.rows_changed.emit()
            self.progress_changed.emit(done, total)

        try:
            report = await SuiteRunner(client, driver, extra_sources=extra).run(
                suite, assistant_ids, repeat=repeat, on_progress=on_progress
            )
        except TestingError as exc:
            self._session.bridge.post_notice(exc.message)
            return
        finally:
            self._set_busy(False)
        self._report = report
        self.finished.emit(report)

    async def _export(self, report: SuiteReport, junit: Path | None, html: Path | None) -> None:
        from playground.testing.reports import html_report, junit_xml, write_report

        written: list[str] = []
        if junit is not None:
            await self._session.runner.run_blocking(write_report, junit_xml(report), junit)
            written.append(str(junit))
        if html is not None:
            await self._session.runner.run_blocking(write_report, html_report(report), html)
            written.append(str(html))
        if written:
            self._session.bridge.post_notice("Report written: " + ", ".join(written))

    def _set_busy(self, value: bool) -> None:
        if value != self._busy:
            self._busy = value
            self.busy_changed.emit(value)

"""The "Test assistants" window: Compare, Replay and Suites in tabs.

A separate, non-modal window so a person can keep chatting and inspecting while a suite
runs. Built lazily, the first time it is asked for, from the parts the app already has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout, QWidget

from playground.testing.variants import Variant
from playground.ui.viewmodels.code_view import CodeViewModel
from playground.ui.viewmodels.compare import CompareViewModel, apply_variant
from playground.ui.viewmodels.replay import ReplayViewModel
from playground.ui.viewmodels.session import Session
from playground.ui.viewmodels.suites import SuitesViewModel
from playground.ui.widgets.code_view import CodeView
from playground.ui.widgets.compare_view import CompareView
from playground.ui.widgets.replay_view import ReplayView
from playground.ui.widgets.suite_view import ShowRun, SuiteView

if TYPE_CHECKING:
    from playground.ui.viewmodels.assistants import AssistantsViewModel
    from playground.ui.viewmodels.chat import ChatViewModel
    from playground.ui.viewmodels.inspector import InspectorViewModel

Choices = Callable[[], list[tuple[str, str]]]


class TestingWindow(QDialog):
    __test__ = False  # a pytest collection guard, despite the name

    def __init__(
        self,
        session: Session,
        choices: Choices,
        current_thread: Callable[[], str | None],
        *,
        show_run: ShowRun | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Test assistants")
        self.setModal(False)
        self.resize(1200, 760)
        self.compare_vm = CompareViewModel(session, parent=self)
        self.replay_vm = ReplayViewModel(session, parent=self)
        self.suites_vm = SuitesViewModel(session, parent=self)
        self.code_vm = CodeViewModel(session, parent=self)
        chosen = choices()
        if chosen:
            first = chosen[0][0]
            self.compare_vm.set_variants([Variant("A", first), Variant("B", first)])
        self.compare_view = CompareView(self.compare_vm, choices)
        self.replay_view = ReplayView(self.replay_vm, choices, current_thread)
        self.code_view = CodeView(self.code_vm, choices)

        def on_result_selected(thread_id: str, run_id: str) -> None:
            self.code_view.set_run(thread_id, run_id)
            if show_run is not None:
                show_run(thread_id, run_id)

        self.suite_view = SuiteView(self.suites_vm, choices, current_thread, on_result_selected)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.compare_view, "Compare")
        self.tabs.addTab(self.replay_view, "Replay")
        self.tabs.addTab(self.suite_view, "Suites")
        self.tabs.addTab(self.code_view, "Code")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)


def open_testing_window(
    existing: TestingWindow | None,
    session: Session,
    *,
    chat_vm: ChatViewModel,
    assistants_vm: AssistantsViewModel | None,
    inspector_vm: InspectorViewModel | None,
    parent: QWidget,
) -> TestingWindow:
    """Show (building once) the testing window; "Keep this one" goes to the assistant
    editor when that variant's assistant is the one being edited. The panes that failed
    to build are ``None`` and their part of the window simply does less."""
    if existing is not None:
        existing.show()
        existing.raise_()
        return existing

    def choices() -> list[tuple[str, str]]:
        if assistants_vm is None:
            return []
        return [(a.id, a.name or a.id) for a in assistants_vm.assistants]

    def show_run(thread_id: str, run_id: str) -> None:
        if inspector_vm is not None and thread_id:
            inspector_vm.set_thread(thread_id)

    window = TestingWindow(
        session,
        choices,
        lambda: chat_vm.thread_id,
        show_run=show_run,
        parent=parent,
    )

    def keep(variant: object) -> None:
        if not isinstance(variant, Variant) or assistants_vm is None:
            return
        if assistants_vm.selected_id != variant.assistant_id:
            session.bridge.post_notice(
                "Select that assistant on the left first, then press “Keep this one” again."
            )
            return
        skipped = apply_variant(assistants_vm.editor, variant)
        note = f" ({', '.join(skipped)} not applied)" if skipped else ""
        session.bridge.post_notice(
            f"“{variant.label}” is in the assistant editor: Save to keep it, Revert to drop it{note}."
        )

    window.compare_vm.keep_requested.connect(keep)
    window.show()
    return window

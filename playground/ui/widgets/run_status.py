"""The strip above the composer: run status, elapsed time, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from playground.ui.plain import plain_label
from playground.ui.viewmodels.chat import ChatViewModel

_TICK_MS = 250
_STATUS_WORDS = {
    "sending": "Sending…",
    "queued": "Queued…",
    "in_progress": "Running…",
    "requires_action": "Waiting for tool outputs…",
    "cancelling": "Cancelling…",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "expired": "Expired",
    "incomplete": "Incomplete",
    "not sent": "Not sent",
    "stopped": "Stopped",
}


#: What an in-progress run says before the model has produced anything.
WAITING_FOR_MODEL = "In progress — waiting for the model…"


def status_words(status: str, *, waiting_for_model: bool = False) -> str:
    """The one wording of a run status, shared by the chat strip and the inspector."""
    if status == "in_progress" and waiting_for_model:
        return WAITING_FOR_MODEL
    return _STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


class RunStatusBar(QWidget):
    """Visible while a run is active, and afterwards with its final status."""

    def __init__(self, vm: ChatViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        self.status_label = plain_label()
        self.elapsed_label = QLabel()
        self.elapsed_label.setStyleSheet("color: #666666;")
        self.cancel_button = QPushButton("Cancel run")
        self.prompt_button = QPushButton("Answer tool calls…")
        layout.addWidget(self.status_label)
        layout.addWidget(self.elapsed_label)
        layout.addStretch(1)
        layout.addWidget(self.prompt_button)
        layout.addWidget(self.cancel_button)
        # One fixed height whatever is shown (the prompt button comes and goes), so the
        # conversation above never shifts while a run changes state.
        self.setFixedHeight(
            max(self.cancel_button.sizeHint().height(), self.status_label.sizeHint().height()) + 4
        )
        self._timer = QTimer(self)
        self._timer.setInterval(_TICK_MS)
        self._timer.timeout.connect(self.refresh)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self._vm.run_state_changed.connect(self.refresh)
        self.cancel_button.clicked.connect(self._vm.cancel_run)

    def refresh(self) -> None:
        run = self._vm.run
        if run is None:
            self.hide()
            self._timer.stop()
            return
        self.show()
        self.status_label.setText(status_words(run.status, waiting_for_model=run.waiting_for_model))
        self.status_label.setToolTip(
            "The run is in progress; the model has not answered yet (a local model may still "
            "be loading)."
            if run.waiting_for_model
            else ""
        )
        self.elapsed_label.setText(f"{run.elapsed():.1f} s")
        self.cancel_button.setVisible(run.active)
        self.prompt_button.setVisible(
            run.active and run.status == "requires_action" and self._vm.prompt is not None
        )
        self.cancel_button.setEnabled(run.active and run.status != "cancelling")
        if run.active and not self._timer.isActive():
            self._timer.start()
        elif not run.active:
            self._timer.stop()

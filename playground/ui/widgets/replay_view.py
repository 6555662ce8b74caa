"""The Replay view: pick a thread and a target, replay, read the two runs side by side.

The comparison is an HTML table built here from escaped text only (removed words struck
through on red, added words on green); it is shown in the browser that fetches nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.testing.diff import Piece, TurnDiff
from playground.testing.variants import Variant
from playground.ui.markdown import SafeTextBrowser
from playground.ui.viewmodels.replay import ReplayViewModel

_STYLE = {
    "same": "",
    "removed": "background:#fbd5d5;text-decoration:line-through;",
    "added": "background:#cdeed6;",
}


def pieces_html(pieces: tuple[Piece, ...], joiner: str = "") -> str:
    out = []
    for piece in pieces:
        text = html.escape(piece.text).replace("\n", "<br>")
        style = _STYLE[piece.tag]
        out.append(f"<span style='{style}'>{text}</span>" if style else text)
    return joiner.join(out) or "<i>—</i>"


def diff_html(diffs: list[TurnDiff], left: str, right: str) -> str:
    rows = [
        "<table width='100%' cellspacing='0' cellpadding='4' border='1' style='border-collapse:collapse'>",
        f"<tr><th width='50%'>{html.escape(left)}</th><th width='50%'>{html.escape(right)}</th></tr>",
    ]
    for index, turn in enumerate(diffs, start=1):
        verdict = "same" if turn.same else "different"
        rows.append(
            f"<tr><td colspan='2' style='background:#f0f0f4'><b>Turn {index}</b> ({verdict}): "
            f"{html.escape(turn.user)}</td></tr>"
        )
        rows.append(f"<tr><td>{pieces_html(turn.left)}</td><td>{pieces_html(turn.right)}</td></tr>")
        rows.append(
            f"<tr><td>Steps: {pieces_html(turn.steps_left, ' → ')}</td>"
            f"<td>Steps: {pieces_html(turn.steps_right, ' → ')}</td></tr>"
        )
        rows.append(
            f"<tr><td>Calls: {pieces_html(turn.calls_left, ', ')}</td>"
            f"<td>Calls: {pieces_html(turn.calls_right, ', ')}</td></tr>"
        )
        rows.append(
            f"<tr><td>Status: {html.escape(turn.status_left)}</td>"
            f"<td>Status: {html.escape(turn.status_right)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


class ReplayView(QWidget):
    def __init__(
        self,
        vm: ReplayViewModel,
        choices: Callable[[], list[tuple[str, str]]],
        current_thread: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self._current_thread = current_thread
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.thread_edit = QLineEdit()
        self.thread_edit.setPlaceholderText("thread id (the chat's thread by default)")
        self.assistant_combo = QComboBox()
        self.assistant_combo.setEditable(True)
        for assistant_id, name in choices():
            self.assistant_combo.addItem(f"{name} ({assistant_id})", assistant_id)
        self.model_edit = QLineEdit()
        self.model_edit.setPlaceholderText("as saved")
        self.instructions_edit = QPlainTextEdit()
        self.instructions_edit.setPlaceholderText("Instructions as saved")
        self.instructions_edit.setMaximumHeight(70)
        form.addRow("Thread", self.thread_edit)
        form.addRow("Replay on", self.assistant_combo)
        form.addRow("Model", self.model_edit)
        form.addRow("Instructions", self.instructions_edit)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.replay_button = QPushButton("Replay")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        row.addWidget(self.replay_button)
        row.addWidget(self.status_label, 1)
        layout.addLayout(row)
        self.diff_view = SafeTextBrowser()
        layout.addWidget(self.diff_view, 1)
        self.replay_button.clicked.connect(self.on_replay_clicked)
        vm.result_changed.connect(self.on_vm_result_changed)
        vm.busy_changed.connect(self.on_vm_busy_changed)

    def variant(self) -> Variant:
        data = self.assistant_combo.currentData()
        text = self.assistant_combo.currentText().strip()
        assistant_id = data if isinstance(data, str) and text.endswith(f"({data})") else text
        overrides: dict[str, object] = {}
        if self.model_edit.text().strip():
            overrides["model"] = self.model_edit.text().strip()
        if self.instructions_edit.toPlainText().strip():
            overrides["instructions"] = self.instructions_edit.toPlainText()
        label = "Edited variant" if overrides else "Replay"
        return Variant(label, assistant_id, overrides)

    def on_replay_clicked(self) -> None:
        thread_id = self.thread_edit.text().strip() or self._current_thread() or ""
        if not thread_id:
            self.status_label.setText("Open a thread in the chat, or enter a thread id.")
            return
        self.thread_edit.setText(thread_id)
        self._vm.replay(thread_id, self.variant())

    def on_vm_busy_changed(self, busy: bool) -> None:
        self.replay_button.setEnabled(not busy)
        if busy:
            self.status_label.setText("Replaying…")

    def on_vm_result_changed(self) -> None:
        diffs = self._vm.diffs
        changed = sum(1 for d in diffs if not d.same)
        words = f"{changed} of {len(diffs)} turns differ" if changed else "No differences"
        errors = " ".join(self._vm.errors)
        self.status_label.setText(
            f"{words}. Original thread {self._vm.source_thread}, replay thread "
            f"{self._vm.thread_id}." + (f" {errors}" if errors else "")
        )
        variant = self._vm.variant
        right = variant.label if variant else "Replay"
        self.diff_view.setHtml(diff_html(diffs, "Original", right))

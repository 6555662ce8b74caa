"""Server and model text is shown as text: no label or tooltip interprets it as markup.

Qt guesses "rich text" for labels and tooltips whose text starts like a tag; an assistant
named ``<img src="/dev/zero">`` made a label try to load /dev/zero as an image and abort
the app. The test gives every server-side name that the window shows such a value, opens
the thread in every pane, then walks every widget.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QMessageBox,
    QWidget,
)

from playground.ui.plain import ask_yes_no, neutral, tip
from tests.helpers import scripted_llm
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

# Not /dev/zero: a regression must fail this test, not exhaust the machine's memory.
HOSTILE = '<img src="missing-local-image.png"><b>bold</b>'


def _item_tooltips(view: QAbstractItemView) -> list[str]:
    model = view.model()
    found: list[str] = []
    stack = [view.rootIndex()]
    while stack:
        parent = stack.pop()
        for row in range(model.rowCount(parent)):
            for column in range(16):  # columnCount() is private on list models
                index = model.index(row, column, parent)
                if not index.isValid():
                    break
                value = model.data(index, Qt.ItemDataRole.ToolTipRole)
                if isinstance(value, str):
                    found.append(value)
                if column == 0:
                    stack.append(index)
    return found


def _interpreted(text: str) -> bool:
    """True when Qt would read ``text`` as rich text holding a real ``<img``/``<b`` tag."""
    return QtGui.Qt.mightBeRichText(text) and ("<img" in text or "<b>" in text)


def markup_leaks() -> list[str]:
    """Every place in the open widgets where hostile markup would be interpreted."""
    leaks: list[str] = []
    for widget in QApplication.allWidgets():
        name = f"{type(widget).__name__}({widget.objectName()})"
        if isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.PlainText:
            if _interpreted(widget.text()):
                leaks.append(f"label {name}: {widget.text()!r}")
        if _interpreted(widget.toolTip()):
            leaks.append(f"tooltip of {name}: {widget.toolTip()!r}")
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            leaks += [
                f"item tooltip in {name}: {t!r}" for t in _item_tooltips(widget) if _interpreted(t)
            ]
        if isinstance(widget, QComboBox):
            for i in range(widget.count()):
                value = widget.itemData(i, Qt.ItemDataRole.ToolTipRole)
                if isinstance(value, str) and _interpreted(value):
                    leaks.append(f"combo tooltip in {name}: {value!r}")
    return leaks


def hostile_texts_shown() -> int:
    """How many labels/tooltips carry the hostile text (escaped or not): proof it was loaded."""
    count = 0
    for widget in QApplication.allWidgets():
        if isinstance(widget, QLabel) and "<img" in widget.text():
            count += 1
        if "&lt;img" in widget.toolTip():
            count += 1
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            count += sum("&lt;img" in t for t in _item_tooltips(widget))
    return count


def test_tip_escapes_and_still_shows_the_text(qapp: Any) -> None:
    made = tip(HOSTILE + "\nsecond line")
    assert QtGui.Qt.mightBeRichText(made)  # read as rich text: the escaped form is what shows
    document = QTextDocument()
    document.setHtml(made)
    assert document.toPlainText() == HOSTILE + "\nsecond line"
    assert tip("") == "" and tip(None) == ""
    assert neutral("invoice\u202egnp.exe") == "invoicegnp.exe"


def test_confirmation_box_shows_server_text_plainly(qapp: Any, qtbot: Any) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        assert box.textFormat() == Qt.TextFormat.PlainText
        assert HOSTILE in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, answer)
    assert ask_yes_no(QWidget(), "Delete", f"Delete {HOSTILE}?")


async def test_hostile_names_are_never_rendered_as_markup(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(scripted_llm.text(HOSTILE))
    async with running_app(qtbot) as app:
        await app.create_assistant(name=HOSTILE, description=HOSTILE, metadata={"note": HOSTILE})
        app.type_and_run(HOSTILE)
        assert await app.run_finished() == "completed"
        inspector = app.parts.inspector.inspector_vm
        tree = app.parts.inspector.pane.tree

        def steps_shown() -> bool:
            top = tree.topLevelItem(0) if tree.topLevelItemCount() else None
            return top is not None and top.childCount() > 0

        await until(
            steps_shown,
            [inspector.run_changed, inspector.step_changed, inspector.runs_reset],
            what="inspector shows the run's steps",
        )
        assert hostile_texts_shown() > 0, "the hostile names never reached the widgets"
        assert markup_leaks() == []

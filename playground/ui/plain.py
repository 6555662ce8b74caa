"""Showing server and model text in Qt widgets as text, never as markup.

Qt guesses the format of a label's or a tooltip's text (``Qt.mightBeRichText``): a string
that starts like a tag is rendered as HTML. An assistant named ``<img src="/dev/zero">``
therefore made a label read ``/dev/zero`` as an image and abort the app. Everything a
server, a model or a file name can influence goes through this module instead:

* labels get ``Qt.PlainText`` (:func:`plain`, :func:`plain_label`);
* tooltips are made rich text *of escaped content* (:func:`tip`), because a tooltip has no
  format switch of its own — escaping alone would show ``&lt;`` literally when Qt guesses
  "plain", so the escaped text is wrapped in a paragraph that forces the rich reading;
* bidi controls are neutralised (:func:`neutral`) so a name cannot reorder what the user
  reads (``invoice\\u202egnp.exe`` must not look like ``invoiceexe.png``).
"""

from __future__ import annotations

import html
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from playground.store.filenames import neutralize_bidi

#: Longer tooltips are cut: a tooltip the size of a 5 MB instruction text would take the
#: UI thread as long to lay out as the editor does.
TIP_LIMIT = 2000

L = TypeVar("L", bound=QLabel)


def neutral(text: str) -> str:
    """``text`` without bidi control characters (they are dropped, not shown)."""
    return neutralize_bidi(text)


def plain(label: L) -> L:
    """Make ``label`` show its text literally, whatever it contains; returns it."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A new label that never interprets its text as markup."""
    label = plain(QLabel(parent))
    label.setText(text)
    return label


def tip(text: str | None) -> str:
    """Tooltip markup that shows ``text`` literally (``""`` stays empty: no tooltip)."""
    if not text:
        return ""
    if len(text) > TIP_LIMIT:
        text = text[:TIP_LIMIT] + "…"
    return f'<p style="white-space:pre-wrap">{html.escape(neutral(text))}</p>'


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    """A modal yes/no box whose question (which may quote server text) is plain text."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, neutral(title), question, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes

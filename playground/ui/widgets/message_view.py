"""The conversation, rendered as safe HTML in one read-only text view.

Each bubble is rendered from Markdown (assistant) or shown verbatim (user) through
``playground.ui.markdown``; footnotes of annotations follow the text. Streaming updates are
coalesced on a short timer so a fast stream costs a few repaints per second, not one per
token.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QVBoxLayout, QWidget

from playground.ui.markdown import SafeTextBrowser, render_markdown, render_plain
from playground.ui.viewmodels.chat import ChatItem, ChatViewModel

_RENDER_DELAY_MS = 40
_ROLE_LABEL = {"user": "You", "assistant": "Assistant"}
_ROLE_COLOUR = {"user": "#1a4d8f", "assistant": "#2e6b30", "notice": "#7a4b00"}


def render_item(item: ChatItem) -> str:
    """One bubble as an HTML block (table cells give QTextBrowser a padded box)."""
    if item.role == "notice":
        colour = "#b00020" if item.tone == "error" else "#555555"
        return f'<p style="color:{colour}; margin:6px 0;"><i>{html.escape(item.text)}</i></p>'
    label = _ROLE_LABEL.get(item.role, item.role.title())
    colour = _ROLE_COLOUR.get(item.role, "#333333")
    body = render_plain(item.text) if item.role == "user" else render_markdown(item.text)
    extra = ""
    if item.status == "in_progress":
        extra = ' <span style="color:#888888;">(writing…)</span>'
    parts = [
        f'<a name="msg-{html.escape(item.key, quote=True)}"></a>'
        f'<p style="margin:10px 0 2px 0;"><b style="color:{colour};">{html.escape(label)}</b>{extra}</p>',
        body,
    ]
    if item.attachments:
        files = ", ".join(html.escape(a) for a in item.attachments)
        parts.append(f'<p style="color:#666666;">Attached: {files}</p>')
    if item.footnotes:
        notes = []
        for note in item.footnotes:
            detail = html.escape(note.target)
            if note.quote:
                detail += f" — “{html.escape(note.quote)}”"
            notes.append(
                f'<a name="fn-{note.number}"></a><small>[{note.number}] '
                f"{html.escape(note.kind)}: {detail}</small>"
            )
        parts.append('<p style="color:#555555;">' + "<br>".join(notes) + "</p>")
    return "\n".join(parts)


class MessageView(QWidget):
    """Shows ``vm.items``; ``link_activated(QUrl)`` for in-app links (http opens the browser)."""

    link_activated = Signal(QUrl)
    #: The view now shows the view model's items (streaming renders are coalesced).
    rendered = Signal()

    def __init__(self, vm: ChatViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.browser = SafeTextBrowser()
        self.browser.setObjectName("messageView")
        self.browser.setPlaceholderText("No messages yet. Type below and press Ctrl+Enter.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_RENDER_DELAY_MS)
        self._timer.timeout.connect(self.render_now)
        self._connect_signals()
        self.render_now()

    def _connect_signals(self) -> None:
        self._vm.messages_changed.connect(self.render_now)
        self._vm.item_updated.connect(self.on_vm_item_updated)
        self.browser.link_activated.connect(self.on_browser_link_activated)
        self._vm.scroll_requested.connect(self.on_vm_scroll_requested)

    def on_vm_item_updated(self, index: int) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def render_now(self) -> None:
        self._timer.stop()
        bar = self.browser.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        self.browser.setHtml("\n".join(render_item(i) for i in self._vm.items))
        if at_bottom:  # follow the conversation unless the person scrolled up to read
            bar.setValue(bar.maximum())
        self.rendered.emit()

    def on_vm_scroll_requested(self, message_id: str) -> None:
        self.browser.scrollToAnchor(f"msg-{message_id}")

    def plain_text(self) -> str:
        return self.browser.toPlainText()

    def on_browser_link_activated(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        elif url.toString().startswith("#"):
            self.browser.scrollToAnchor(url.fragment() or url.toString()[1:])
        else:
            self.link_activated.emit(url)

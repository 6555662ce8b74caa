"""The conversation, rendered as safe HTML in one read-only text view.

Each bubble is rendered from Markdown (assistant) or shown verbatim (user) through
``playground.ui.markdown``; footnotes of annotations follow the text. Streaming updates are
coalesced on a short timer so a fast stream costs a few repaints per second, not one per
token.
"""

from __future__ import annotations

import html
from typing import Protocol
from urllib.parse import quote

from PySide6.QtCore import QTimer, QUrl, Signal, SignalInstance
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import QVBoxLayout, QWidget

from playground.ui.markdown import (
    APP_SCHEME,
    LOCAL_IMAGE_SCHEME,
    SafeTextBrowser,
    render_markdown,
    render_plain,
)
from playground.ui.viewmodels.chat import (
    FILE_LINK,
    FOLDER_LINK,
    IMAGE_LINK,
    ChatItem,
    ChatViewModel,
    Footnote,
)
from playground.ui.viewmodels.outputs import OutputItem, OutputStatus

_RENDER_DELAY_MS = 40
_ROLE_LABEL = {"user": "You", "assistant": "Assistant"}
_ROLE_COLOUR = {"user": "#1a4d8f", "assistant": "#2e6b30", "notice": "#7a4b00"}


class OutputsLookup(Protocol):
    """What rendering needs to know about a thread's files (``ChatOutputs`` answers)."""

    def item(self, file_id: str) -> OutputItem | None: ...

    def saved_path(self, file_id: str) -> str | None: ...

    def file_name(self, file_id: str) -> str | None: ...


def _file_state(file_id: str, outputs: OutputsLookup | None) -> str:
    """Words after a file link: download progress, expired, or where it was saved."""
    if outputs is None:
        return ""
    saved = outputs.saved_path(file_id)
    if saved:
        folder_link = html.escape(FOLDER_LINK + quote(file_id, safe=""), quote=True)
        return (
            f' — saved to {html.escape(saved)} (<a href="{folder_link}">open containing folder</a>)'
        )
    item = outputs.item(file_id)
    if item is None:
        return ""
    if item.status is OutputStatus.FETCHING:
        return f" — downloading {html.escape(item.progress_text)}"
    if item.status is OutputStatus.EXPIRED:
        return ' — <span style="color:#b00020;">expired (the server no longer has it)</span>'
    if item.status is OutputStatus.ERROR and item.error:
        return f' — <span style="color:#b00020;">{html.escape(item.error)}</span>'
    return ""


def _image_html(file_id: str, outputs: OutputsLookup | None) -> str:
    """One image of a message: a clickable thumbnail, or words saying why there is none."""
    item = outputs.item(file_id) if outputs is not None else None
    quiet = 'style="color:#666666;"'
    if item is None:
        return f"<p {quiet}><i>[image {html.escape(file_id)}]</i></p>"
    if item.thumbnail is not None:
        href = html.escape(IMAGE_LINK + quote(file_id, safe=""), quote=True)
        src = html.escape(f"{LOCAL_IMAGE_SCHEME}:{file_id}", quote=True)
        width, height = item.thumbnail.width(), item.thumbnail.height()
        return (
            f'<p><a href="{href}"><img src="{src}" width="{width}" height="{height}"></a>'
            f"<br><small {quiet}>{html.escape(item.name)} — click to open</small></p>"
        )
    if item.status is OutputStatus.EXPIRED:
        return (
            f'<p style="color:#b00020;"><i>[image {html.escape(item.name)}: expired — the '
            "server no longer has it]</i></p>"
        )
    if item.error:
        return (
            f'<p style="color:#b00020;"><i>[image {html.escape(item.name)} cannot be shown: '
            f"{html.escape(item.error)}]</i></p>"
        )
    progress = f" {item.progress_text}" if item.progress_text else ""
    return (
        f"<p {quiet}><i>[image {html.escape(item.name)}: loading…{html.escape(progress)}]</i></p>"
    )


def _footnote_html(note: Footnote, outputs: OutputsLookup | None) -> str:
    if note.kind == "file":
        name = (outputs.file_name(note.target) if outputs else None) or note.name or note.target
        href = html.escape(FILE_LINK + quote(note.target, safe=""), quote=True)
        detail = f'<a href="{href}">{html.escape(name)}</a>{_file_state(note.target, outputs)}'
    elif note.kind == "file citation":
        cited = outputs.file_name(note.target) if outputs else None
        detail = html.escape(cited or note.target)
        if cited:
            detail += f' <span style="color:#888888;">({html.escape(note.target)})</span>'
    else:
        detail = html.escape(note.target)
    if note.quote:
        detail += f" — “{html.escape(note.quote)}”"
    return (
        f'<a name="fn-{note.number}"></a><small>[{note.number}] '
        f"{html.escape(note.kind)}: {detail}</small>"
    )


def render_item(item: ChatItem, outputs: OutputsLookup | None = None) -> str:
    """One bubble as an HTML block; ``outputs`` supplies thumbnails and file states."""
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
    parts.extend(_image_html(file_id, outputs) for file_id in item.images)
    if item.attachments:
        files = ", ".join(html.escape(a) for a in item.attachments)
        parts.append(f'<p style="color:#666666;">Attached: {files}</p>')
    if item.footnotes:
        notes = [_footnote_html(note, outputs) for note in item.footnotes]
        parts.append('<p style="color:#555555;">' + "<br>".join(notes) + "</p>")
    return "\n".join(parts)


class ChatOutputsLike(OutputsLookup, Protocol):
    """The lookup plus what the view connects to (``ChatOutputs``)."""

    @property
    def changed(self) -> SignalInstance: ...

    def thumbnails(self) -> dict[str, QImage]: ...

    def handle_link(self, url: QUrl) -> bool: ...


class MessageView(QWidget):
    """Shows ``vm.items``; ``link_activated(QUrl)`` for in-app links (http opens the browser)."""

    link_activated = Signal(QUrl)
    #: The view now shows the view model's items (streaming renders are coalesced).
    rendered = Signal()

    def __init__(self, vm: ChatViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.outputs: ChatOutputsLike | None = None
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

    def set_outputs(self, outputs: ChatOutputsLike) -> None:
        """Show images as thumbnails and file links with their state (from the outputs)."""
        self.outputs = outputs
        outputs.changed.connect(self.on_outputs_changed)
        self.render_now()

    def on_vm_item_updated(self, index: int) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def on_outputs_changed(self) -> None:
        # Download progress arrives per percent: coalesced like streaming text.
        if not self._timer.isActive():
            self._timer.start()

    def render_now(self) -> None:
        self._timer.stop()
        bar = self.browser.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        outputs = self.outputs
        # The only images the view may show: thumbnails already decoded, handed over here.
        self.browser.set_local_images(outputs.thumbnails() if outputs is not None else {})
        self.browser.setHtml("\n".join(render_item(i, outputs) for i in self._vm.items))
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
        elif url.scheme() == APP_SCHEME and self.outputs is not None:
            if not self.outputs.handle_link(url):
                self.link_activated.emit(url)
        else:
            self.link_activated.emit(url)

"""The conversation, rendered as safe HTML in one read-only text view, one frame per message.

Why one document with a ``QTextFrame`` per message (and not a list view with a delegate):
the person can select and copy across messages, links and in-page anchors (footnotes, the
inspector's "show in chat") keep working, and Qt lays out the rich text. What made the old
view slow was re-rendering *everything* on every change; with a frame per message a change
touches only its own frame:

* a message is converted (Markdown + pygments) once per text: bodies are cached by message
  id and content, so a thread switch back and forth converts nothing again;
* a streaming delta re-renders only the live message's frame, at most once per frame
  interval: at once when the last update is ≥ 16 ms old, otherwise when 16 ms have passed;
* a new message is a new frame at the end; an older page becomes frames at the top. Every
  edit of the document costs in proportion to what it already holds (Qt re-scans the frames
  and moves everything below the change), converting a message costs per message: so the
  page's messages are converted in slices of a few milliseconds without touching the
  document, then go in together, a few dozen per edit (the header's new words in the same
  edit). Opening a thread still shows the newest screenful at once, and the window never
  stalls;
* a thumbnail that arrives updates the messages that show it, nothing else.

Above the messages a header says whether older messages exist and loads them (a click, or
scrolling to the top). Very long messages are cut at ``MAX_SHOWN_LINES`` lines /
``MAX_SHOWN_CHARS`` characters with a "show all" link that opens the full text in a plain
viewer: a 200,000-line code block must not be laid out as rich text on the Qt thread.
"""

from __future__ import annotations

import html
import math
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote, unquote

from PySide6.QtCore import QEvent, QObject, QTimer, QUrl, Signal, SignalInstance
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QFontMetricsF,
    QImage,
    QTextCursor,
    QTextFrame,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QVBoxLayout, QWidget

from playground.ui.markdown import (
    APP_SCHEME,
    CODE_LINE_CHARS,
    LOCAL_IMAGE_SCHEME,
    SafeTextBrowser,
    break_long_runs,
    code_blocks,
    longest_code_line,
    render_markdown,
    render_plain,
)
from playground.ui.viewmodels.chat import ChatViewModel
from playground.ui.viewmodels.chat_items import (
    FILE_LINK,
    FOLDER_LINK,
    IMAGE_LINK,
    ChatItem,
    Footnote,
)
from playground.ui.viewmodels.outputs import OutputItem, OutputStatus

if TYPE_CHECKING:
    from playground.ui.widgets.full_text_dialog import FullTextDialog

_ROLE_LABEL = {"user": "You", "assistant": "Assistant"}
_ROLE_COLOUR = {"user": "#1a4d8f", "assistant": "#2e6b30", "notice": "#7a4b00"}

#: One display frame: a delta waits at most this long after the previous update.
FRAME_INTERVAL_S = 0.016
#: Work per slice when converting a thread's backlog (Markdown, pygments; no document edit).
SLICE_BUDGET_S = 0.010
#: Inserting converted messages into the document, per edit (the edit's own layout pass,
#: which grows with the document, comes on top of it).
INSERT_BUDGET_S = 0.010
#: Longer messages are cut here, with a "show all" link to the full text.
MAX_SHOWN_CHARS = 20_000
MAX_SHOWN_LINES = 400
#: Scrolled this close to the top, the next older page is asked for.
LOAD_OLDER_MARGIN_PX = 48
#: Converted message bodies kept (by id and content), across thread switches.
BODY_CACHE_SIZE = 4000

SHOW_ALL_LINK = f"{APP_SCHEME}:show-all/"
#: ``SHOW_CODE_LINK`` + message key + "/" + block number: one code block, whole, in a viewer.
SHOW_CODE_LINK = f"{APP_SCHEME}:show-code/"
OLDER_LINK = f"{APP_SCHEME}:older"


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


def shown_text(text: str) -> tuple[str, bool]:
    """The part of ``text`` the chat lays out, and whether it was cut.

    Cut at a line end; a code fence left open by the cut is closed, so the rest of the
    message does not turn into code.
    """
    if len(text) <= MAX_SHOWN_CHARS and text.count("\n") < MAX_SHOWN_LINES:
        return text, False
    lines = text[:MAX_SHOWN_CHARS].split("\n")[:MAX_SHOWN_LINES]
    fences = sum(1 for line in lines if line.lstrip().startswith(("```", "~~~")))
    cut = "\n".join(lines)
    if fences % 2:
        cut += "\n```"
    return cut, True


def app_links_of(item: ChatItem) -> frozenset[str]:
    """The ``playground:`` links the app itself wrote into ``item.text`` (file annotations)."""
    return frozenset(
        FILE_LINK + quote(note.target, safe="")
        for note in item.footnotes
        if note.kind == "file" and note.target
    )


def render_body(
    item: ChatItem, *, streaming: bool = False, code_columns: int = CODE_LINE_CHARS
) -> str:
    """The message text as HTML (the expensive part; the view caches it).

    ``streaming``: the text is still growing; code is left unhighlighted until it is done.
    ``code_columns``: code lines longer than this are cut, their block linked to a viewer.
    """
    text, cut = shown_text(item.text)
    text = break_long_runs(text)
    if item.role == "user":
        body = render_plain(text)
    else:
        code_link = SHOW_CODE_LINK + quote(item.key, safe="") + "/"
        body = render_markdown(
            text,
            app_links_of(item),
            highlight=not streaming,
            code_link=code_link,
            code_columns=code_columns,
        )
    if cut:
        href = html.escape(SHOW_ALL_LINK + quote(item.key, safe=""), quote=True)
        lines = item.text.count("\n") + 1
        body += (
            f'<p style="color:#555555;"><i>Long message ({lines:,} lines, '
            f"{len(item.text):,} characters): the beginning is shown.</i> "
            f'<a href="{href}">Show all…</a></p>'
        )
    return body


def render_item(
    item: ChatItem,
    outputs: OutputsLookup | None = None,
    *,
    writing: bool | None = None,
    body: str | None = None,
) -> str:
    """One bubble as an HTML block; ``outputs`` supplies thumbnails and file states.

    ``writing``: show "(writing…)" (default: the message says it is in progress; the view
    passes False once no run is active). ``body``: the cached :func:`render_body`.
    """
    if item.role == "notice":
        colour = "#b00020" if item.tone == "error" else "#555555"
        return f'<p style="color:{colour}; margin:6px 0;"><i>{html.escape(item.text)}</i></p>'
    label = _ROLE_LABEL.get(item.role, item.role.title())
    colour = _ROLE_COLOUR.get(item.role, "#333333")
    if body is None:
        body = render_body(item)
    if writing is None:
        writing = item.status == "in_progress"
    extra = ' <span style="color:#888888;">(writing…)</span>' if writing else ""
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


def _refers_to(item: ChatItem, file_id: str) -> bool:
    return file_id in item.images or any(n.target == file_id for n in item.footnotes)


class ChatOutputsLike(OutputsLookup, Protocol):
    """The lookup plus what the view connects to (``ChatOutputs``)."""

    @property
    def changed(self) -> SignalInstance: ...

    @property
    def file_changed(self) -> SignalInstance: ...

    def thumbnails(self) -> dict[str, QImage]: ...

    def thumbnail(self, file_id: str) -> QImage | None: ...

    def handle_link(self, url: QUrl) -> bool: ...


class MessageView(QWidget):
    """Shows ``vm.items``; ``link_activated(QUrl)`` for in-app links (http opens the browser).

    ``rendered()``: the document caught up with the view model (nothing left to add or
    update). ``conversions`` counts Markdown conversions per message id and ``frames_rendered``
    every frame written, so tests can check nothing is rendered twice.
    """

    link_activated = Signal(QUrl)
    rendered = Signal()

    def __init__(
        self,
        vm: ChatViewModel,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self._clock = clock
        self.outputs: ChatOutputsLike | None = None
        self.browser = SafeTextBrowser()
        self.browser.setObjectName("messageView")
        self.browser.setPlaceholderText("No messages yet. Type below and press Ctrl+Enter.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._doc = self.browser.document()
        self._frame_format = QTextFrameFormat()
        self._header: QTextFrame | None = None
        #: Shown messages: their frames, the items they show, keys in document order.
        self._frames: dict[str, QTextFrame] = {}
        self._shown: dict[str, ChatItem] = {}
        self._order: list[str] = []
        #: How many of the view model's first items are not in the document yet.
        self._backlog = 0
        #: Backlog messages converted but not inserted yet, newest first: the first one is
        #: item ``_backlog - 1``, the next ``_backlog - 2``... (the item and its HTML).
        self._staged: deque[tuple[ChatItem, str]] = deque()
        #: The header's HTML as last written (an unchanged header is not written again).
        self._header_html: str | None = None
        self._dirty: set[str] = set()
        self._bodies: OrderedDict[tuple[str, str, str, int], str] = OrderedDict()
        #: Code characters that fit across the view: longer code lines are cut (see markdown).
        self._code_columns = CODE_LINE_CHARS
        self.browser.viewport().installEventFilter(self)
        self.conversions: Counter[str] = Counter()
        self.frames_rendered = 0
        self._last_flush = -math.inf
        self._scrolling = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush)
        self._slice_timer = QTimer(self)
        self._slice_timer.setSingleShot(True)
        self._slice_timer.setInterval(0)
        self._slice_timer.timeout.connect(self._render_slice)
        self._connect_signals()
        self._reset()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.browser.viewport():
            self._fit_code_to_width()
        return super().eventFilter(watched, event)

    def code_columns(self) -> int:
        return self._code_columns

    def _fit_code_to_width(self) -> None:
        """Cut code lines at what fits the view now; re-render only messages it changes."""
        font = QFont("monospace")
        font.setPointSizeF(self.browser.font().pointSizeF())
        char = QFontMetricsF(font).horizontalAdvance("m") or 8.0
        # The code box's padding (6 px a side) and the document's margins, plus one spare
        # character for the "…" (it may come from a wider fallback font).
        room = self.browser.viewport().width() - 12 - 2 * self._doc.documentMargin()
        columns = max(20, int(room // char) - 1)
        if columns == self._code_columns:
            return
        old, self._code_columns = self._code_columns, columns
        for key, item in self._shown.items():
            if longest_code_line(item.text) > min(old, columns):
                self._mark_dirty(key)
        self._drop_staged(lambda item: longest_code_line(item.text) > min(old, columns))

    def _connect_signals(self) -> None:
        vm = self._vm
        vm.items_reset.connect(self.on_vm_items_reset)
        vm.items_inserted.connect(self.on_vm_items_inserted)
        vm.item_updated.connect(self.on_vm_item_updated)
        vm.history_changed.connect(self.on_vm_history_changed)
        vm.locked_changed.connect(self.on_vm_locked_changed)
        vm.scroll_requested.connect(self.on_vm_scroll_requested)
        self.browser.link_activated.connect(self.on_browser_link_activated)
        self.browser.verticalScrollBar().valueChanged.connect(self.on_scrollbar_value_changed)

    def set_outputs(self, outputs: ChatOutputsLike) -> None:
        """Show images as thumbnails and file links with their state (from the outputs)."""
        self.outputs = outputs
        outputs.changed.connect(self.on_outputs_changed)
        outputs.file_changed.connect(self.on_outputs_file_changed)
        self.browser.set_local_images(outputs.thumbnails())
        self.on_outputs_changed()

    # -- what is shown --------------------------------------------------------------------

    @property
    def backlog(self) -> int:
        """Loaded messages not in the document yet (being added in slices)."""
        return self._backlog

    @property
    def last_flush_at(self) -> float:
        """When updates were last written to the document (the view's clock)."""
        return self._last_flush

    @property
    def is_caught_up(self) -> bool:
        return not self._backlog and not self._dirty

    def shown_keys(self) -> list[str]:
        """Message ids in the document, top to bottom."""
        return list(self._order)

    def plain_text(self) -> str:
        return self.browser.toPlainText()

    def message_top(self, key: str) -> float | None:
        """Where message ``key`` starts, in pixels from the top of the view (None: not shown)."""
        frame = self._frames.get(key)
        if frame is None:
            return None
        top = self._doc.documentLayout().frameBoundingRect(frame).top()
        return top - self.browser.verticalScrollBar().value()

    def header_text(self) -> str:
        """What the "older messages" header says (empty when there is nothing to say)."""
        if self._header is None:
            return ""
        cursor = self._header.firstCursorPosition()
        cursor.setPosition(self._header.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().strip()

    # -- view model slots -----------------------------------------------------------------

    def on_vm_items_reset(self) -> None:
        self._reset()

    def on_vm_items_inserted(self, start: int, count: int) -> None:
        shown_end = self._backlog + len(self._order)
        if start >= shown_end and self._vm.item_count == shown_end + count:
            # New messages at the end: appended now, nothing else touched.
            with self._keeping_scroll():
                for index in range(start, start + count):
                    self._append(self._vm.item_at(index))
            self._caught_up()
        elif start <= self._backlog:
            # An older page: joins the backlog, added at the top in slices.
            self._backlog += count
            self._update_header()
            self._slice_timer.start()
        else:  # an insert in the middle never happens today; stay correct if it does
            self._reset()

    def on_vm_item_updated(self, index: int) -> None:
        if not 0 <= index < self._vm.item_count:
            return
        item = self._vm.item_at(index)
        if item.key in self._frames:
            self._shown[item.key] = item
            self._mark_dirty(item.key)

    def on_vm_history_changed(self) -> None:
        self._update_header()

    def on_vm_locked_changed(self, locked: bool) -> None:
        self._drop_staged(lambda item: item.status == "in_progress")
        if not locked:
            # No run: nothing is being written any more, whatever the last event said.
            for key, item in self._shown.items():
                if item.status == "in_progress":
                    self._mark_dirty(key)

    def on_outputs_changed(self) -> None:
        for key, item in self._shown.items():
            if item.images or item.footnotes:
                self._mark_dirty(key)
        self._drop_staged(lambda item: bool(item.images or item.footnotes))

    def on_outputs_file_changed(self, file_id: str) -> None:
        outputs = self.outputs
        if outputs is not None:
            thumbnail = outputs.thumbnail(file_id)
            if thumbnail is not None:
                self.browser.set_local_image(file_id, thumbnail)
        for key, item in self._shown.items():
            if _refers_to(item, file_id):
                self._mark_dirty(key)
        self._drop_staged(lambda item: _refers_to(item, file_id))

    def on_vm_scroll_requested(self, message_id: str) -> None:
        while message_id not in self._frames and self._backlog:
            self._render_slice()
        self.browser.scrollToAnchor(f"msg-{message_id}")

    def on_scrollbar_value_changed(self, value: int) -> None:
        if self._scrolling or value > LOAD_OLDER_MARGIN_PX:
            return
        if self.browser.verticalScrollBar().maximum() <= 0:
            return
        if not self._backlog and self._vm.has_older and not self._vm.loading_older:
            self._vm.load_older()

    def on_browser_link_activated(self, url: QUrl) -> None:
        target = url.toString()
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        elif target.startswith("#"):
            self.browser.scrollToAnchor(url.fragment() or target[1:])
        elif target == OLDER_LINK:
            self._vm.load_older()
        elif target.startswith(SHOW_ALL_LINK):
            self.show_all(unquote(target[len(SHOW_ALL_LINK) :]))
        elif target.startswith(SHOW_CODE_LINK):
            key, _, number = target[len(SHOW_CODE_LINK) :].rpartition("/")
            if number.isdigit():
                self.show_code(unquote(key), int(number))
        elif url.scheme() == APP_SCHEME and self.outputs is not None:
            if not self.outputs.handle_link(url):
                self.link_activated.emit(url)
        else:
            self.link_activated.emit(url)

    def show_all(self, key: str) -> FullTextDialog | None:
        """Open the full text of a cut message in a plain viewer (returns the dialog)."""
        item = self._shown.get(key)
        if item is None:
            return None
        from playground.ui.widgets.full_text_dialog import FullTextDialog

        dialog = FullTextDialog(item.text, title=f"Message {key}", parent=self.window())
        dialog.show()
        return dialog

    def show_code(self, key: str, number: int) -> FullTextDialog | None:
        """Open code block ``number`` of a message, exactly as written, in a plain viewer
        that scrolls sideways (the chat shows its long lines cut)."""
        item = self._shown.get(key)
        blocks = code_blocks(item.text) if item is not None else []
        if not 0 <= number < len(blocks):
            return None
        from playground.ui.widgets.full_text_dialog import FullTextDialog

        dialog = FullTextDialog(
            blocks[number], title=f"Code block {number + 1}", parent=self.window()
        )
        dialog.show()
        return dialog

    # -- rendering ------------------------------------------------------------------------

    def render_now(self) -> None:
        """Bring the document fully up to date at once (tests, screenshots)."""
        while self._backlog:
            self._render_slice()
        self._flush()

    def _reset(self) -> None:
        self._slice_timer.stop()
        self._flush_timer.stop()
        self._dirty.clear()
        self._staged.clear()
        self._header_html = None
        self._frames.clear()
        self._shown.clear()
        self._order.clear()
        self._doc.clear()
        self.browser.set_local_images(self.outputs.thumbnails() if self.outputs else {})
        self._backlog = self._vm.item_count
        if self._backlog:
            cursor = QTextCursor(self._doc)
            self._header = cursor.insertFrame(self._frame_format)
            self._update_header()
            # The newest screenful in the next turn of the event loop (not in the one that
            # parsed the page), the rest in slices after it.
            self._slice_timer.start()
        else:
            self._header = None
            self._caught_up()

    def _render_slice(self) -> None:
        """One step of adding the backlog at the top: convert, and insert when converted.

        Converts backlog messages (newest first) for about ``SLICE_BUDGET_S`` without
        touching the document. Once the whole backlog is converted it goes in (see
        :meth:`_insert_staged`); the very first slice of a thread inserts what it converted
        at once, so the newest screenful shows without waiting for the rest.
        """
        if not self._backlog or self._header is None:
            return
        deadline = self._clock() + SLICE_BUDGET_S
        while len(self._staged) < self._backlog:
            item = self._vm.item_at(self._backlog - 1 - len(self._staged))
            self._staged.append((item, self._html(item)))
            if self._clock() >= deadline:
                break
        if not self._order or len(self._staged) == self._backlog:
            self._insert_staged()
        if self._backlog:
            self._slice_timer.start()
        else:
            self._caught_up()

    def _insert_staged(self) -> None:
        """Put converted backlog messages at the top, in one edit of ``INSERT_BUDGET_S``.

        Qt pays for an edit of the document in proportion to everything already in it
        (its frames are scanned again, everything below the change is moved): one edit per
        page (or per few dozen messages), not one per message, is what keeps paging in a
        long thread at a cost per message brought in. The header changes in the same edit.
        """
        header = self._header
        if header is None or not self._staged:
            return
        deadline = self._clock() + INSERT_BUDGET_S
        first_slice = not self._order
        keys: list[str] = []
        with self._keeping_scroll(above=True, pin_bottom=first_slice):
            cursor = QTextCursor(self._doc)
            cursor.beginEditBlock()
            while self._staged and self._backlog:
                staged, content = self._staged.popleft()
                item = self._vm.item_at(self._backlog - 1)
                if item is not staged:  # changed since it was converted
                    content = self._html(item)
                cursor.setPosition(header.lastPosition() + 1)
                frame = cursor.insertFrame(self._frame_format)
                cursor.insertHtml(content)
                self._remember(item, frame)
                keys.append(item.key)
                self._backlog -= 1
                if self._clock() >= deadline:
                    break
            self._order[0:0] = reversed(keys)
            self._write_header()
            cursor.endEditBlock()

    def _drop_staged(self, stale: Callable[[ChatItem], bool]) -> None:
        """Forget converted backlog from the first message whose HTML is now out of date."""
        for index, (item, _content) in enumerate(self._staged):
            if stale(item):
                while len(self._staged) > index:
                    self._staged.pop()
                return

    def _append(self, item: ChatItem) -> None:
        if self._header is None:
            self._header = QTextCursor(self._doc).insertFrame(self._frame_format)
            self._update_header()
        cursor = QTextCursor(self._doc)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        frame = cursor.insertFrame(self._frame_format)
        cursor.insertHtml(self._html(item))
        cursor.endEditBlock()
        self._remember(item, frame)
        self._order.append(item.key)

    def _remember(self, item: ChatItem, frame: QTextFrame) -> None:
        self._frames[item.key] = frame
        self._shown[item.key] = item
        self._dirty.discard(item.key)
        self.frames_rendered += 1

    def _mark_dirty(self, key: str) -> None:
        self._dirty.add(key)
        if self._flush_timer.isActive():
            return
        wait = FRAME_INTERVAL_S - (self._clock() - self._last_flush)
        if wait <= 0:
            self._flush()  # the last update is a frame old: this one goes on screen now
        else:
            self._flush_timer.start(max(1, math.ceil(wait * 1000)))

    def _flush(self) -> None:
        self._flush_timer.stop()
        self._last_flush = self._clock()
        dirty, self._dirty = self._dirty, set()
        if dirty:
            layout = self._doc.documentLayout()
            top = self.browser.verticalScrollBar().value()
            above = any(
                layout.frameBoundingRect(self._frames[key]).bottom() < top
                for key in dirty
                if key in self._frames
            )
            with self._keeping_scroll(above=above):
                for key in dirty:
                    frame = self._frames.get(key)
                    item = self._shown.get(key)
                    if frame is None or item is None:
                        continue
                    self._replace(frame, self._html(item))
                    self.frames_rendered += 1
            # On screen now, not after whatever else the event loop has queued: a streamed
            # delta is visible within the frame it was flushed in.
            self.browser.viewport().repaint()
        self._caught_up()

    def _replace(self, frame: QTextFrame, content: str) -> None:
        cursor = frame.firstCursorPosition()
        cursor.setPosition(frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()
        cursor.removeSelectedText()
        cursor.insertHtml(content)
        cursor.endEditBlock()

    def _html(self, item: ChatItem) -> str:
        writing = item.status == "in_progress" and self._vm.locked
        if item.role == "notice":
            body = None
        elif writing:  # changes with every delta: not cached
            body = render_body(item, streaming=True, code_columns=self._code_columns)
        else:
            body = self._body(item)
        return render_item(item, self.outputs, writing=writing, body=body)

    def _body(self, item: ChatItem) -> str:
        # The width matters only to a message whose code has lines too long for it.
        columns = self._code_columns if longest_code_line(item.text) > self._code_columns else 0
        cache_key = (item.key, item.role, item.text, columns)
        body = self._bodies.get(cache_key)
        if body is not None:
            self._bodies.move_to_end(cache_key)
            return body
        body = render_body(item, code_columns=self._code_columns)
        self.conversions[item.key] += 1
        self._bodies[cache_key] = body
        if len(self._bodies) > BODY_CACHE_SIZE:
            self._bodies.popitem(last=False)
        return body

    def _update_header(self) -> None:
        """Say whether older messages exist (keeping the place the person reads)."""
        if self._header is None or self._header_text() == self._header_html:
            return  # an edit at the top moves the whole document: none without a change
        with self._keeping_scroll(above=True):
            self._write_header()

    def _write_header(self) -> None:
        header = self._header
        text = self._header_text()
        if header is not None and text != self._header_html:
            self._header_html = text
            self._replace(header, text)

    def _header_text(self) -> str:
        quiet = 'style="color:#666666;"'
        if self._vm.loading_older or self._backlog:
            return f"<p align=center {quiet}><i>Loading older messages…</i></p>"
        if self._vm.has_older:
            return (
                f'<p align=center><a href="{OLDER_LINK}">↑ Older messages — scroll up or '
                "click to load them</a></p>"
            )
        if self._order:
            return f"<p align=center {quiet}><small>Beginning of the thread</small></p>"
        return ""

    def _caught_up(self) -> None:
        if self.is_caught_up:
            self.rendered.emit()

    @contextmanager
    def _keeping_scroll(self, *, above: bool = False, pin_bottom: bool = False) -> Iterator[None]:
        """Keep what the person looks at in place while the document changes.

        At the bottom (or ``pin_bottom``): stay at the bottom, following the conversation.
        A change ``above`` the viewport (older messages, the header): keep the distance to
        the bottom, so the text being read does not move. Otherwise the position stays
        (nothing jumps to the top, e.g. after Cancel).
        """
        bar = self.browser.verticalScrollBar()
        at_bottom = pin_bottom or bar.value() >= bar.maximum() - 4
        value = bar.value()
        from_bottom = bar.maximum() - value
        self._scrolling = True
        try:
            yield
        finally:
            if at_bottom:
                bar.setValue(bar.maximum())
            elif above:
                bar.setValue(max(0, bar.maximum() - from_bottom))
            else:
                bar.setValue(value)
            self._scrolling = False

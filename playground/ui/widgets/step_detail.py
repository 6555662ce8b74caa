"""The detail of one inspector node: a run, a step, a tool call or a created message.

Everything the server sent is text, escaped before it becomes HTML, so a model that writes
``<script>`` or ``<img src="http://...">`` shows those characters and nothing else happens.
The browser loads no resources except the thumbnails this widget registers itself, and links
use an ``inspector:`` scheme handled here (open a message in the chat, open an image).

While a run streams, the selected node changes many times a second: ``update_node`` (what the
pane calls) writes the browser only when the HTML differs from what it shows, and not at all
while its tab is hidden (it catches up when shown). ``show_node`` always writes.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QShowEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from playground.protocol import (
    CodeInterpreterImageOutput,
    CodeInterpreterLogsOutput,
    CodeInterpreterToolCall,
    FileSearchToolCall,
    FunctionToolCall,
    ImageFileContent,
    ImageUrlContent,
    McpToolCall,
    Message,
    MessageCreationDetails,
    RefusalContent,
    RetrievalToolCall,
    Run,
    RunStep,
    TextContent,
    ToolCall,
    ToolCallsDetails,
)
from playground.ui.viewmodels.inspector import InspectorViewModel, NodeKey
from playground.ui.viewmodels.outputs import OutputStatus, OutputsViewModel
from playground.ui.viewmodels.run_records import (
    duration_s,
    format_duration,
    format_time,
    format_usage,
    step_label,
)
from playground.ui.widgets.log_view import LogView

#: Characters of one file-search result or function output shown inline.
TEXT_PREVIEW_LIMIT = 4000
#: Code longer than this is shown without colours (pygments is fast, but not free).
HIGHLIGHT_LIMIT = 200_000
THUMB_SCHEME = "thumb"
LINK_SCHEME = "inspector"

_FORMATTER = HtmlFormatter(noclasses=True, nowrap=True, style="friendly")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def cut(text: str, limit: int = TEXT_PREVIEW_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… [{len(text) - limit:,} more characters; see Raw JSON]"


@lru_cache(maxsize=16)
def pretty_json_text(text: str | None) -> tuple[str, bool]:
    """(display text, whether it was valid JSON); the same text is formatted once."""
    if text is None:
        return "", True
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False), True
    except ValueError:
        return text, False


def code_html(code: str) -> str:
    if len(code) > HIGHLIGHT_LIMIT:
        body = esc(code)
    else:
        body = highlight(code, PythonLexer(), _FORMATTER)
    return f'<pre style="background:#f6f8fa; padding:6px">{body}</pre>'


def pre(text: str) -> str:
    return f'<pre style="background:#f6f8fa; padding:6px; white-space:pre-wrap">{esc(text)}</pre>'


def row(label: str, value: str) -> str:
    return f"<tr><td style='color:#555; padding-right:10px'>{esc(label)}</td><td>{value}</td></tr>"


def table(rows: list[str]) -> str:
    return "<table cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>"


def link(target: str, text: str) -> str:
    return f'<a href="{LINK_SCHEME}:{esc(target)}">{esc(text)}</a>'


class SafeBrowser(QTextBrowser):
    """A QTextBrowser that never fetches anything: only registered thumbnails resolve."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.refused: list[str] = []

    def loadResource(self, type_: int, name: QUrl | str) -> Any:
        # Registered resources are found by the document before this is called; anything
        # reaching here is a URL we did not put there, and it stays unloaded.
        self.refused.append(name.toString() if isinstance(name, QUrl) else str(name))
        return None


class StepDetailView(QWidget):
    """HTML summary on top, the code-interpreter log (folded) below when there is one."""

    image_requested = Signal(str)  # file id

    def __init__(
        self,
        vm: InspectorViewModel,
        outputs: OutputsViewModel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self.outputs = outputs
        self.key: NodeKey | None = None
        #: What the browser shows (key, HTML, logs), and whether an update waits to be shown.
        self._shown: tuple[NodeKey | None, str, str] | None = None
        self._stale = False
        self.browser = SafeBrowser(self)
        self.log_label = QLabel("Logs", self)
        self.log_view = LogView(self)
        log_box = QWidget(self)
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.addWidget(self.log_label)
        log_layout.addWidget(self.log_view, 1)
        self.log_box = log_box
        splitter = QSplitter(self)
        splitter.setOrientation(splitter.orientation().Vertical)
        splitter.addWidget(self.browser)
        splitter.addWidget(log_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.browser.anchorClicked.connect(self.on_browser_anchor_clicked)
        if outputs is not None:
            outputs.output_changed.connect(self.on_outputs_output_changed)
        self.show_node(None)

    # -- intents ---------------------------------------------------------------------------

    def show_node(self, key: NodeKey | None) -> None:
        """Show ``key`` now (a selection, or a test reading the result)."""
        self._shown = None
        self._render(key)

    def update_node(self, key: NodeKey | None) -> None:
        """``key`` (or what it shows) changed: re-render if on screen and the HTML differs."""
        if self.isHidden() or (self.window().isVisible() and not self.isVisible()):
            self.key = key
            self._stale = True  # another tab is in front: catch up when shown
            return
        self._render(key)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._render(self.key)

    def _render(self, key: NodeKey | None) -> None:
        self.key = key
        self._stale = False
        logs = ""
        if key is None:
            body = "<p style='color:#666'>Select a run, step or tool call to see its details.</p>"
        else:
            obj = self.vm.object_for(key)
            match obj:
                case None:
                    body = "<p>This item is no longer available.</p>"
                case Run():
                    body = self._run_html(key)
                case RunStep():
                    body = self._step_html(key, obj)
                case Message():
                    body = self._message_html(obj)
                case _:  # one tool call of a step
                    body = self._call_html(obj)
                    if isinstance(obj, CodeInterpreterToolCall):
                        logs = "".join(
                            o.logs
                            for o in obj.code_interpreter.outputs
                            if isinstance(o, CodeInterpreterLogsOutput)
                        )
        if self._shown == (key, body, logs):
            return  # the same HTML: nothing to lay out again
        self._shown = (key, body, logs)
        self.browser.setHtml(body)
        # setHtml clears the document's resources, so thumbnails are registered afterwards
        # (images are resolved at layout time, which happens later).
        self._register_thumbnails()
        has_logs = key is not None and key.kind == "call" and bool(logs)
        self.log_box.setVisible(has_logs)
        if has_logs:
            if logs != self.log_view.full_text():
                self.log_view.set_log(logs)
        else:
            self.log_view.set_log("")

    def refresh(self) -> None:
        self.update_node(self.key)

    # -- slots -----------------------------------------------------------------------------

    def on_browser_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() != LINK_SCHEME:
            return  # only our own links do anything
        kind, _, target = url.path().partition("/")
        if kind == "message":
            self.vm.open_message(target)
        elif kind == "image":
            self.image_requested.emit(target)

    def on_outputs_output_changed(self, file_id: str) -> None:
        if self.key is not None and self.key.kind in ("call", "message"):
            obj = self.vm.object_for(self.key)
            if obj is not None and file_id in json.dumps(_dump(obj)):
                self.refresh()

    # -- HTML ------------------------------------------------------------------------------

    def _register_thumbnails(self) -> None:
        if self.outputs is None:
            return
        document: QTextDocument = self.browser.document()
        for item in self.outputs.items():
            if item.thumbnail is not None:
                document.addResource(
                    QTextDocument.ResourceType.ImageResource.value,
                    QUrl(f"{THUMB_SCHEME}:{item.file_id}"),
                    item.thumbnail,
                )

    def _image_html(self, file_id: str) -> str:
        item = self.outputs.item(file_id) if self.outputs is not None else None
        if item is None:
            return f"<p>Image {esc(file_id)}</p>"
        if item.thumbnail is not None:
            return (
                f'<p><a href="{LINK_SCHEME}:image/{esc(file_id)}">'
                f'<img src="{THUMB_SCHEME}:{esc(file_id)}"></a><br>'
                f"<small>{esc(item.name)} — click to open</small></p>"
            )
        if item.status is OutputStatus.FETCHING:
            return f"<p>Image {esc(item.name)}: loading… {esc(item.progress_text)}</p>"
        if item.status is OutputStatus.EXPIRED:
            return (
                f"<p style='color:#8a5300'>Image {esc(item.name)}: expired. {esc(item.error)}</p>"
            )
        if item.error:
            return f"<p style='color:#b3261e'>Image {esc(item.name)}: {esc(item.error)}</p>"
        return f"<p>Image {esc(item.name)}</p>"

    def _assistant_text(self, run_id: str, assistant_id: str | None) -> str:
        name = self.vm.assistant_names.name(assistant_id)
        return f"{name} ({assistant_id})" if name else (assistant_id or "—")

    def _run_html(self, key: NodeKey) -> str:
        record = self.vm.record(key.run_id)
        assert record is not None
        run = record.run
        rows = [
            row("Run", esc(run.id)),
            row("Assistant", esc(self._assistant_text(key.run_id, run.assistant_id))),
            row("Status", f"<b>{esc(run.status)}</b>"),
            row("Model", esc(run.model or "—")),
            row("Created", esc(format_time(run.created_at))),
            row("Started", esc(format_time(run.started_at))),
            row("Duration", esc(format_duration(duration_s(run, self.vm.now())))),
            row("Tokens", esc(self.vm.run_totals(run.id) or "—")),
            row("Steps", esc(len(record.steps))),
        ]
        if record.reason:
            rows.append(row("Reason", esc(record.reason)))
        if run.last_error is not None:
            rows.append(row("Error", esc(f"{run.last_error.code}: {run.last_error.message}")))
        return f"<h3>Run</h3>{table(rows)}"

    def _step_html(self, key: NodeKey, step: RunStep) -> str:
        rows = [
            row("Step", esc(step.id)),
            row("Kind", esc(step_label(step))),
            row("Status", f"<b>{esc(step.status)}</b>"),
            row("Created", esc(format_time(step.created_at))),
            row("Duration", esc(format_duration(duration_s(step, self.vm.now())))),
            row("Tokens", esc(format_usage(step.usage) or "—")),
        ]
        if step.last_error is not None:
            rows.append(row("Error", esc(f"{step.last_error.code}: {step.last_error.message}")))
        parts = [f"<h3>Step</h3>{table(rows)}"]
        details = step.step_details
        if isinstance(details, MessageCreationDetails):
            message_id = details.message_creation.message_id
            parts.append(f"<p>{link('message/' + message_id, 'Show this message in the chat')}</p>")
        elif isinstance(details, ToolCallsDetails):
            names = [esc(getattr(c, "type", None) or "unknown") for c in details.tool_calls]
            parts.append(f"<p>Tool calls: {', '.join(names) or 'none yet'}</p>")
        else:
            parts.append(
                f"<p>The step type “{esc(getattr(details, 'type', None) or step.type)}” is not "
                "known to this app; its data is in Raw JSON.</p>"
            )
        return "".join(parts)

    def _call_html(self, call: ToolCall) -> str:
        call_id = esc(getattr(call, "id", "") or "")
        if isinstance(call, CodeInterpreterToolCall):
            parts = [f"<h3>Code interpreter</h3><p><small>{call_id}</small></p>"]
            parts.append("<b>Input</b>" + code_html(call.code_interpreter.input))
            images = [
                o.image.file_id
                for o in call.code_interpreter.outputs
                if isinstance(o, CodeInterpreterImageOutput)
            ]
            for file_id in images:
                parts.append(self._image_html(file_id))
            unknown = [
                o
                for o in call.code_interpreter.outputs
                if not isinstance(o, CodeInterpreterImageOutput | CodeInterpreterLogsOutput)
            ]
            if unknown:
                kinds = ", ".join(esc(getattr(o, "type", None) or "unknown") for o in unknown)
                parts.append(f"<p>Outputs of unknown type ({kinds}); see Raw JSON.</p>")
            if not call.code_interpreter.outputs:
                parts.append("<p style='color:#666'>No outputs yet.</p>")
            return "".join(parts)
        if isinstance(call, FunctionToolCall):
            args, args_ok = pretty_json_text(call.function.arguments)
            out, _ = pretty_json_text(call.function.output)
            source = self.vm.tool_source(call.id)
            rows = [row("Function", f"<b>{esc(call.function.name)}</b>"), row("Call id", call_id)]
            if call.function.output is None:
                rows.append(row("Output", "not submitted yet"))
            elif source:
                rows.append(row("Supplied by", esc(source)))
            parts = [f"<h3>Function call</h3>{table(rows)}", "<b>Arguments</b>", pre(cut(args))]
            if not args_ok:
                parts.append("<p style='color:#b3261e'>The arguments are not valid JSON.</p>")
            if call.function.output is not None:
                parts += ["<b>Output</b>", pre(cut(out))]
            return "".join(parts)
        if isinstance(call, FileSearchToolCall):
            return self._file_search_html(call)
        if isinstance(call, RetrievalToolCall):
            return (
                f"<h3>Retrieval (v1)</h3><p><small>{call_id}</small></p>"
                "<p>v1 servers do not report what was retrieved.</p>"
            )
        if isinstance(call, McpToolCall):
            args, _ = pretty_json_text(call.arguments)
            parts = [
                "<h3>MCP tool call</h3>",
                table(
                    [row("Tool", esc(call.name or "")), row("Server", esc(call.server_label or ""))]
                ),
                "<b>Arguments</b>",
                pre(cut(args)),
            ]
            if call.output is not None:
                parts += ["<b>Output</b>", pre(cut(call.output))]
            return "".join(parts)
        kind = esc(getattr(call, "type", None) or "unknown")
        return (
            f"<h3>Tool call: {kind}</h3><p><small>{call_id}</small></p>"
            f"<p>This app has no special view for “{kind}” tool calls; everything the server "
            "sent is in Raw JSON.</p>"
        )

    def _file_search_html(self, call: FileSearchToolCall) -> str:
        details = call.file_search
        parts = [f"<h3>File search</h3><p><small>{esc(call.id)}</small></p>"]
        query = (getattr(details, "model_extra", None) or {}).get("query")
        if query:
            parts.append(f"<p><b>Query:</b> {esc(query)}</p>")
        if details.ranking_options is not None:
            options = details.ranking_options
            parts.append(
                f"<p>Ranker {esc(getattr(options, 'ranker', '') or 'auto')}, score threshold "
                f"{esc(getattr(options, 'score_threshold', ''))}</p>"
            )
        if details.results is None:
            parts.append(
                "<p style='color:#666'>The server did not return the results of this search.</p>"
            )
            return "".join(parts)
        if not details.results:
            parts.append("<p>No matching passages were found.</p>")
        for n, result in enumerate(details.results, 1):
            name = result.file_name or result.file_id
            parts.append(
                f"<p><b>{n}. {esc(name)}</b> — score {result.score:.3f} "
                f"<small>({esc(result.file_id)})</small></p>"
            )
            if result.content:
                text = "\n".join(c.text for c in result.content if c.text)
                parts.append(pre(cut(text)))
            else:
                parts.append("<p style='color:#666'><small>(text not returned)</small></p>")
        return "".join(parts)

    def _message_html(self, message: Message) -> str:
        parts = [
            "<h3>Message</h3>",
            table([row("Message", esc(message.id)), row("Role", esc(message.role))]),
            f"<p>{link('message/' + message.id, 'Show in the chat')}</p>",
        ]
        for part in message.content:
            if isinstance(part, TextContent):
                parts.append(pre(cut(part.text.value)))
            elif isinstance(part, ImageFileContent):
                parts.append(self._image_html(part.image_file.file_id))
            elif isinstance(part, ImageUrlContent):
                # Never loaded: a remote image would tell its server that we looked.
                parts.append(f"<p>Remote image (not loaded): {esc(part.image_url.url)}</p>")
            elif isinstance(part, RefusalContent):
                parts.append(f"<p style='color:#b3261e'>Refusal: {esc(part.refusal)}</p>")
            else:
                kind = esc(getattr(part, "type", None) or "unknown")
                parts.append(f"<p>Content of type “{kind}” is not shown here; see Raw JSON.</p>")
        return "".join(parts)


def _dump(obj: object) -> object:
    return obj.model_dump(mode="json") if isinstance(obj, BaseModel) else obj

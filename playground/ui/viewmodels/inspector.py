"""The run-step inspector: what every run of the current thread did, step by step.

Two sources feed one set of records: the live run events the chat view model emits (the
same ``playground.runs.events`` objects the chat renders, so the tree and the chat never
disagree) and, when a thread is opened, its history listed through the api client. Events
are read by shape (``event.run``, ``event.step``, ``event.message``, ``event.reason``) rather
than by class so a new event type in the driver is harmless here.

The view model keeps plain data (protocol objects plus local arrival times) and answers the
widgets' questions: the tree structure, the detail of a node, raw JSON, and the timeline of a
run. It never touches widgets.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.api.errors import BadRequestError, UnsupportedFeatureError
from playground.api.resources.base import FILE_SEARCH_CONTENT
from playground.protocol import (
    CodeInterpreterImageOutput,
    CodeInterpreterToolCall,
    FilePathAnnotation,
    ImageFileContent,
    Message,
    Run,
    RunStep,
    TextContent,
    ToolCallsDetails,
)
from playground.protocol.limits import TERMINAL_RUN_STATUSES
from playground.ui.viewmodels.assistant_names import assistant_names
from playground.ui.viewmodels.timestamps import clock_text, epoch

if TYPE_CHECKING:
    from playground.ui.viewmodels.outputs import OutputsViewModel
    from playground.ui.viewmodels.session import Session

log = logging.getLogger(__name__)

#: Newest runs loaded when a thread opens; older ones are rarely what a person inspects.
HISTORY_RUN_LIMIT = 30
#: Messages read to find a thread's images and files for the gallery.
HISTORY_MESSAGE_LIMIT = 100
#: Statuses after which a run or step no longer changes.
TERMINAL_STATUSES = TERMINAL_RUN_STATUSES

#: Who supplied a function's output (the chat's tool-output prompt says).
OUTPUT_SOURCES = {"you": "you", "canned": "canned text", "local_python": "local Python"}


@dataclass(frozen=True)
class StatusMark:
    """A run entered ``status`` at ``at`` (seconds since the epoch)."""

    status: str
    at: float


@dataclass
class RunRecord:
    """One run with its steps, in the order they were created."""

    run: Run
    steps: dict[str, RunStep] = field(default_factory=dict)
    transitions: list[StatusMark] = field(default_factory=list)
    #: Plain-words reason of a failed or incomplete run (from the driver).
    reason: str = ""


@dataclass(frozen=True)
class NodeKey:
    """Identifies a tree node: a run, a step, a tool call in a step, or a created message."""

    kind: str  # "run" | "step" | "call" | "message"
    run_id: str
    step_id: str = ""
    index: int = -1
    message_id: str = ""


@dataclass(frozen=True)
class TimelineSegment:
    """A stretch of time on the run timeline (a status, or one step)."""

    label: str
    status: str
    start: float
    end: float
    step_id: str = ""


@dataclass(frozen=True)
class Timeline:
    start: float
    end: float
    statuses: list[TimelineSegment]
    steps: list[TimelineSegment]
    #: How the run ended ("completed", "failed"...); empty while it is still going. Drawn as
    #: a badge at the end of the status lane, so a finished run never reads "in progress".
    final_status: str = ""


@dataclass(frozen=True)
class OutputRef:
    """A file a thread produced: a code-interpreter image, an ``image_file`` or a ``file_path``."""

    file_id: str
    kind: str  # "image" | "file"
    name: str
    origin: str


def _end_time(obj: Run | RunStep) -> float | None:
    for name in ("completed_at", "failed_at", "cancelled_at", "expired_at"):
        value = epoch(getattr(obj, name, None))
        if value is not None:
            return value
    return None


def _start_time(obj: Run | RunStep) -> float | None:
    return epoch(getattr(obj, "started_at", None)) or epoch(obj.created_at)


def duration_s(obj: Run | RunStep, now: float | None = None) -> float | None:
    """Seconds from start to end (or to ``now`` while still going); None when unknown."""
    start = _start_time(obj)
    if start is None:
        return None
    end = _end_time(obj)
    if end is None:
        if str(obj.status) in TERMINAL_STATUSES or now is None:
            return None
        return max(0.0, now - start)
    return max(0.0, end - start)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def format_usage(usage: Any) -> str:
    if usage is None:
        return ""
    return (
        f"{usage.total_tokens} tokens ({usage.prompt_tokens} prompt + "
        f"{usage.completion_tokens} completion)"
    )


def format_time(stamp: float | None) -> str:
    return clock_text(epoch(stamp))


def step_label(step: RunStep) -> str:
    """Short words for a step: "message", or the tool types it called."""
    details = step.step_details
    if isinstance(details, ToolCallsDetails):
        kinds = [str(getattr(call, "type", None) or "unknown") for call in details.tool_calls]
        return "tool calls: " + ", ".join(kinds) if kinds else "tool calls"
    kind = str(getattr(details, "type", None) or step.type or "unknown step")
    return "message" if kind == "message_creation" else kind.replace("_", " ")


def transitions_from_timestamps(run: Run) -> list[StatusMark]:
    """Status history of a loaded run, rebuilt from the timestamps the server keeps."""
    created, started = epoch(run.created_at), epoch(run.started_at)
    marks = [StatusMark("queued", created)] if created is not None else []
    if started is not None:
        marks.append(StatusMark("in_progress", started))
    end = _end_time(run)
    if end is not None:
        marks.append(StatusMark(str(run.status), end))
    elif str(run.status) not in ("queued", "in_progress") and marks:
        marks.append(StatusMark(str(run.status), marks[-1].at))
    return marks


def build_timeline(record: RunRecord, now: float) -> Timeline:
    """Status stretches and step bars of one run on one time axis (epoch seconds)."""
    run = record.run
    marks = sorted(record.transitions, key=lambda m: m.at) or transitions_from_timestamps(run)
    start = marks[0].at if marks else (epoch(run.created_at) or now)
    finished = str(run.status) in TERMINAL_STATUSES
    end_of_run = _end_time(run) or (marks[-1].at if finished and marks else now)
    statuses: list[TimelineSegment] = []
    for i, mark in enumerate(marks):
        if finished and i == len(marks) - 1 and mark.status in TERMINAL_STATUSES:
            break  # the terminal status is the end of the axis, not a stretch
        stop = marks[i + 1].at if i + 1 < len(marks) else end_of_run
        statuses.append(TimelineSegment(mark.status, mark.status, mark.at, max(stop, mark.at)))
    steps: list[TimelineSegment] = []
    for step in record.steps.values():
        s_start = epoch(step.created_at) or start
        s_end = _end_time(step) or (end_of_run if finished else now)
        if finished:  # a step cannot outlast its finished run (a server's bad stamp can)
            s_start, s_end = min(s_start, end_of_run), min(s_end, end_of_run)
        steps.append(
            TimelineSegment(
                step_label(step), str(step.status), s_start, max(s_end, s_start), step.id
            )
        )
    axis_end = max([end_of_run, start] + [s.end for s in steps])
    final = str(run.status) if finished else ""
    return Timeline(start=start, end=axis_end, statuses=statuses, steps=steps, final_status=final)


def outputs_of_step(step: RunStep) -> list[OutputRef]:
    refs: list[OutputRef] = []
    details = step.step_details
    if isinstance(details, ToolCallsDetails):
        for call in details.tool_calls:
            if isinstance(call, CodeInterpreterToolCall):
                for output in call.code_interpreter.outputs:
                    if isinstance(output, CodeInterpreterImageOutput) and output.image.file_id:
                        refs.append(
                            OutputRef(
                                output.image.file_id,
                                "image",
                                f"{output.image.file_id}.png",
                                f"code interpreter ({step.id})",
                            )
                        )
    return refs


def sandbox_name(text: str, fallback: str) -> str:
    """``sandbox:/mnt/data/report.csv`` → ``report.csv`` (the server's name, sanitised later)."""
    name = text.rsplit("/", 1)[-1].strip().rstrip(")") if text else ""
    return name or fallback


def outputs_of_message(message: Message) -> list[OutputRef]:
    refs: list[OutputRef] = []
    for part in message.content:
        if isinstance(part, ImageFileContent) and part.image_file.file_id:
            file_id = part.image_file.file_id
            refs.append(OutputRef(file_id, "image", f"{file_id}.png", f"message {message.id}"))
        elif isinstance(part, TextContent):
            for note in part.text.annotations:
                if isinstance(note, FilePathAnnotation) and note.file_path.file_id:
                    file_id = note.file_path.file_id
                    name = sandbox_name(note.text, file_id)
                    refs.append(OutputRef(file_id, "file", name, f"message {message.id}"))
    return refs


def raw_json(obj: Any) -> str:
    """Indented JSON of a wire object as received (extras kept, absent fields absent)."""
    if hasattr(obj, "model_dump"):
        data = obj.model_dump(mode="json", exclude_unset=True, by_alias=True)
    else:
        data = obj
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


class InspectorViewModel(QObject):
    """Runs, steps and messages of one thread, kept current from run events.

    Signals:
      ``thread_changed(object)`` — the inspected thread id (or None); everything was cleared.
      ``runs_reset()`` — the record set was replaced (history loaded): rebuild the tree.
      ``run_changed(str)`` — a run was added or its snapshot changed.
      ``step_changed(str, str)`` — (run id, step id) added or changed.
      ``loading_changed(bool)`` — history is being loaded.
      ``scroll_to_message_requested(str)`` — the person asked to see this message in the chat.
      ``tool_sources_changed()`` — who supplied some function output became known.
    """

    thread_changed = Signal(object)
    runs_reset = Signal()
    run_changed = Signal(str)
    step_changed = Signal(str, str)
    loading_changed = Signal(bool)
    scroll_to_message_requested = Signal(str)
    tool_sources_changed = Signal()

    def __init__(
        self,
        session: Session,
        outputs: OutputsViewModel | None = None,
        *,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.outputs = outputs
        self._clock = clock
        self._thread_id: str | None = None
        self._runs: dict[str, RunRecord] = {}
        self._messages: dict[str, Message] = {}
        self._tool_sources: dict[str, str] = {}
        self._loading = False
        session.client_changed.connect(self.on_session_client_changed)
        #: Run rows name the assistant that ran them, once any part of the window knows it.
        self.assistant_names = assistant_names(session)
        self.assistant_names.changed.connect(self.on_assistant_names_changed)

    # -- reading ---------------------------------------------------------------------------

    @property
    def thread_id(self) -> str | None:
        return self._thread_id

    @property
    def loading(self) -> bool:
        return self._loading

    def now(self) -> float:
        return self._clock()

    def run_ids(self) -> list[str]:
        """Runs oldest first."""
        return sorted(
            self._runs, key=lambda rid: (epoch(self._runs[rid].run.created_at) or 0.0, rid)
        )

    def record(self, run_id: str) -> RunRecord | None:
        return self._runs.get(run_id)

    def step(self, run_id: str, step_id: str) -> RunStep | None:
        record = self._runs.get(run_id)
        return record.steps.get(step_id) if record else None

    def message(self, message_id: str) -> Message | None:
        return self._messages.get(message_id)

    def tool_source(self, tool_call_id: str) -> str:
        """ "you", "canned text", "local Python", or "" when the chat did not say."""
        return self._tool_sources.get(tool_call_id, "")

    def tool_call(self, key: NodeKey) -> Any:
        step = self.step(key.run_id, key.step_id)
        if step is None or not isinstance(step.step_details, ToolCallsDetails):
            return None
        calls = step.step_details.tool_calls
        return calls[key.index] if 0 <= key.index < len(calls) else None

    def object_for(self, key: NodeKey) -> Any:
        """The wire object behind a node (for details and raw JSON)."""
        if key.kind == "run":
            record = self._runs.get(key.run_id)
            return record.run if record else None
        if key.kind == "step":
            return self.step(key.run_id, key.step_id)
        if key.kind == "call":
            return self.tool_call(key)
        if key.kind == "message":
            return self._messages.get(key.message_id)
        return None

    def raw_json_for(self, key: NodeKey) -> str:
        obj = self.object_for(key)
        if obj is None:
            if key.kind == "message":
                return f"// The message {key.message_id} has not been loaded."
            return "// Nothing to show."
        return raw_json(obj)

    def assistant_label(self, run_id: str) -> str:
        """Who ran ``run_id``: the assistant's name when known, else its id ("" if neither)."""
        record = self._runs.get(run_id)
        return self.assistant_names.label(record.run.assistant_id if record else None)

    def run_totals(self, run_id: str) -> str:
        """Token usage of a run; while running, the sum of its finished steps."""
        record = self._runs.get(run_id)
        if record is None:
            return ""
        if record.run.usage is not None:
            return format_usage(record.run.usage)
        used = [s.usage for s in record.steps.values() if s.usage is not None]
        if not used:
            return ""
        total = sum(u.total_tokens for u in used)
        return f"{total} tokens so far (from {len(used)} finished step(s))"

    def timeline(self, run_id: str) -> Timeline | None:
        record = self._runs.get(run_id)
        return build_timeline(record, self._clock()) if record else None

    # -- intents ---------------------------------------------------------------------------

    def set_thread(self, thread_id: str | None, *, load: bool = True) -> None:
        """Inspect another thread: clear, then load its history in the background."""
        if thread_id == self._thread_id and self._runs:
            return
        self.session.runner.cancel("inspector.load")
        self._thread_id = thread_id
        self._runs.clear()
        self._messages.clear()
        self._tool_sources.clear()
        if self.outputs is not None:
            self.outputs.set_thread(thread_id)
        self.thread_changed.emit(thread_id)
        self.runs_reset.emit()
        if thread_id and load:
            self.reload()

    def reload(self) -> None:
        if not self._thread_id or self.session.client is None:
            return
        self.session.runner.start(
            "inspector.load",
            self.load_history(self._thread_id),
            label="Loading the run history",
        )

    def open_message(self, message_id: str) -> None:
        """Ask the chat to scroll to a message (the message_creation link)."""
        if message_id:
            self.scroll_to_message_requested.emit(message_id)

    def set_tool_output_source(self, tool_call_id: str, source: str) -> None:
        """Record who supplied a function output: "you", "canned" or "local_python"."""
        self._tool_sources[tool_call_id] = OUTPUT_SOURCES.get(source, source)
        self.tool_sources_changed.emit()

    # -- slots -----------------------------------------------------------------------------

    def on_assistant_names_changed(self) -> None:
        for run_id in self.run_ids():
            self.run_changed.emit(run_id)

    def on_chat_thread_changed(self, thread_id: object) -> None:
        self.set_thread(thread_id if isinstance(thread_id, str) and thread_id else None)

    def on_session_client_changed(self) -> None:
        # Another server: what we show belongs to the old one.
        self._thread_id = None
        self._runs.clear()
        self._messages.clear()
        if self.outputs is not None:
            self.outputs.set_thread(None)
        self.thread_changed.emit(None)
        self.runs_reset.emit()

    def on_chat_run_event(self, event: object) -> None:
        """Apply one driver event (RunCreated, StepUpdated, MessageCompleted, RunFailed...)."""
        try:
            self._apply_event(event)
        except Exception:  # one odd event must not take the inspector down
            log.exception("Could not apply a run event of type %s", type(event).__name__)

    # -- loading history -------------------------------------------------------------------

    async def load_history(self, thread_id: str) -> None:
        """List the thread's recent runs, their steps and messages; merge into the records."""
        client = self.session.client
        if client is None:
            return
        self._set_loading(True)
        try:
            page = await client.runs.list(thread_id, limit=HISTORY_RUN_LIMIT, order="desc").page()
            runs = list(reversed(page.data))
            loaded: dict[str, tuple[Run, list[RunStep]]] = {}
            for run in runs:
                loaded[run.id] = (run, await self._list_steps(client, thread_id, run.id))
            message_page = await client.messages.list(
                thread_id, limit=HISTORY_MESSAGE_LIMIT, order="asc"
            ).page()
        finally:
            self._set_loading(False)
        if thread_id != self._thread_id:
            return  # the person moved on while we were loading
        for run, steps in loaded.values():
            record = self._runs.get(run.id)
            if record is None:
                record = RunRecord(run=run, transitions=transitions_from_timestamps(run))
                self._runs[run.id] = record
            elif not _is_newer(record.run, run):
                record.run = run
            for step in steps:
                current = record.steps.get(step.id)
                if current is None or not _is_newer(current, step):
                    record.steps[step.id] = step
                self._note_outputs(outputs_of_step(step))
        for message in message_page.data:
            self._messages.setdefault(message.id, message)
            self._note_outputs(outputs_of_message(message))
        self.runs_reset.emit()

    async def _list_steps(self, client: Any, thread_id: str, run_id: str) -> list[RunStep]:
        """Every step of the run: all pages, not just the first 100 (up to the page cap)."""
        try:
            pager = client.steps.list(
                thread_id, run_id, include=[FILE_SEARCH_CONTENT], order="asc", limit=100
            )
            steps = list(await pager.to_list())
        except (BadRequestError, UnsupportedFeatureError):
            # Older servers (v1, Azure previews) refuse include[]; results come without text.
            pager = client.steps.list(thread_id, run_id, order="asc", limit=100)
            steps = list(await pager.to_list())
        if getattr(pager, "truncated", False):
            self.session.bridge.post_notice(f"Run {run_id}: {pager.notice}")
        return steps

    # -- internals -------------------------------------------------------------------------

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _accepts(self, thread_id: str) -> bool:
        """Events of the inspected thread only; with no thread yet, the first run's thread."""
        if self._thread_id is None and thread_id:
            self._thread_id = thread_id
            if self.outputs is not None:
                self.outputs.set_thread(thread_id)
            self.thread_changed.emit(thread_id)
            return True
        return not thread_id or thread_id == self._thread_id

    def _apply_event(self, event: object) -> None:
        run = getattr(event, "run", None)
        step = getattr(event, "step", None)
        message = getattr(event, "message", None)
        if isinstance(run, Run) and self._accepts(run.thread_id):
            self._apply_run(run, str(getattr(event, "reason", "") or ""))
        if isinstance(step, RunStep) and self._accepts(step.thread_id):
            self._apply_step(step)
        if isinstance(message, Message) and self._accepts(message.thread_id):
            self._messages[message.id] = message
            self._note_outputs(outputs_of_message(message))
            streaming_text = getattr(event, "text_delta", None) is not None
            if message.run_id and message.run_id in self._runs and not streaming_text:
                self.run_changed.emit(message.run_id)

    def _apply_run(self, run: Run, reason: str) -> None:
        record = self._runs.get(run.id)
        status = str(run.status)
        if record is None:
            record = RunRecord(run=run)
            self._runs[run.id] = record
            created = epoch(run.created_at)
            if created is not None and status != "queued":
                record.transitions.append(StatusMark("queued", created))
        else:
            record.run = run
        if not record.transitions or record.transitions[-1].status != status:
            record.transitions.append(StatusMark(status, self._event_time(run)))
        if reason:
            record.reason = reason
        self.run_changed.emit(run.id)

    def _apply_step(self, step: RunStep) -> None:
        record = self._runs.get(step.run_id)
        if record is None:
            # A step before its run (possible after a stream reconnect): a placeholder run.
            placeholder = Run(id=step.run_id, thread_id=step.thread_id, status="in_progress")
            record = RunRecord(run=placeholder, transitions=[])
            self._runs[step.run_id] = record
            self.run_changed.emit(step.run_id)
        record.steps[step.id] = step
        self._note_outputs(outputs_of_step(step))
        self.step_changed.emit(step.run_id, step.id)

    def _event_time(self, run: Run) -> float:
        """When a status began: the server's timestamp where it keeps one, else arrival."""
        status = str(run.status)
        stamp: float | None = None
        if status == "queued":
            stamp = epoch(run.created_at)
        elif status == "in_progress":
            stamp = epoch(run.started_at)
        elif status in TERMINAL_STATUSES:
            stamp = _end_time(run)
        return stamp if stamp is not None else self._clock()

    def _note_outputs(self, refs: list[OutputRef]) -> None:
        if self.outputs is None:
            return
        for ref in refs:
            self.outputs.add_reference(ref)


def _is_newer(current: Run | RunStep, loaded: Run | RunStep) -> bool:
    """Whether the live snapshot we hold is further along than a loaded one."""
    current_done = str(current.status) in TERMINAL_STATUSES
    loaded_done = str(loaded.status) in TERMINAL_STATUSES
    return current_done and not loaded_done

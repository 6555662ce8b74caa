"""The run-step inspector: what every run of the current thread did, step by step.

Two sources feed one set of records: the live run events the chat view model emits (the
same ``playground.runs.events`` objects the chat renders, so the tree and the chat never
disagree) and, when a thread is opened, its history listed through the api client. Events
are handled by one ``match`` over the driver's ``RunEvent`` union, so a new event kind in the
driver fails the type check here until the inspector decides what it shows.

The view model keeps plain data (protocol objects plus local arrival times) and answers the
widgets' questions: the tree structure, the detail of a node, raw JSON, and the timeline of a
run. It never touches widgets. The records and what is computed from them (timeline,
durations, labels) are plain data in :mod:`.run_records`; the files found in steps and
messages are :mod:`.output_refs`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, assert_never

from pydantic import BaseModel
from PySide6.QtCore import QObject, Signal

from playground.api.errors import BadRequestError, UnsupportedFeatureError
from playground.api.resources.base import FILE_SEARCH_CONTENT
from playground.protocol import (
    Message,
    Run,
    RunStep,
    ToolCall,
    ToolCallsDetails,
)
from playground.runs.events import (
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    RequiresAction,
    RunCancelled,
    RunCompleted,
    RunCreated,
    RunEvent,
    RunExpired,
    RunFailed,
    RunIncomplete,
    RunStatusChanged,
    StepCreated,
    StepUpdated,
)
from playground.ui.viewmodels.output_refs import OutputRef, outputs_of_message, outputs_of_step
from playground.ui.viewmodels.run_records import (
    TERMINAL_STATUSES,
    RunRecord,
    StatusMark,
    Timeline,
    build_timeline,
    end_time,
    format_usage,
    is_newer,
    transitions_from_timestamps,
)
from playground.ui.viewmodels.timestamps import epoch

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.ui.viewmodels.outputs import OutputsViewModel
    from playground.ui.viewmodels.session import Session

log = logging.getLogger(__name__)

#: Newest runs loaded when a thread opens; older ones are rarely what a person inspects.
HISTORY_RUN_LIMIT = 30
#: Messages read to find a thread's images and files for the gallery.
HISTORY_MESSAGE_LIMIT = 100
#: Who supplied a function's output (the chat's tool-output prompt says).
OUTPUT_SOURCES = {"you": "you", "canned": "canned text", "local_python": "local Python"}
#: Raw JSON texts kept (one per node; the tree's selection moves among a few).
RAW_CACHE_SIZE = 16


@dataclass(frozen=True)
class NodeKey:
    """Identifies a tree node: a run, a step, a tool call in a step, or a created message."""

    kind: str  # "run" | "step" | "call" | "message"
    run_id: str
    step_id: str = ""
    index: int = -1
    message_id: str = ""


def raw_json(obj: object) -> str:
    """Indented JSON of a wire object as received (extras kept, absent fields absent)."""
    data = (
        obj.model_dump(mode="json", exclude_unset=True, by_alias=True)
        if isinstance(obj, BaseModel)
        else obj
    )
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
      ``message_changed(str)`` — a message's snapshot changed (a streamed delta too).
    """

    thread_changed = Signal(object)
    runs_reset = Signal()
    run_changed = Signal(str)
    step_changed = Signal(str, str)
    loading_changed = Signal(bool)
    scroll_to_message_requested = Signal(str)
    tool_sources_changed = Signal()
    message_changed = Signal(str)

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
        #: The last raw JSON made per node, with the object it was made from: a snapshot is
        #: replaced, never changed, so the same object means the same text.
        self._raw_cache: dict[NodeKey, tuple[object, str]] = {}
        session.client_changed.connect(self.on_session_client_changed)
        #: Run rows name the assistant that ran them, once any part of the window knows it.
        self.assistant_names = session.assistant_names
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

    def tool_call(self, key: NodeKey) -> ToolCall | None:
        step = self.step(key.run_id, key.step_id)
        if step is None or not isinstance(step.step_details, ToolCallsDetails):
            return None
        calls = step.step_details.tool_calls
        return calls[key.index] if 0 <= key.index < len(calls) else None

    def object_for(self, key: NodeKey) -> Run | RunStep | ToolCall | Message | None:
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
        cached = self._raw_cache.get(key)
        if cached is not None and cached[0] is obj:
            return cached[1]
        text = raw_json(obj)
        if len(self._raw_cache) >= RAW_CACHE_SIZE:
            self._raw_cache.pop(next(iter(self._raw_cache)))
        self._raw_cache[key] = (obj, text)
        return text

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
        self._raw_cache.clear()
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
        self._raw_cache.clear()
        if self.outputs is not None:
            self.outputs.set_thread(None)
        self.thread_changed.emit(None)
        self.runs_reset.emit()

    def on_chat_run_event(self, event: RunEvent) -> None:
        """Apply one driver event (RunCreated, StepUpdated, MessageCompleted, RunFailed...)."""
        try:
            self._apply_event(event)
        except Exception:  # one odd event must not take the inspector down
            log.exception("Could not apply a run event of type %s", type(event).__name__)

    # -- loading history -------------------------------------------------------------------

    async def load_history(self, thread_id: str) -> None:
        """List the thread's recent runs, their steps and messages; merge into the records."""
        client: AssistantsClient | None = self.session.client
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
            elif not is_newer(record.run, run):
                record.run = run
            for step in steps:
                current = record.steps.get(step.id)
                if current is None or not is_newer(current, step):
                    record.steps[step.id] = step
                self._note_outputs(outputs_of_step(step))
        for message in message_page.data:
            self._messages.setdefault(message.id, message)
            self._note_outputs(outputs_of_message(message))
        self.runs_reset.emit()

    async def _list_steps(
        self, client: AssistantsClient, thread_id: str, run_id: str
    ) -> list[RunStep]:
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
        if pager.truncated:
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

    def _apply_event(self, event: RunEvent) -> None:
        match event:
            case (
                RunCreated(run=run)
                | RunStatusChanged(run=run)
                | RequiresAction(run=run)
                | RunCompleted(run=run)
                | RunExpired(run=run)
                | RunCancelled(run=run)
            ):
                if self._accepts(run.thread_id):
                    self._apply_run(run, "")
            case RunFailed(run=run, reason=reason) | RunIncomplete(run=run, reason=reason):
                if self._accepts(run.thread_id):
                    self._apply_run(run, reason)
            case StepCreated(step=step) | StepUpdated(step=step):
                if self._accepts(step.thread_id):
                    self._apply_step(step)
            case MessageCreated(message=message) | MessageCompleted(message=message):
                self._apply_message(message, streaming=False)
            case MessageDelta(message=message):
                self._apply_message(message, streaming=True)
            case _:
                assert_never(event)

    def _apply_message(self, message: Message, *, streaming: bool) -> None:
        if not self._accepts(message.thread_id):
            return
        self._messages[message.id] = message
        self._note_outputs(outputs_of_message(message))
        self.message_changed.emit(message.id)
        # A streaming delta changes the text only; the run's row need not be redrawn.
        if message.run_id and message.run_id in self._runs and not streaming:
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
            stamp = end_time(run)
        return stamp if stamp is not None else self._clock()

    def _note_outputs(self, refs: list[OutputRef]) -> None:
        if self.outputs is None:
            return
        for ref in refs:
            self.outputs.add_reference(ref)

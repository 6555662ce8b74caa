"""The chat of one thread: its messages, the composer's draft, sending, and the live run.

Rules this view model keeps:
* Switching threads never mixes messages: each load is the preemptive task ``chat.load``
  and a result is applied only if its thread is still the current one.
* One run per thread: while a thread's run is active (or its message is being sent) the
  thread is *locked* — ``send`` refuses and the composer keeps the typed text.
* A message is never posted twice: the api client tags it with a client id and, after an
  ambiguous failure, finds it instead of posting again. A failed send leaves the text in
  the composer.
* Every run event is re-emitted as ``run_event(object)`` for the inspector.
* History comes a page at a time, newest first: opening a thread asks for the newest
  ``HISTORY_LIMIT`` messages; ``load_older()`` asks for the page before the oldest one shown
  (the API's ``after`` cursor in ``desc`` order), until the server says there are no more.
  Views follow the list through ``items_reset``, ``items_inserted(start, count)`` and
  ``item_updated(index)``, so they can update only what changed.

The bubbles themselves (a protocol message as Markdown with footnotes) are
:mod:`.chat_items`; the run being followed and where run notices sit in the history are
:mod:`.chat_runs`; the names of cited and attached files are :mod:`.file_names`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from PySide6.QtCore import QObject, QTimer, Signal

from playground.protocol.limits import TERMINAL_RUN_STATUSES
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
    run_of,
)
from playground.ui.viewmodels.attachments import (
    Attachment,
    AttachmentsViewModel,
    ToolName,
    default_tools,
)
from playground.ui.viewmodels.chat_items import ChatItem, item_from_message
from playground.ui.viewmodels.chat_runs import (
    RunOverrides,
    RunState,
    model_problem_of,
    place_run_notices,
)
from playground.ui.viewmodels.file_names import FileNames, fetch_file_names
from playground.ui.viewmodels.run_notices import CANCELLED_TEXT, EXPIRED_TEXT, notice_for_run
from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.runs import RunDriver
    from playground.ui.viewmodels.threads import ThreadsViewModel
    from playground.ui.viewmodels.tool_prompt import ToolPromptViewModel

log = logging.getLogger(__name__)

DRAFT_SAVE_DELAY_MS = 400
#: Messages per history page (the API's largest ``limit``).
HISTORY_LIMIT = 100
_TERMINAL = TERMINAL_RUN_STATUSES


class ChatViewModel(QObject):
    """See the module docstring. Signals:

    ``thread_changed(object)`` id or None; ``messages_changed()`` the list changed (any
    way); ``items_reset()`` the whole list was replaced; ``items_inserted(int, int)`` start
    and count of new bubbles (older ones at 0, new ones at the end); ``item_updated(int)``
    one bubble changed (streaming); ``history_changed()`` ``has_older``/``loading_older``
    changed; ``run_state_changed()``;
    ``run_event(object)`` every ``playground.runs.events`` event of the current thread;
    ``locked_changed(bool)``; ``draft_loaded(str)`` text for the composer;
    ``tool_prompt_requested(object)`` a ToolPromptViewModel; ``sent()`` the composer may clear.
    """

    thread_changed = Signal(object)
    messages_changed = Signal()
    items_reset = Signal()
    items_inserted = Signal(int, int)
    item_updated = Signal(int)
    history_changed = Signal()
    run_state_changed = Signal()
    run_event = Signal(object)
    locked_changed = Signal(bool)
    draft_loaded = Signal(str)
    tool_prompt_requested = Signal(object)
    sent = Signal()
    assistant_changed = Signal(object)
    #: (tool call id, "you" | "canned" | "local_python") for the inspector.
    tool_output_supplied = Signal(str, str)
    #: A message id the view should bring into sight (the inspector's message links).
    scroll_requested = Signal(str)
    #: Names of cited files arrived (``file_name``): footnotes can name them.
    file_names_changed = Signal()

    def __init__(
        self, session: Session, threads: ThreadsViewModel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._threads = threads
        #: A thread this chat created from the "New thread" view, until the thread list
        #: makes it current: that change continues the conversation on screen, no switch.
        self._continuing: str | None = None
        self._assistant_id: str | None = None
        self._items: list[ChatItem] = []
        #: The server has messages older than the first one loaded; a page is on its way.
        self._has_older = False
        self._loading_older = False
        self._runs: dict[str, RunState] = {}  # thread id ("" = new thread) -> run
        self._draft_text = ""
        self._draft_attachments: list[str] = []
        #: The thread the pending draft was typed in (None: the "New thread" view).
        self._draft_thread: str | None = None
        self._draft_dirty = False
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_DELAY_MS)
        self._draft_timer.timeout.connect(self.on_draft_timer_timeout)
        self.overrides = RunOverrides()
        self.prompt: ToolPromptViewModel | None = None
        #: Names of cited and attached files; filled in the background, per connection.
        self._file_names = FileNames()
        #: The composer's files and the tools each goes to (follows the chosen assistant).
        self.attachments = AttachmentsViewModel(session, parent=self)
        self.assistant_changed.connect(self.attachments.follow_assistant)
        #: Names for the composer line, from whichever part of the window read them first.
        self.assistant_names = session.assistant_names
        session.client_changed.connect(self.on_session_client_changed)

    # -- state ----------------------------------------------------------------------------

    @property
    def thread_id(self) -> str | None:
        """The thread on screen: the thread list's current one (it owns that choice)."""
        return self._threads.current_id

    @property
    def assistant_id(self) -> str | None:
        return self._assistant_id

    @property
    def items(self) -> list[ChatItem]:
        return list(self._items)

    @property
    def item_count(self) -> int:
        return len(self._items)

    def item_at(self, index: int) -> ChatItem:
        """One bubble without copying the list (views ask per change)."""
        return self._items[index]

    @property
    def has_older(self) -> bool:
        """Whether the server holds messages older than the oldest one loaded."""
        return self._has_older

    @property
    def loading_older(self) -> bool:
        return self._loading_older

    @property
    def run(self) -> RunState | None:
        """The run of the current thread (active, or the last one that finished here)."""
        return self._runs.get(self.thread_id or "")

    @property
    def locked(self) -> bool:
        run = self.run
        return run is not None and run.active

    @property
    def draft_attachments(self) -> list[str]:
        return list(self._draft_attachments)

    def file_name(self, file_id: str) -> str | None:
        """The name of a cited file, once the server told us (None until then)."""
        return self._file_names.get(file_id)

    # -- intents --------------------------------------------------------------------------

    def set_assistant(self, assistant_id: str | None) -> None:
        if assistant_id != self._assistant_id:
            self._assistant_id = assistant_id
            self.assistant_changed.emit(assistant_id)

    def send(
        self,
        text: str,
        attachments: list[str] | list[Attachment] | None = None,
        *,
        run: bool = True,
        overrides: RunOverrides | None = None,
    ) -> bool:
        """Post ``text`` (and files) and, with ``run``, start a run. False when refused."""
        text = text.strip()
        attachments = [
            a if isinstance(a, Attachment) else Attachment(a, self._default_tools(a))
            for a in attachments or []
        ]
        bridge = self._session.bridge
        if self.locked:
            bridge.post_error(
                "A run is still going", "Wait for it to finish or cancel it; your text is kept."
            )
            return False
        if not text and not attachments:
            return False
        if self._session.client is None:
            bridge.post_error("Not connected", "Connect to a server first; your text is kept.")
            return False
        if run and not self._assistant_id:
            bridge.post_error("No assistant chosen", "Pick an assistant on the left to run.")
            return False
        key = self.thread_id or ""
        state = RunState(thread_id=key, status="sending")
        self._runs[key] = state
        self._emit_run_state()
        self._session.runner.start(
            f"chat.send.{key or 'new'}",
            self._send(state, text, attachments, run, overrides or self.overrides),
            replace=False,
            label="Sending the message",
        )
        return True

    def cancel_run(self) -> None:
        state = self.run
        if state is None or not state.active:
            return
        self._session.runner.start(None, self._cancel(state), label="Cancelling the run")

    def set_draft(self, text: str, attachments: list[str] | None = None) -> None:
        """The composer changed: save it a moment later (debounced)."""
        self._draft_text = text
        self._draft_thread = self.thread_id
        if attachments is not None:
            self._draft_attachments = list(attachments)
        self._draft_dirty = True
        self._draft_timer.start()

    async def flush_draft(self) -> None:
        """Write a pending draft now (before switching thread, at exit)."""
        self._draft_timer.stop()
        if not self._draft_dirty:
            return
        self._draft_dirty = False
        profile_id = self._session.profile_id
        if profile_id is None:
            return
        await self._session.runner.run_blocking(
            self._session.store.drafts.save,
            profile_id,
            self._draft_thread,
            self._draft_text,
            self._draft_attachments,
        )

    def reload(self) -> None:
        self._start_load(self.thread_id)

    def load_older(self) -> None:
        """Fetch the page of messages before the oldest one loaded (no-op when none)."""
        thread_id = self.thread_id
        if not self._has_older or self._loading_older or thread_id is None:
            return
        if self._session.client is None:
            return
        self._loading_older = True
        self.history_changed.emit()
        self._session.runner.start(
            "chat.older", self._load_older(thread_id), label="Loading older messages"
        )

    # -- slots ----------------------------------------------------------------------------

    def on_threads_current_changed(self, thread_id: object) -> None:
        """The thread list changed its current thread (wired by the composition root)."""
        new = thread_id if isinstance(thread_id, str) else None
        if new is not None and new == self._continuing:
            self._continuing = None
            if self._draft_thread is None:
                self._draft_thread = new  # the draft moves with the thread it started
            self.thread_changed.emit(new)
            return
        self._switch(new)

    def on_session_client_changed(self) -> None:
        self._runs.clear()
        self._file_names.clear()
        self._set_items([], has_older=False)
        self._emit_run_state()
        self._start_load(self.thread_id)

    def on_draft_timer_timeout(self) -> None:
        self._session.runner.start("chat.draft", self.flush_draft(), label="Saving the draft")

    # -- loading --------------------------------------------------------------------------

    def _switch(self, thread_id: str | None) -> None:
        self._continuing = None
        if self._draft_dirty:
            # Save the old thread's draft under the thread it was typed in.
            self._draft_timer.stop()
            self._draft_dirty = False
            profile_id = self._session.profile_id
            if profile_id is not None:
                self._session.runner.start(
                    None,
                    self._session.runner.run_blocking(
                        self._session.store.drafts.save,
                        profile_id,
                        self._draft_thread,
                        self._draft_text,
                        self._draft_attachments,
                    ),
                    label="Saving the draft",
                )
        self._items = []
        self._has_older = self._loading_older = False
        self.prompt = None
        entry = self._threads.entry(thread_id) if thread_id else None
        if entry is not None and entry.assistant_id:
            # Go on with the assistant the thread was started with (the left pane follows).
            self.set_assistant(entry.assistant_id)
        self.thread_changed.emit(thread_id)
        self._set_items([], has_older=False)
        self._emit_run_state()
        self._start_load(thread_id)

    def _start_load(self, thread_id: str | None) -> None:
        # Preemptive: a newer switch cancels the older load before it lands.
        self._session.runner.start("chat.load", self._load(thread_id), label="Loading the thread")

    async def _load(self, thread_id: str | None) -> None:
        session = self._session
        profile_id = session.profile_id
        draft = None
        if profile_id is not None:
            draft = await session.runner.run_blocking(
                session.store.drafts.load, profile_id, thread_id
            )
        if thread_id != self.thread_id:
            return
        self._draft_text = draft.text if draft else ""
        self._draft_attachments = list(draft.attachments) if draft else []
        self._draft_dirty = False
        self.attachments.set_paths(self._draft_attachments)
        self.draft_loaded.emit(self._draft_text)
        client: AssistantsClient | None = session.client
        if thread_id is None or client is None:
            return
        messages = await client.messages.list(thread_id, limit=HISTORY_LIMIT, order="desc").page()
        if thread_id != self.thread_id:
            return  # the person switched away while this was loading
        loaded = [self._file_names.named(item_from_message(m)) for m in reversed(messages.data)]
        created = [int(m.created_at or 0) for m in reversed(messages.data)]
        loaded = await self._with_run_notices(thread_id, loaded, created)
        if thread_id != self.thread_id:
            return
        # Keep what arrived while loading (a just-posted message, a run notice).
        known = {i.key for i in loaded}
        extra = [i for i in self._items if i.key not in known]
        self._set_items(loaded + extra, has_older=bool(messages.has_more and messages.data))
        self._resolve_file_names(self._items)

    async def _load_older(self, thread_id: str) -> None:
        try:
            oldest = next((i.key for i in self._items if not i.key.startswith("notice:")), None)
            client: AssistantsClient | None = self._session.client
            if oldest is None or client is None:
                return
            page = await client.messages.list(
                thread_id, limit=HISTORY_LIMIT, order="desc", after=oldest
            ).page()
            if thread_id != self.thread_id:
                return
            known = {i.key for i in self._items}
            older = [
                self._file_names.named(item_from_message(m))
                for m in reversed(page.data)
                if m.id not in known
            ]
            # No new message on a "has more" page would page forever: stop there.
            self._has_older = bool(page.has_more and older)
            if older:
                self._items[0:0] = older
                self.items_inserted.emit(0, len(older))
                self.messages_changed.emit()
                self._resolve_file_names(older)
        finally:
            if thread_id == self.thread_id:
                self._loading_older = False
                self.history_changed.emit()

    def _set_items(self, items: list[ChatItem], *, has_older: bool) -> None:
        self._items = items
        self._has_older = has_older
        self._loading_older = False
        self.items_reset.emit()
        self.messages_changed.emit()
        self.history_changed.emit()

    async def _with_run_notices(
        self, thread_id: str, items: list[ChatItem], created: list[int]
    ) -> list[ChatItem]:
        """The history with each failed/cancelled/expired run's line in its place."""
        client: AssistantsClient | None = self._session.client
        if client is None:
            return items
        try:
            runs = await client.runs.list(thread_id, limit=HISTORY_LIMIT, order="asc").page()
        except Exception as exc:  # the lines are a help; the messages still show
            log.info("Could not list the thread's runs: %s", type(exc).__name__)
            return items
        anchors = await self._run_anchors(thread_id)
        return place_run_notices(items, created, runs.data, anchors)

    async def _run_anchors(self, thread_id: str) -> dict[str, str]:
        profile_id = self._session.profile_id
        if not profile_id:
            return {}
        try:
            return await self._session.runner.run_blocking(
                self._session.store.threads.run_anchors, profile_id, thread_id
            )
        except Exception as exc:  # the lines then fall back to the runs' times
            log.info("Could not read the runs' messages: %s", type(exc).__name__)
            return {}

    # -- sending and running --------------------------------------------------------------

    async def _send(
        self,
        state: RunState,
        text: str,
        attachments: list[Attachment],
        run: bool,
        overrides: RunOverrides,
    ) -> None:
        session = self._session
        client: AssistantsClient | None = session.client
        assistant_id = self._assistant_id
        origin = state.thread_id  # "" when the thread does not exist yet
        try:
            if client is None:  # send() checked; the connection went since
                raise ConnectionError("The connection closed before the message was sent.")
            thread_id = origin
            if not thread_id:
                thread = await client.threads.create()
                thread_id = thread.id
                title = text.splitlines()[0][:60] if text else "New thread"
                # No await from here until the list has made the thread current: the run
                # must never belong to no thread on screen (that would unlock the composer).
                self._runs.pop("", None)
                state.thread_id = thread_id
                self._runs[thread_id] = state
                if self.thread_id is None:
                    # That change continues this conversation rather than switching.
                    self._continuing = thread_id
                # Had the person moved on meanwhile, it is listed but not opened.
                await self._threads.adopt(thread_id, title, assistant_id)
                profile_id = session.profile_id
                if profile_id is not None:
                    await session.runner.run_blocking(
                        session.store.drafts.move, profile_id, None, thread_id
                    )
            body = await self._message_body(client, text, attachments)
            message = await client.messages.create(thread_id, body)
            if thread_id == self.thread_id:
                # Upsert: the thread's first load may already have brought this message.
                self._upsert(item_from_message(message))
            await self._clear_draft(thread_id)
            if thread_id == self.thread_id:
                self.attachments.clear()
                self.sent.emit()
        except BaseException:
            self._finish(state, "not sent")
            raise
        if not run:
            # "Add" alone leaves no run behind: the status strip goes away.
            state.finished = time.monotonic()
            if self._runs.get(thread_id) is state:
                del self._runs[thread_id]
            self._emit_run_state()
            return
        await self._follow(state, thread_id, assistant_id or "", overrides, after=message.id)

    def _default_tools(self, path: str) -> frozenset[ToolName]:
        return default_tools(path, self.attachments.available)

    async def _message_body(
        self, client: AssistantsClient, text: str, attachments: list[Attachment]
    ) -> dict[str, Any]:
        """The CreateMessage body: each file routed to its tools, images also as content."""
        text = text or "(see the attached files)"
        files: list[dict[str, Any]] = []
        images: list[dict[str, Any]] = []
        # v1 has no image_file content in created messages: images go as files there.
        image_parts = self._session.api_family != "v1"
        for attachment in attachments:
            uploaded = await client.files.upload(Path(attachment.path), purpose="assistants")
            self._file_names.remember(uploaded.id, attachment.name)
            if attachment.image and image_parts:
                images.append({"type": "image_file", "image_file": {"file_id": uploaded.id}})
            if attachment.tools or not (attachment.image and image_parts):
                files.append({"file_id": uploaded.id, "tools": attachment.wire_tools()})
        body: dict[str, Any] = {"role": "user", "content": text}
        if images:
            body["content"] = [{"type": "text", "text": text}, *images]
        if files:
            body["attachments"] = files
        return body

    async def _clear_draft(self, thread_id: str) -> None:
        profile_id = self._session.profile_id
        if profile_id is None:
            return
        if thread_id == self.thread_id:
            self._draft_timer.stop()
            self._draft_text = ""
            self._draft_attachments = []
            self._draft_dirty = False
        await self._session.runner.run_blocking(
            self._session.store.drafts.clear, profile_id, thread_id
        )

    async def _follow(
        self,
        state: RunState,
        thread_id: str,
        assistant_id: str,
        overrides: RunOverrides,
        *,
        after: str | None = None,
    ) -> None:
        driver: RunDriver | None = self._session.driver
        state.status = "queued"
        self._emit_run_state()
        kwargs = overrides.as_kwargs()
        try:
            if driver is None:
                raise ConnectionError("The connection closed before the run could start.")
            run_session = await driver.create_run(thread_id, assistant_id, **kwargs)
            state.session = run_session
            await self._anchor_run(thread_id, run_session.run_id, after)
            if state.cancel_requested:
                state.status = "cancelling"
                self._session.runner.start(None, run_session.cancel(), label="Cancelling the run")
            async for event in run_session.events():
                self._on_event(state, event)
        except BaseException as exc:
            if state.active:
                reason = "stopped" if isinstance(exc, Exception) else "stopped (window closing)"
                self._finish(state, reason)
            raise
        if state.active:
            self._finish(state, state.status)

    async def _anchor_run(self, thread_id: str, run_id: str | None, after: str | None) -> None:
        """Remember (locally) the message the run answers: its outcome line goes there."""
        profile_id = self._session.profile_id
        if not (profile_id and run_id and after):
            return
        try:
            await self._session.runner.run_blocking(
                self._session.store.threads.anchor_run, profile_id, thread_id, run_id, after
            )
        except Exception as exc:  # only the line's place on reload depends on it
            log.info("Could not remember the run's message: %s", type(exc).__name__)

    async def _cancel(self, state: RunState) -> None:
        run_session = state.session
        state.status = "cancelling"
        self._emit_run_state()
        if run_session is None:
            # The server has no run yet (still sending): cancel it the moment it exists.
            state.cancel_requested = True
            return
        await run_session.cancel()

    # -- events ---------------------------------------------------------------------------

    def _on_event(self, state: RunState, event: RunEvent) -> None:
        run = run_of(event)
        if run is not None:
            state.run_id = run.id
            previous, state.status = state.status, str(run.status)
            if state.status == "in_progress" and previous != "in_progress":
                # Entering in_progress (again, after tool outputs): nothing from the model yet.
                state.waiting_for_model = True
        if isinstance(event, StepCreated | StepUpdated | MessageCreated | MessageDelta):
            state.waiting_for_model = False
        if state.status != "in_progress":
            state.waiting_for_model = False
        current = state.thread_id == (self.thread_id or "")
        if current:
            self.run_event.emit(event)
        self._handle_event(state, event, current)
        self._emit_run_state()

    def _handle_event(self, state: RunState, event: RunEvent, current: bool) -> None:
        """What each event does to the chat; a new event kind fails mypy here until handled."""
        match event:
            case RunCreated() | RunStatusChanged() | StepCreated() | StepUpdated():
                pass  # the status strip follows ``state``; the inspector shows steps
            case MessageCreated(message=message) | MessageDelta(message=message):
                if current:
                    self._upsert(item_from_message(message))
            case MessageCompleted(message=message):
                if current:
                    item = item_from_message(message)
                    self._upsert(item)
                    self._resolve_file_names([item])
            case RequiresAction():
                self._on_requires_action(state, event, current)
            case RunCompleted():
                self._finish(state, "completed")
                self._session.set_model_problem("")
            case RunFailed(run=run, reason=reason):
                self._finish(state, "failed")
                problem = model_problem_of(run)
                if problem:
                    self._session.set_model_problem(problem)
                # The same words a reload rebuilds from the run (run_notices).
                text, tone = notice_for_run(run) or (f"The run failed: {reason}", "error")
                self._notice(state, text, tone, current)
            case RunIncomplete(run=run, reason=reason):
                self._finish(state, "incomplete")
                text, tone = notice_for_run(run) or (reason, "error")
                self._notice(state, text, tone, current)
            case RunExpired():
                self._finish(state, "expired")
                self._notice(state, EXPIRED_TEXT, "error", current)
            case RunCancelled():
                self._finish(state, "cancelled")
                self._notice(state, CANCELLED_TEXT, "info", current)
            case _:
                assert_never(event)

    def _on_requires_action(self, state: RunState, event: RequiresAction, current: bool) -> None:
        from playground.ui.viewmodels.tool_prompt import ToolPromptViewModel

        if self.prompt is not None:
            self.prompt.close()  # a new batch replaces an old one (repeated requires_action)
        run_session = state.session
        if run_session is None:
            return  # cannot happen: events come from the session once it exists
        if not event.tool_calls:
            # Foundry's preview tool approvals carry no function calls to answer here.
            self._notice(
                state,
                f"The run asks for “{event.action_type}”, which this playground cannot "
                "answer yet; cancel the run to go on.",
                "error",
                current,
            )
            return
        prompt = ToolPromptViewModel(
            self._session, run_session, event, assistant_id=self._assistant_id, parent=self
        )
        self.prompt = prompt
        prompt.finished.connect(self._on_prompt_finished)
        prompt.outputs_submitted.connect(self._on_prompt_outputs_submitted)
        prompt.ready.connect(self._on_prompt_ready)
        prompt.start()

    def _on_prompt_ready(self) -> None:
        prompt = self.prompt
        if prompt is None or prompt.closed or not prompt.needs_person:
            return
        if prompt.thread_id == self.thread_id:
            self.tool_prompt_requested.emit(prompt)

    def _on_prompt_outputs_submitted(self, pairs: list[tuple[str, str]]) -> None:
        for call_id, source in pairs:
            self.tool_output_supplied.emit(call_id, source)

    def scroll_to_message(self, message_id: str) -> None:
        """Bring a message into view (asked by the inspector's message links)."""
        if any(i.key == message_id for i in self._items):
            self.scroll_requested.emit(message_id)

    def _on_prompt_finished(self) -> None:
        sender = self.sender()
        if sender is None or sender is self.prompt:
            self.prompt = None

    # -- cited file names -----------------------------------------------------------------

    def _resolve_file_names(self, items: list[ChatItem]) -> None:
        """Ask the server for the names of cited files we have not asked about yet."""
        client: AssistantsClient | None = self._session.client
        if client is None:
            return
        wanted = self._file_names.to_ask(items)
        if not wanted:
            return
        self._session.runner.start(
            "chat.file_names",
            self._fetch_file_names(client, wanted),
            replace=False,
            label="Looking up cited files",
        )

    async def _fetch_file_names(self, client: AssistantsClient, file_ids: list[str]) -> None:
        found = await fetch_file_names(client, file_ids)
        if client is not self._session.client:
            return  # another connection now: these names belong to the old one
        if found:
            self._file_names.update(found)
            for item in self._items:
                self._file_names.named(item)
            self.messages_changed.emit()
            self.file_names_changed.emit()

    # -- helpers --------------------------------------------------------------------------

    def _upsert(self, item: ChatItem) -> None:
        item = self._file_names.named(item)
        for index, existing in enumerate(self._items):
            if existing.key == item.key:
                self._items[index] = item
                self.item_updated.emit(index)
                return
        self._items.append(item)
        self.items_inserted.emit(len(self._items) - 1, 1)
        self.messages_changed.emit()

    def _notice(self, state: RunState, text: str, tone: str, current: bool) -> None:
        from playground.ui.viewmodels.run_notices import notice_key

        if not current or any(i.key == notice_key(state.run_id) for i in self._items):
            return
        self._items.append(
            ChatItem(
                key=notice_key(state.run_id),
                role="notice",
                text=text,
                run_id=state.run_id,
                tone=tone,
            )
        )
        self.items_inserted.emit(len(self._items) - 1, 1)
        self.messages_changed.emit()

    def _finish(self, state: RunState, status: str) -> None:
        if state.finished is None:
            state.finished = time.monotonic()
        if status:
            state.status = status
        if self.prompt is not None and status in _TERMINAL | {"not sent", "stopped"}:
            self.prompt.close()
            self.prompt = None
        self._emit_run_state()

    def _emit_run_state(self) -> None:
        self.run_state_changed.emit()
        self.locked_changed.emit(self.locked)

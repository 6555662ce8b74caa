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
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from PySide6.QtCore import QObject, QTimer, Signal

from playground.protocol.limits import TERMINAL_RUN_STATUSES
from playground.ui.markdown import escape_markdown
from playground.ui.viewmodels.assistant_names import assistant_names
from playground.ui.viewmodels.attachments import Attachment, AttachmentsViewModel
from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.ui.viewmodels.threads import ThreadsViewModel
    from playground.ui.viewmodels.tool_prompt import ToolPromptViewModel

log = logging.getLogger(__name__)

DRAFT_SAVE_DELAY_MS = 400
#: Messages per history page (the API's largest ``limit``).
HISTORY_LIMIT = 100
#: Cited files looked up per batch (a long thread's citations should not flood the server).
MAX_NAME_LOOKUPS = 20
_TERMINAL = TERMINAL_RUN_STATUSES


@dataclass
class Footnote:
    """One annotation shown under a message: ``[n] kind: file / quote / url``."""

    number: int
    kind: str
    target: str
    quote: str = ""
    #: A file's name as the message gives it (``sandbox:/mnt/data/<name>``), for file links.
    name: str = ""


@dataclass
class ChatItem:
    """One bubble: a message, or a line about a run's outcome (``role="notice"``)."""

    key: str
    role: str
    text: str
    footnotes: list[Footnote] = field(default_factory=list)
    status: str = ""
    run_id: str | None = None
    images: list[str] = field(default_factory=list)
    #: Attached files as the chat shows them: names once known, ids until then.
    attachments: list[str] = field(default_factory=list)
    #: The attached files' ids, in the same order as ``attachments``.
    attachment_ids: list[str] = field(default_factory=list)
    #: Notices: "error" (failed/expired/incomplete) or "info" (cancelled).
    tone: str = ""


@dataclass
class RunOverrides:
    """Optional per-run settings; ``None`` fields are not sent."""

    instructions: str | None = None
    additional_instructions: str | None = None
    model: str | None = None
    tool_choice: str | None = None
    max_completion_tokens: int | None = None
    temperature: float | None = None

    def as_kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in (
            "instructions",
            "additional_instructions",
            "model",
            "max_completion_tokens",
            "temperature",
        ):
            value = getattr(self, name)
            if value is not None and value != "":
                out[name] = value
        if self.tool_choice:
            choice = self.tool_choice.strip()
            if choice in ("auto", "none", "required"):
                out["tool_choice"] = choice
            else:  # a function name forces that function
                out["tool_choice"] = {"type": "function", "function": {"name": choice}}
        return out


@dataclass
class RunState:
    """What the status strip shows."""

    thread_id: str
    run_id: str | None = None
    status: str = "sending"
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    session: Any = None
    #: Cancel was pressed before the server had the run: cancel it as soon as it does.
    cancel_requested: bool = False
    #: In progress, but the model has produced nothing yet (a local model still loading,
    #: a slow endpoint): the status strip says so instead of a bare "Running".
    waiting_for_model: bool = False

    @property
    def active(self) -> bool:
        return self.finished is None

    def elapsed(self, now: float | None = None) -> float:
        end = self.finished if self.finished is not None else (now or time.monotonic())
        return max(0.0, end - self.started)


_CITATION_TEXT = re.compile(r"\s+$")


def item_from_message(message: Any) -> ChatItem:
    """A protocol ``Message`` as a bubble: text parts joined, annotations → footnote links."""
    parts: list[str] = []
    footnotes: list[Footnote] = []
    images: list[str] = []
    for part in message.content or []:
        kind = getattr(part, "type", None)
        if kind == "text":
            value, notes = _annotate(part.text.value, part.text.annotations, len(footnotes))
            parts.append(value)
            footnotes.extend(notes)
        elif kind == "image_file":
            # Shown as a thumbnail under the text (the view renders ``images``).
            images.append(part.image_file.file_id)
        elif kind == "image_url":
            # The address is server text: escaped, so it can never become a link or markup.
            parts.append(f"*\\[image at {escape_markdown(str(part.image_url.url))}, not loaded\\]*")
        elif kind == "refusal":
            parts.append(f"*The model refused:* {part.refusal}")
        else:
            parts.append(f"*\\[{escape_markdown(str(kind or 'unknown'))} content not shown\\]*")
    attachments = [a.file_id for a in (message.attachments or [])]
    return ChatItem(
        key=message.id,
        role=str(message.role),
        text="\n\n".join(parts),
        footnotes=footnotes,
        status=str(message.status or ""),
        run_id=message.run_id,
        images=images,
        attachments=list(attachments),
        attachment_ids=attachments,
    )


def model_problem_of(run: Any) -> str:
    """The runtime's "model endpoint unreachable" message from a failed run, or ""."""
    from playground.protocol.runtime_errors import MODEL_UNREACHABLE_PREFIX

    error = getattr(run, "last_error", None)
    message = str(getattr(error, "message", "") or "")
    return message if message.startswith(MODEL_UNREACHABLE_PREFIX) else ""


#: In-app link targets the message view handles (``playground:file/<id>`` and friends).
FILE_LINK = "playground:file/"
IMAGE_LINK = "playground:image/"
FOLDER_LINK = "playground:folder/"


def sandbox_file_name(text: str, fallback: str) -> str:
    """``sandbox:/mnt/data/report.csv`` → ``report.csv``; the file id when there is no name."""
    name = text.rsplit("/", 1)[-1].strip().rstrip(")") if text else ""
    return name or fallback


def _annotate(text: str, annotations: list[Any], offset: int) -> tuple[str, list[Footnote]]:
    """Replace each annotated span by a footnote marker ``[n]`` (a link to ``#fn-n``).

    A ``file_path`` span (``sandbox:/mnt/data/x.csv``) becomes a link the chat handles
    (download, then Save As): inside a Markdown link only the target is swapped, so the
    model's link text stays; a bare path becomes a link named after the file.
    """
    notes: list[Footnote] = []
    spans: list[tuple[int, int, int, str]] = []  # start, end, number, file id for file_path
    for ann in annotations or []:
        kind = getattr(ann, "type", None) or "annotation"
        number = offset + len(notes) + 1
        span_text = getattr(ann, "text", "") or ""
        file_id = ""
        if kind == "file_citation":
            notes.append(
                Footnote(
                    number,
                    "file citation",
                    ann.file_citation.file_id,
                    ann.file_citation.quote or "",
                )
            )
        elif kind == "file_path":
            file_id = ann.file_path.file_id
            name = sandbox_file_name(span_text, file_id)
            notes.append(Footnote(number, "file", file_id, name=name))
        elif kind == "url_citation":
            notes.append(
                Footnote(number, "link", ann.url_citation.url, ann.url_citation.title or "")
            )
        else:
            notes.append(Footnote(number, str(kind), ""))
        start, end = getattr(ann, "start_index", None), getattr(ann, "end_index", None)
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text):
            spans.append((start, end, number, file_id))
        elif span_text and span_text in text:
            at = text.index(span_text)
            spans.append((at, at + len(span_text), number, file_id))
        else:
            spans.append((len(text), len(text), number, ""))
    by_number = {note.number: note for note in notes}
    # Replace from the end so earlier indices stay valid.
    for start, end, number, file_id in sorted(spans, reverse=True):
        marker = f" [[{number}]](#fn-{number})"
        if not file_id:
            text = f"{text[:start]}{marker}{text[end:]}"
            continue
        target = FILE_LINK + quote(file_id, safe="")
        if text[max(0, start - 2) : start] == "](" and text[end : end + 1] == ")":
            text = f"{text[:start]}{target}){marker}{text[end + 1 :]}"
        else:
            label = _escape_link_text(by_number[number].name)
            text = f"{text[:start]}[{label}]({target}){marker}{text[end:]}"
    return text, notes


def _escape_link_text(name: str) -> str:
    """A file name as Markdown link text (brackets and emphasis characters escaped)."""
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", name)


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
        self._thread_id: str | None = None
        self._assistant_id: str | None = None
        self._items: list[ChatItem] = []
        #: The server has messages older than the first one loaded; a page is on its way.
        self._has_older = False
        self._loading_older = False
        self._runs: dict[str, RunState] = {}  # thread id ("" = new thread) -> run
        self._draft_text = ""
        self._draft_attachments: list[str] = []
        self._draft_dirty = False
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_DELAY_MS)
        self._draft_timer.timeout.connect(self.on_draft_timer_timeout)
        self.overrides = RunOverrides()
        self.prompt: ToolPromptViewModel | None = None
        #: file id -> name, for citation footnotes; filled in the background, per connection.
        self._file_names: dict[str, str] = {}
        self._names_asked: set[str] = set()
        #: The composer's files and the tools each goes to (follows the chosen assistant).
        self.attachments = AttachmentsViewModel(session, parent=self)
        self.assistant_changed.connect(self.attachments.follow_assistant)
        #: Names for the composer line, from whichever part of the window read them first.
        self.assistant_names = assistant_names(session)
        threads.current_changed.connect(self.on_threads_current_changed)
        session.client_changed.connect(self.on_session_client_changed)
        from playground.ui.viewmodels.last_place import PlaceKeeper

        #: Reopens the last thread and assistant after (re)connecting.
        self.place = PlaceKeeper(session, threads, self, parent=self)

    # -- state ----------------------------------------------------------------------------

    @property
    def thread_id(self) -> str | None:
        return self._thread_id

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
        return self._runs.get(self._thread_id or "")

    @property
    def locked(self) -> bool:
        run = self.run
        return run is not None and run.active

    @property
    def draft_text(self) -> str:
        return self._draft_text

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
        key = self._thread_id or ""
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
            self._thread_id,
            self._draft_text,
            self._draft_attachments,
        )

    def reload(self) -> None:
        self._start_load(self._thread_id)

    def load_older(self) -> None:
        """Fetch the page of messages before the oldest one loaded (no-op when none)."""
        thread_id = self._thread_id
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
        new = thread_id if isinstance(thread_id, str) else None
        if new == self._thread_id:
            return
        self._switch(new)

    def on_session_client_changed(self) -> None:
        self._runs.clear()
        self._file_names.clear()
        self._names_asked.clear()
        self._set_items([], has_older=False)
        self._emit_run_state()
        self._start_load(self._thread_id)

    def on_draft_timer_timeout(self) -> None:
        self._session.runner.start("chat.draft", self.flush_draft(), label="Saving the draft")

    # -- loading --------------------------------------------------------------------------

    def _switch(self, thread_id: str | None) -> None:
        previous = self._thread_id
        if self._draft_dirty:
            # Save the old thread's draft under the OLD id before we forget it.
            self._draft_timer.stop()
            self._draft_dirty = False
            profile_id = self._session.profile_id
            if profile_id is not None:
                self._session.runner.start(
                    None,
                    self._session.runner.run_blocking(
                        self._session.store.drafts.save,
                        profile_id,
                        previous,
                        self._draft_text,
                        self._draft_attachments,
                    ),
                    label="Saving the draft",
                )
        self._thread_id = thread_id
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
        if thread_id != self._thread_id:
            return
        self._draft_text = draft.text if draft else ""
        self._draft_attachments = list(draft.attachments) if draft else []
        self._draft_dirty = False
        self.attachments.set_paths(self._draft_attachments)
        self.draft_loaded.emit(self._draft_text)
        if thread_id is None or session.client is None:
            return
        messages = await session.client.messages.list(
            thread_id, limit=HISTORY_LIMIT, order="desc"
        ).page()
        if thread_id != self._thread_id:
            return  # the person switched away while this was loading
        loaded = [self._named(item_from_message(m)) for m in reversed(messages.data)]
        created = [int(m.created_at or 0) for m in reversed(messages.data)]
        loaded = await self._with_run_notices(thread_id, loaded, created)
        if thread_id != self._thread_id:
            return
        # Keep what arrived while loading (a just-posted message, a run notice).
        known = {i.key for i in loaded}
        extra = [i for i in self._items if i.key not in known]
        self._set_items(loaded + extra, has_older=bool(messages.has_more and messages.data))
        self._resolve_file_names(self._items)

    async def _load_older(self, thread_id: str) -> None:
        try:
            oldest = next((i.key for i in self._items if not i.key.startswith("notice:")), None)
            client = self._session.client
            if oldest is None or client is None:
                return
            page = await client.messages.list(
                thread_id, limit=HISTORY_LIMIT, order="desc", after=oldest
            ).page()
            if thread_id != self._thread_id:
                return
            known = {i.key for i in self._items}
            older = [
                self._named(item_from_message(m)) for m in reversed(page.data) if m.id not in known
            ]
            # No new message on a "has more" page would page forever: stop there.
            self._has_older = bool(page.has_more and older)
            if older:
                self._items[0:0] = older
                self.items_inserted.emit(0, len(older))
                self.messages_changed.emit()
                self._resolve_file_names(older)
        finally:
            if thread_id == self._thread_id:
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
        """Put each failed/cancelled/expired run's line after that run's last message, or
        (a run that wrote nothing) after the last message older than the run."""
        from playground.ui.viewmodels.run_notices import (
            AFTER_MESSAGE_KEY,
            notice_for_run,
            notice_key,
        )

        try:
            runs = await self._session.client.runs.list(
                thread_id, limit=HISTORY_LIMIT, order="asc"
            ).page()
        except Exception as exc:  # the lines are a help; the messages still show
            log.info("Could not list the thread's runs: %s", type(exc).__name__)
            return items
        anchors = await self._run_anchors(thread_id)
        out = list(items)
        times: list[int | None] = list(created)
        for run in runs.data:
            found = notice_for_run(run)
            if found is None:
                continue
            text, tone = found
            notice = ChatItem(
                key=notice_key(run.id), role="notice", text=text, run_id=run.id, tone=tone
            )
            at = max((i for i, item in enumerate(out) if item.run_id == run.id), default=None)
            # Runs from older versions kept the message in their metadata.
            after = anchors.get(run.id) or str((run.metadata or {}).get(AFTER_MESSAGE_KEY, ""))
            if at is None and after:
                at = next((i for i, item in enumerate(out) if item.key == after), None)
            if at is None:
                started = int(run.created_at or 0)
                at = max(
                    (i for i, t in enumerate(times) if t is not None and t <= started),
                    default=len(out) - 1,
                )
            out.insert(at + 1, notice)
            times.insert(at + 1, None)
        return out

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
        client = session.client
        assistant_id = self._assistant_id
        origin = state.thread_id  # "" when the thread does not exist yet
        try:
            thread_id = origin
            if not thread_id:
                thread = await client.threads.create()
                thread_id = thread.id
                title = text.splitlines()[0][:60] if text else "New thread"
                self._runs.pop("", None)
                state.thread_id = thread_id
                self._runs[thread_id] = state
                profile_id = session.profile_id
                if profile_id is not None:
                    await session.runner.run_blocking(
                        session.store.drafts.move, profile_id, None, thread_id
                    )
                if self._thread_id is None:
                    # Ours before the list says so, so its current_changed is not a switch.
                    self._thread_id = thread_id
                    await self._threads.adopt(thread_id, title, assistant_id)
                    self.thread_changed.emit(thread_id)
                else:  # the person moved on meanwhile: remember it, do not jump to it
                    await self._threads.adopt(thread_id, title, assistant_id, make_current=False)
            body = await self._message_body(text, attachments)
            message = await client.messages.create(thread_id, body)
            if thread_id == self._thread_id:
                # Upsert: the thread's first load may already have brought this message.
                self._upsert(item_from_message(message))
            await self._clear_draft(thread_id)
            if thread_id == self._thread_id:
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

    def _default_tools(self, path: str) -> frozenset[Any]:
        from playground.ui.viewmodels.attachments import default_tools

        return default_tools(path, self.attachments.available)

    async def _message_body(self, text: str, attachments: list[Attachment]) -> dict[str, Any]:
        """The CreateMessage body: each file routed to its tools, images also as content."""
        text = text or "(see the attached files)"
        files: list[dict[str, Any]] = []
        images: list[dict[str, Any]] = []
        # v1 has no image_file content in created messages: images go as files there.
        image_parts = self._session.api_family != "v1"
        for attachment in attachments:
            uploaded = await self._session.client.files.upload(
                Path(attachment.path), purpose="assistants"
            )
            self._file_names[uploaded.id] = attachment.name
            self._names_asked.add(uploaded.id)
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
        if thread_id == self._thread_id:
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
        driver = self._session.driver
        state.status = "queued"
        self._emit_run_state()
        kwargs = overrides.as_kwargs()
        try:
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

    def _on_event(self, state: RunState, event: Any) -> None:
        name = type(event).__name__
        run = getattr(event, "run", None)
        if run is not None:
            state.run_id = run.id
            previous, state.status = state.status, str(run.status)
            if state.status == "in_progress" and previous != "in_progress":
                # Entering in_progress (again, after tool outputs): nothing from the model yet.
                state.waiting_for_model = True
        if name in ("StepCreated", "StepUpdated", "MessageCreated", "MessageDelta"):
            state.waiting_for_model = False
        if state.status != "in_progress":
            state.waiting_for_model = False
        current = state.thread_id == (self._thread_id or "")
        if current:
            self.run_event.emit(event)
        handler = getattr(self, f"_ev_{name}", None)
        if handler is not None:
            handler(state, event, current)
        self._emit_run_state()

    def _ev_MessageCreated(self, state: RunState, event: Any, current: bool) -> None:
        if current:
            self._upsert(item_from_message(event.message))

    def _ev_MessageDelta(self, state: RunState, event: Any, current: bool) -> None:
        if current and event.message is not None:
            self._upsert(item_from_message(event.message))

    def _ev_MessageCompleted(self, state: RunState, event: Any, current: bool) -> None:
        if current:
            item = item_from_message(event.message)
            self._upsert(item)
            self._resolve_file_names([item])

    def _ev_RequiresAction(self, state: RunState, event: Any, current: bool) -> None:
        from playground.ui.viewmodels.tool_prompt import ToolPromptViewModel

        if self.prompt is not None:
            self.prompt.close()  # a new batch replaces an old one (repeated requires_action)
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
            self._session, state.session, event, assistant_id=self._assistant_id, parent=self
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
        if prompt.thread_id == self._thread_id:
            self.tool_prompt_requested.emit(prompt)

    def _ev_RunCompleted(self, state: RunState, event: Any, current: bool) -> None:
        self._finish(state, "completed")
        self._session.set_model_problem("")

    def _ev_RunFailed(self, state: RunState, event: Any, current: bool) -> None:
        self._finish(state, "failed")
        problem = model_problem_of(event.run)
        if problem:
            self._session.set_model_problem(problem)
        self._notice(state, f"The run failed: {event.reason}", "error", current)

    def _ev_RunIncomplete(self, state: RunState, event: Any, current: bool) -> None:
        self._finish(state, "incomplete")
        self._notice(state, str(event.reason), "error", current)

    def _ev_RunExpired(self, state: RunState, event: Any, current: bool) -> None:
        self._finish(state, "expired")
        self._notice(
            state,
            "The run expired: the tool outputs were not submitted before its deadline.",
            "error",
            current,
        )

    def _ev_RunCancelled(self, state: RunState, event: Any, current: bool) -> None:
        self._finish(state, "cancelled")
        self._notice(state, "The run was cancelled.", "info", current)

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
        wanted = [
            note.target
            for item in items
            for note in item.footnotes
            if note.kind == "file citation" and note.target and note.target not in self._names_asked
        ] + [i for item in items for i in item.attachment_ids if i not in self._names_asked]
        wanted = list(dict.fromkeys(wanted))[:MAX_NAME_LOOKUPS]
        if not wanted or self._session.client is None:
            return
        self._names_asked.update(wanted)
        self._session.runner.start(
            "chat.file_names",
            self._fetch_file_names(self._session.client, wanted),
            replace=False,
            label="Looking up cited files",
        )

    async def _fetch_file_names(self, client: Any, file_ids: list[str]) -> None:
        found: dict[str, str] = {}
        for file_id in file_ids:
            try:
                meta = await client.files.retrieve(file_id)
            except Exception as exc:  # a deleted file or an odd server: the id will do
                if type(exc).__name__ == "NotFoundError":
                    found[file_id] = f"{file_id} (no longer on the server)"
                continue
            name = str(getattr(meta, "filename", "") or "")
            if name:
                found[file_id] = name
        if client is not self._session.client:
            return  # another connection now: these names belong to the old one
        if found:
            self._file_names.update(found)
            for item in self._items:
                self._named(item)
            self.messages_changed.emit()
            self.file_names_changed.emit()

    # -- helpers --------------------------------------------------------------------------

    def _named(self, item: ChatItem) -> ChatItem:
        """Attached files by name where the name is known (the ids stay in attachment_ids)."""
        item.attachments = [self._file_names.get(i, i) for i in item.attachment_ids]
        return item

    def _upsert(self, item: ChatItem) -> None:
        item = self._named(item)
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

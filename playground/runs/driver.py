"""The run driver: follow one run by streaming or polling, and steer it.

::

    session = await driver.create_run(thread_id, assistant_id, temperature=0.2)
    async for event in session.events():          # continues across requires_action
        if isinstance(event, RequiresAction):
            await session.submit_tool_outputs([ToolOutput(tool_call_id=..., output=...)])
    await session.cancel()                        # from anywhere, at any time

The session streams when the dialect can (v2) and polls otherwise. A stream that breaks
(dropped, malformed, no ``done``) is not an error for the consumer: the session polls the
same run id and the :class:`~.tracker.RunTracker` makes sure nothing is reported twice or
lost. After yielding ``RequiresAction`` the generator waits for ``submit_tool_outputs`` or
``cancel``; if neither comes before ``expires_at`` it reads the run again and reports what
the server decided (``RunExpired``).

``sleep``, ``clock`` and ``wall_clock`` are injectable so tests run in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from playground.api import (
    APIConnectionError,
    AssistantsClient,
    AssistantsError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    MalformedResponseError,
    RateLimitError,
    RunStream,
    StreamError,
    UnsupportedFeatureError,
)
from playground.protocol import (
    Message,
    MessageDeltaEvent,
    MessageEvent,
    Run,
    RunStep,
    RunStepDeltaEvent,
    RunStepEvent,
    StreamEvent,
    SubmitToolOutputs,
    ThreadEvent,
    ToolOutput,
    is_terminal_run_status,
)
from playground.protocol import (
    RunEvent as WireRunEvent,
)

from .constants import (
    ACTION_RECHECK_S,
    CANCEL_DEADLINE_S,
    DETAIL_MAX_PAGES,
    EXPIRY_GRACE_S,
    POLL_ERROR_BACKOFF_S,
    POLL_MAX_CONSECUTIVE_ERRORS,
    POLL_MAX_S,
    RECOVERY_LIST_LIMIT,
    RECOVERY_WINDOW_S,
)
from .errors import CancelNotConfirmed, RunDriverError, ToolOutputsError
from .events import RunEvent
from .polling import PollInterval
from .refresh import DetailRead, DetailSchedule, messages_may_have_changed
from .tracker import RunTracker, batch_key

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

#: Errors worth polling again for: the server or the network had a bad moment.
_TRANSIENT = (APIConnectionError, InternalServerError, RateLimitError)


class _StreamFeed:
    """One open run stream plus events already read from it (read ahead to see the run id
    or to learn that the server accepted a request)."""

    def __init__(self, stream: RunStream) -> None:
        self.stream = stream
        self.buffer: list[StreamEvent] = []
        self.ended = False

    async def read(self) -> StreamEvent | None:
        """The next event, or ``None`` at ``done``; stream errors propagate."""
        if self.buffer:
            return self.buffer.pop(0)
        if self.ended:
            return None
        try:
            return await self.stream.__anext__()
        except StopAsyncIteration:
            self.ended = True
            return None

    async def read_until_run(self) -> Run | None:
        """Read ahead until the first run event (kept in the buffer); None if none came."""
        while True:
            try:
                event = await self.stream.__anext__()
            except StopAsyncIteration:
                self.ended = True
                return None
            self.buffer.append(event)
            if isinstance(event, WireRunEvent):
                return event.data

    async def prime(self) -> None:
        """Read one event so the request is known to be accepted (errors surface now)."""
        try:
            self.buffer.append(await self.stream.__anext__())
        except StopAsyncIteration:
            self.ended = True

    async def aclose(self) -> None:
        await self.stream.aclose()


class RunDriver:
    """Starts or attaches to runs and hands back a :class:`RunSession` to follow each."""

    def __init__(
        self,
        client: AssistantsClient,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        prefer_stream: bool = True,
        cancel_deadline_s: float = CANCEL_DEADLINE_S,
    ) -> None:
        self.client = client
        #: Seconds after Cancel before a run the server keeps going is let go.
        self.cancel_deadline_s = cancel_deadline_s
        self.sleep = sleep
        self.clock = clock
        self.wall_clock = wall_clock
        self.prefer_stream = prefer_stream
        #: Set when the server answered a stream request with something else; later runs poll.
        self.stream_unavailable = False

    @property
    def can_stream(self) -> bool:
        return (
            self.prefer_stream
            and not self.stream_unavailable
            and bool(self.client.dialect.supports_streaming)
        )

    # -- starting -------------------------------------------------------------------------

    async def create_run(
        self,
        thread_id: str,
        assistant_id: str,
        *,
        include: Sequence[str] | None = None,
        **overrides: Any,
    ) -> RunSession:
        """Start a run on a thread; ``overrides`` are CreateRun fields (model, temperature...).

        Returns once the server has accepted the run, so a rejected request (bad
        assistant id, thread busy) raises here rather than inside ``events()``.
        """
        body: dict[str, Any] = {"assistant_id": assistant_id, **overrides}
        started = self.wall_clock()
        if self.can_stream:
            try:
                stream = self.client.runs.stream(thread_id, body, include=include)
            except UnsupportedFeatureError:
                stream = None
            if stream is not None:
                return await self._start_streamed(thread_id, assistant_id, stream, started)
        try:
            run = await self.client.runs.create(thread_id, body, include=include)
        except APIConnectionError as exc:
            if not exc.request_may_have_succeeded:
                raise
            return await self._recovered(thread_id, assistant_id, started, exc)
        except InternalServerError as exc:
            return await self._recovered(thread_id, assistant_id, started, exc)
        # Just created: it has no steps or messages yet, so nothing needs catching up on.
        return RunSession(self, thread_id, run, fresh=True)

    async def create_thread_and_run(
        self, assistant_id: str, *, thread: Mapping[str, Any] | None = None, **overrides: Any
    ) -> RunSession:
        """Create a thread (with ``thread`` = CreateThread fields) and run it at once."""
        body: dict[str, Any] = {"assistant_id": assistant_id, **overrides}
        if thread is not None:
            body["thread"] = dict(thread)
        if self.can_stream:
            try:
                stream = self.client.runs.create_thread_and_run_stream(body)
            except UnsupportedFeatureError:
                stream = None
            if stream is not None:
                feed = _StreamFeed(stream)
                try:
                    run = await feed.read_until_run()
                except (StreamError, MalformedResponseError) as exc:
                    await feed.aclose()
                    # Without a thread id there is nothing to search; say so plainly.
                    raise RunDriverError(
                        "The new thread's run may have started, but the server's answer "
                        f"could not be read: {exc.message}"
                    ) from exc
                if run is None:
                    raise RunDriverError("The server ended the stream before starting the run.")
                return RunSession(self, run.thread_id, None, feed=feed, run_id=run.id)
        run = await self.client.runs.create_thread_and_run(body)
        return RunSession(self, run.thread_id, run, fresh=True)

    async def attach(self, thread_id: str, run_id: str) -> RunSession:
        """Follow a run that already exists (started elsewhere, or before a restart)."""
        run = await self.client.runs.retrieve(thread_id, run_id)
        return RunSession(self, thread_id, run)

    def follow(self, run: Run) -> RunSession:
        """Follow a run object you already hold (polling from its current state)."""
        return RunSession(self, run.thread_id, run)

    # -- helpers --------------------------------------------------------------------------

    async def _start_streamed(
        self, thread_id: str, assistant_id: str, stream: RunStream, started: float
    ) -> RunSession:
        feed = _StreamFeed(stream)
        try:
            run = await feed.read_until_run()
        except (StreamError, MalformedResponseError) as exc:
            await feed.aclose()
            if isinstance(exc, MalformedResponseError):
                self.stream_unavailable = True
            log.warning("Run stream failed before the run was named: %s", exc.message)
            return await self._recovered(thread_id, assistant_id, started, exc)
        if run is None:
            return await self._recovered(
                thread_id,
                assistant_id,
                started,
                RunDriverError("The server ended the stream before starting the run."),
            )
        return RunSession(self, thread_id, None, feed=feed, run_id=run.id)

    async def _recovered(
        self, thread_id: str, assistant_id: str, started: float, cause: Exception
    ) -> RunSession:
        """After an ambiguous create, find the run the server may have made, or re-raise."""
        try:
            page = await self.client.runs.list(
                thread_id, limit=RECOVERY_LIST_LIMIT, order="desc"
            ).page()
        except AssistantsError:
            raise cause from None
        for run in page.data:
            if run.assistant_id == assistant_id and run.created_at >= started - RECOVERY_WINDOW_S:
                log.info("Found run %s after an unclear answer to creating it", run.id)
                return RunSession(self, thread_id, run)
        raise cause


class RunSession:
    """One followed run. Iterate :meth:`events` once; steer with the other methods.

    ``fresh`` says the run was created just now (by this driver, without a stream), so the
    first poll need not read its steps and messages to catch up on what happened before.
    """

    def __init__(
        self,
        driver: RunDriver,
        thread_id: str,
        run: Run | None,
        *,
        feed: _StreamFeed | None = None,
        run_id: str | None = None,
        fresh: bool = False,
    ) -> None:
        self._driver = driver
        self._client = driver.client
        self.thread_id = thread_id
        self.tracker = RunTracker()
        self._run_id = run.id if run is not None else run_id
        self._stashed: list[Run] = [run] if run is not None else []
        self._feed = feed
        self._interval = PollInterval()
        self._details = DetailSchedule(driver.clock(), stale=not fresh)
        self._hint_ms: int | None = None
        self._wake = asyncio.Event()
        self._answered: set[tuple[str, ...]] = set()
        self._cancel_requested = False
        #: When a cancel stops being waited for (driver clock); None until Cancel.
        self._cancel_deadline: float | None = None
        #: Set by Cancel: the open stream is closed at once, even mid-way through endless
        #: deltas, and the run is polled until it ends or the deadline passes.
        self._stop_stream = asyncio.Event()
        self._iterating = False
        #: The stream error that made this session switch to polling (for diagnostics).
        self.stream_error: Exception | None = None
        self.started_at = driver.clock()

    # -- state ----------------------------------------------------------------------------

    @property
    def run(self) -> Run | None:
        """The latest run snapshot reported."""
        return self.tracker.run

    @property
    def run_id(self) -> str | None:
        return self._run_id

    @property
    def finished(self) -> bool:
        return self.tracker.finished

    @property
    def streaming(self) -> bool:
        return self._feed is not None

    # -- following ------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[RunEvent]:
        """Every event of the run until its terminal event (see :mod:`.events`)."""
        if self._iterating:
            raise RunDriverError("This run is already being followed.")
        self._iterating = True
        try:
            while not self.tracker.finished:
                for event in self._drain_stash():
                    yield event
                if self.tracker.finished:
                    break
                if self._feed is not None:
                    async for event in self._read_stream(self._feed):
                        yield event
                    continue
                if self._awaiting_action():
                    await self._wait_for_action()
                    if self._feed is not None or self._stashed:
                        continue
                for event in await self._poll_once():
                    yield event
                self._check_cancel_deadline()
                if self.tracker.finished or self._awaiting_action() or self._stashed:
                    continue
                if self._feed is None:
                    await self._driver.sleep(self._interval.next(self._hint_ms))
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Release an open stream (the run itself goes on; use :meth:`cancel` to stop it)."""
        feed, self._feed = self._feed, None
        if feed is not None:
            await feed.aclose()

    def _check_cancel_deadline(self) -> None:
        deadline = self._cancel_deadline
        if deadline is None or self.tracker.finished or self._driver.clock() < deadline:
            return
        status = (self.tracker.status or "unknown").replace("_", " ")
        raise CancelNotConfirmed(
            f"The run was asked to stop, but after {self._driver.cancel_deadline_s:.0f} s the "
            f"server still says it is {status}. The window stopped following it, so you can "
            "go on; it may still be running on the server."
        )

    async def _read_unless_stopped(self, feed: _StreamFeed) -> StreamEvent | None:
        """The next stream event, or None when the stream ended or Cancel stopped it."""
        if self._stop_stream.is_set():
            return None
        read = asyncio.ensure_future(feed.read())
        stop = asyncio.ensure_future(self._stop_stream.wait())
        try:
            await asyncio.wait({read, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (read, stop):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        if read.done() and not read.cancelled():
            return read.result()
        return None

    def _drain_stash(self) -> list[RunEvent]:
        events: list[RunEvent] = []
        while self._stashed:
            run = self._stashed.pop(0)
            self._run_id = run.id
            events += self.tracker.on_run(run)
        return events

    async def _read_stream(self, feed: _StreamFeed) -> AsyncIterator[RunEvent]:
        try:
            while True:
                raw = await self._read_unless_stopped(feed)
                if raw is None:
                    break
                events = self._on_stream_event(raw)
                for event in events:
                    yield event
                if self.tracker.finished:
                    break
        except (StreamError, MalformedResponseError) as exc:
            # The run goes on without us watching live: poll the same run id instead.
            log.warning("Run stream broke, polling instead: %s", exc.message)
            self.stream_error = exc
            if isinstance(exc, StreamError) and exc.run_id and self._run_id is None:
                self._run_id = exc.run_id
        finally:
            if self._feed is feed:
                self._feed = None
                self._interval.reset()
                # Whatever the stream did not deliver is read in full by the next poll.
                self._details.mark_stale()
            await feed.aclose()

    def _on_stream_event(self, raw: StreamEvent) -> list[RunEvent]:
        if isinstance(raw, WireRunEvent):
            self._run_id = raw.data.id
            self.thread_id = raw.data.thread_id or self.thread_id
            return self.tracker.on_run(raw.data)
        if isinstance(raw, RunStepEvent):
            return self.tracker.on_step(raw.data)
        if isinstance(raw, RunStepDeltaEvent):
            return self.tracker.on_step_delta(raw.data)
        if isinstance(raw, MessageEvent):
            return self.tracker.on_message(raw.data)
        if isinstance(raw, MessageDeltaEvent):
            return self.tracker.on_message_delta(raw.data)
        if isinstance(raw, ThreadEvent):
            self.thread_id = raw.data.id
        return []

    async def _poll_once(self) -> list[RunEvent]:
        """Read the run (one request) and, when the :class:`DetailSchedule` says something
        else can have changed, its steps and messages too."""
        run_id = self._require_run_id()
        failures = 0
        while True:
            try:
                fetched = await self._client.runs.retrieve_with_meta(self.thread_id, run_id)
                run = fetched.value
                self._hint_ms = fetched.poll_after_ms
                status = str(run.status)
                changed = status != self.tracker.status
                read = self._details.plan(status, changed, self._driver.clock())
                events: list[RunEvent] = []
                terminal = is_terminal_run_status(status)
                if not terminal:
                    events += self.tracker.on_run(run)
                details = await self._read_details(run_id, read)
                self._details.read_done(read, self._driver.clock(), found=bool(details))
                events += details
                if terminal:
                    # After the details: the final text comes before the terminal event.
                    events += self.tracker.on_run(run)
                break
            except _TRANSIENT as exc:
                failures += 1
                if failures >= POLL_MAX_CONSECUTIVE_ERRORS:
                    raise
                log.warning("Reading the run failed (%s); trying again", exc.message)
                await self._driver.sleep(POLL_ERROR_BACKOFF_S * 2 ** (failures - 1))
        if changed or events:
            self._interval.reset()
        return events

    async def _read_details(self, run_id: str, read: DetailRead) -> list[RunEvent]:
        if read is DetailRead.NONE:
            return []
        if read is DetailRead.FULL:
            # Both at once: at the end of a run this is on the path to the terminal event.
            steps, messages = await _together(self._list_steps(run_id), self._list_messages(run_id))
            return self._on_steps(steps)[0] + self._on_messages(run_id, messages)
        steps = await self._list_steps(run_id)
        events, changed_ids = self._on_steps(steps)
        if messages_may_have_changed(steps, changed_ids):
            events += self._on_messages(run_id, await self._list_messages(run_id))
        return events

    async def _list_steps(self, run_id: str) -> list[RunStep]:
        pager = self._client.steps.list(self.thread_id, run_id, order="asc", limit=100)
        return await self._capped(pager)

    async def _list_messages(self, run_id: str) -> list[Message]:
        pager = self._client.messages.list(self.thread_id, run_id=run_id, order="asc", limit=100)
        return await self._capped(pager)

    @staticmethod
    async def _capped(pager: Any) -> list[Any]:
        """All items of a listing, but at most ``DETAIL_MAX_PAGES`` pages per poll: a server
        saying ``has_more`` forever was once asked 45 times a second, without end."""
        pager.max_pages = DETAIL_MAX_PAGES
        items = await pager.to_list()
        if pager.truncated:
            log.warning("Run details: %s", pager.notice)
        return list(items)

    def _on_steps(self, steps: list[RunStep]) -> tuple[list[RunEvent], set[str]]:
        """Events for listed steps, and the ids of the steps that were new or changed."""
        events: list[RunEvent] = []
        changed: set[str] = set()
        for step in steps:
            news = self.tracker.on_step(step)
            if news:
                changed.add(step.id)
            events += news
        return events, changed

    def _on_messages(self, run_id: str, messages: list[Message]) -> list[RunEvent]:
        events: list[RunEvent] = []
        for message in messages:
            if message.run_id in (None, "", run_id):
                events += self.tracker.on_message(message)
        return events

    # -- waiting for tool outputs ---------------------------------------------------------

    def _awaiting_action(self) -> bool:
        run = self.tracker.run
        if run is None or self._cancel_requested or run.status != "requires_action":
            return False
        key = batch_key(run)
        return bool(key) and key not in self._answered

    async def _wait_for_action(self) -> None:
        """Wait for an answer or a cancel; wake up to re-read the run at expiry (or now
        and then, to notice a cancel or expiry decided elsewhere)."""
        timeout = ACTION_RECHECK_S
        run = self.tracker.run
        if run is not None and run.expires_at:
            until_expiry = run.expires_at - self._driver.wall_clock() + EXPIRY_GRACE_S
            # Past expiry but the server has not expired it yet: check at the poll cap.
            timeout = min(timeout, max(until_expiry, POLL_MAX_S))
        self._wake.clear()
        waker = asyncio.ensure_future(self._wake.wait())
        sleeper = asyncio.ensure_future(self._driver.sleep(timeout))
        try:
            await asyncio.wait({waker, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waker, sleeper):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    # -- steering -------------------------------------------------------------------------

    async def submit_tool_outputs(self, outputs: Sequence[ToolOutput | Mapping[str, Any]]) -> None:
        """Answer every pending tool call of the current batch in ONE request.

        Raises :class:`ToolOutputsError` (nothing sent) when the run is not waiting, the
        batch was already answered, or a call is missing, unknown or answered twice.
        """
        run = self.tracker.run
        if run is None or run.status != "requires_action" or not run.pending_tool_calls:
            raise ToolOutputsError("The run is not waiting for tool outputs.")
        key = batch_key(run)
        if key in self._answered:
            raise ToolOutputsError("The outputs of these tool calls were already submitted.")
        items = [o if isinstance(o, ToolOutput) else ToolOutput.model_validate(o) for o in outputs]
        _check_batch(run, items)
        await self._submit(run, SubmitToolOutputs(tool_outputs=items))
        self._answered.add(key)

    async def _submit(self, run: Run, body: SubmitToolOutputs) -> None:
        run_id = run.id
        if self._driver.can_stream:
            try:
                stream = self._client.runs.submit_tool_outputs_stream(self.thread_id, run_id, body)
            except UnsupportedFeatureError:
                stream = None
            if stream is not None:
                feed = _StreamFeed(stream)
                try:
                    await feed.prime()
                except (StreamError, MalformedResponseError) as exc:
                    # Accepted (the stream had started) but unreadable: poll from here.
                    log.warning("Submit stream broke, polling instead: %s", exc.message)
                    self.stream_error = exc
                    self._details.mark_stale()
                    await feed.aclose()
                else:
                    self._feed = feed
                self._interval.reset()
                self._wake.set()
                return
        updated = await self._client.runs.submit_tool_outputs(self.thread_id, run_id, body)
        self._stashed.append(updated)
        self._interval.reset()
        self._wake.set()

    async def cancel(self) -> None:
        """Ask the server to stop the run; the events then end with ``RunCancelled`` (or
        whatever the run really ended as, e.g. ``RunCompleted`` if it finished first)."""
        if self.tracker.finished:
            return
        run_id = self._require_run_id()
        self._cancel_requested = True
        if self._cancel_deadline is None:
            self._cancel_deadline = self._driver.clock() + self._driver.cancel_deadline_s
        self._stop_stream.set()  # stop reading live updates now, whatever the server sends
        self._wake.set()
        try:
            run = await self._client.runs.cancel(self.thread_id, run_id)
        except (BadRequestError, ConflictError):
            # Usually: the run ended in the meantime. Read it; if it has not ended, re-raise.
            current = await self._client.runs.retrieve(self.thread_id, run_id)
            if not is_terminal_run_status(str(current.status)):
                raise
            run = current
        self._stashed.append(run)
        self._interval.reset()
        self._wake.set()

    def _require_run_id(self) -> str:
        if self._run_id is None:
            raise RunDriverError("The run has not been created yet.")
        return self._run_id


async def _together(
    first: Awaitable[list[RunStep]], second: Awaitable[list[Message]]
) -> tuple[list[RunStep], list[Message]]:
    """Await two reads concurrently; if one fails the other is cancelled, not orphaned."""
    a = asyncio.ensure_future(first)
    b = asyncio.ensure_future(second)
    try:
        return await a, await b
    finally:
        for task in (a, b):
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def _check_batch(run: Run, outputs: list[ToolOutput]) -> None:
    """All calls of the batch answered exactly once, nothing else (plain-words errors)."""
    pending = {call.id: call.function.name or call.id for call in run.pending_tool_calls}
    given = [o.tool_call_id for o in outputs]
    twice = sorted({i for i in given if given.count(i) > 1})
    unknown = sorted(set(given) - set(pending))
    missing = [name for call_id, name in pending.items() if call_id not in given]
    problems: list[str] = []
    if missing:
        problems.append("no output for " + ", ".join(missing))
    if unknown:
        problems.append("outputs for calls the run did not ask for: " + ", ".join(unknown))
    if twice:
        problems.append("more than one output for " + ", ".join(twice))
    if problems:
        raise ToolOutputsError(
            "All tool calls of this step must be answered together: " + "; ".join(problems) + "."
        )

"""Reading a run's event stream into protocol events.

:class:`RunStream` opens the POST lazily on first iteration and yields typed events
(``thread.run.*``, steps, messages, deltas, unknown names) until ``event: done``, which
ends the iteration normally and is not yielded. Everything else raises a
:class:`~.errors.StreamError` carrying the last run and thread ids seen, so the run
driver can switch to polling:

* ends or drops before ``done``           → :class:`~.errors.StreamInterrupted`
* ``event: error``                        → :class:`~.errors.StreamEventError`
* an event that cannot be read            → :class:`~.errors.StreamDecodeFailed`

Errors before the stream starts (4xx/5xx, connection) are the ordinary exceptions.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from types import TracebackType

import httpx

from ..protocol import (
    DoneEvent,
    ErrorEvent,
    MessageEvent,
    RunEvent,
    RunStepEvent,
    StreamDecodeError,
    StreamEvent,
    parse_stream_event,
)
from ..protocol.sse import SSEDecoder, SSELimitError
from .errors import (
    MalformedResponseError,
    StreamDecodeFailed,
    StreamEventError,
    StreamInterrupted,
)
from .http_errors import request_id
from .transport import Call, Transport


class RunStream:
    """An async iterator of stream events for one streamed request.

    ``run_id``/``thread_id`` always hold the latest ids seen. Use ``async with`` (or
    call :meth:`aclose`) when you may stop early, so the connection is released.
    """

    def __init__(self, transport: Transport, call: Call, *, thread_id: str | None) -> None:
        self._transport = transport
        self._call = call
        self.thread_id = thread_id
        self.run_id: str | None = None
        self.request_id: str | None = None
        self._response: httpx.Response | None = None
        self._events: AsyncGenerator[StreamEvent, None] | None = None
        self._closed = False

    def __aiter__(self) -> RunStream:
        return self

    async def __anext__(self) -> StreamEvent:
        if self._closed:
            raise StopAsyncIteration
        events = self._events
        if events is None:
            events = self._events = self._read()
        try:
            return await events.__anext__()
        except BaseException:
            await self.aclose()
            raise

    async def __aenter__(self) -> RunStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop reading and release the connection (safe to call twice).

        The reading generator is closed here, on the loop, too: left suspended at a
        ``yield`` (a consumer that stops at ``requires_action``), it was finalised only when
        the loop shut down, where closing httpx's byte iterator hung the exit."""
        self._closed = True
        events, self._events = self._events, None
        if events is not None:
            with contextlib.suppress(RuntimeError):  # closed from inside its own __anext__
                await events.aclose()
        if self._response is not None:
            response, self._response = self._response, None
            await response.aclose()

    def _note(self, event: StreamEvent) -> None:
        if isinstance(event, RunEvent):
            self.run_id = event.data.id
            self.thread_id = event.data.thread_id or self.thread_id
        elif isinstance(event, RunStepEvent | MessageEvent):
            self.run_id = event.data.run_id or self.run_id
            self.thread_id = event.data.thread_id or self.thread_id

    def _interrupted(self, why: str) -> StreamInterrupted:
        return StreamInterrupted(
            f"The live updates stopped before the run finished ({why}); "
            "its progress will be checked by asking the server instead.",
            run_id=self.run_id,
            thread_id=self.thread_id,
        )

    async def _read(self) -> AsyncGenerator[StreamEvent, None]:
        response = await self._transport.send(self._call)
        self._response = response
        self.request_id = request_id(response)
        content_type = response.headers.get("content-type", "").lower()
        if "text/event-stream" not in content_type:
            await response.aread()
            raise MalformedResponseError(
                "The server was asked for live updates but answered with "
                f"{content_type or 'no content type'} instead of an event stream; "
                "it may not support streaming.",
                body_preview=response.text[:200],
            )
        decoder = SSEDecoder()
        # Held so it can be closed on the loop: leaving httpx's byte iterator to the garbage
        # collector after `done` makes it finalise outside the event loop.
        chunks = response.aiter_bytes()
        try:
            async for chunk in chunks:
                try:
                    records = decoder.feed(chunk)
                except SSELimitError as exc:
                    raise StreamDecodeFailed(
                        str(exc), run_id=self.run_id, thread_id=self.thread_id
                    ) from exc
                for record in records:
                    try:
                        event = parse_stream_event(record.event, record.data)
                    except StreamDecodeError as exc:
                        raise StreamDecodeFailed(
                            str(exc), run_id=self.run_id, thread_id=self.thread_id
                        ) from exc
                    if isinstance(event, DoneEvent):
                        return
                    if isinstance(event, ErrorEvent):
                        detail = event.data
                        raise StreamEventError(
                            f"The server reported an error during the run: "
                            f"{detail.message or detail.code or 'no details given'}",
                            detail=detail,
                            run_id=self.run_id,
                            thread_id=self.thread_id,
                        )
                    self._note(event)
                    yield event
            try:
                tail = decoder.flush()
            except SSELimitError as exc:
                raise StreamDecodeFailed(
                    str(exc), run_id=self.run_id, thread_id=self.thread_id
                ) from exc
            if tail is not None and (tail.event == "done" or tail.data.startswith("[DONE]")):
                return
        except httpx.TimeoutException as exc:
            raise self._interrupted("no data arrived in time") from exc
        except httpx.TransportError as exc:
            raise self._interrupted("the connection dropped") from exc
        finally:
            await chunks.aclose()  # type: ignore[attr-defined]
        raise self._interrupted("the server closed the stream without saying it was done")

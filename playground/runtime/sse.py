"""Server-sent events: frames run events as ``event:``/``data:`` records, ends with done.

An exception after the stream started cannot change the HTTP status any more, so it
is sent as an ``error`` event whose data is ``{"error": {...}}`` (the shape every SDK
generation raises on; reference §5.1), followed by ``done``.

Events that are already waiting are framed together and leave in one socket write
(each write on a TCP connection costs a system call and a wake-up of the reader), and
the last events travel with ``done``. Framing is the protocol's one encoder
(:func:`playground.protocol.sse.encode_event`); the response is Starlette's own
``StreamingResponse``, unmodified.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from starlette.responses import StreamingResponse

from ..protocol.sse import encode_event as _encode
from .errors import ApiError

log = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any]]
Render = Callable[[str, dict[str, Any]], dict[str, Any]]


def encode_event(event: str, payload: dict[str, Any]) -> bytes:
    return _encode(event, payload).encode()


DONE = _encode("done", "[DONE]").encode()


async def _batches(events: AsyncIterator[Event]) -> AsyncIterator[list[Event]]:
    """Every waiting event at once when the source can tell (engine.Subscription)."""
    next_batch = getattr(events, "next_batch", None)
    if next_batch is None:
        async for event in events:
            yield [event]
        return
    while batch := await next_batch():
        yield batch


async def _stream(
    prelude: Iterable[Event], events: AsyncIterator[Event], render: Render
) -> AsyncIterator[bytes]:
    pending = b"".join(encode_event(name, render(name, payload)) for name, payload in prelude)
    try:
        async for batch in _batches(events):
            pending += b"".join(
                encode_event(name, render(name, payload)) for name, payload in batch
            )
            if not getattr(events, "finished", False):
                yield pending
                pending = b""
    except ApiError as exc:
        pending += encode_event("error", exc.body())
    except Exception:
        log.exception("run event stream failed")
        pending += encode_event(
            "error",
            ApiError(500, "The server hit an internal error while streaming the run.").body(),
        )
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
    # A source that says it has finished lets its last events, done and the end of the
    # body leave together.
    yield pending + DONE


def sse_response(
    events: AsyncIterator[Event],
    *,
    prelude: Iterable[Event] = (),
    render: Render = lambda _name, data: data,
) -> StreamingResponse:
    """A 200 ``text/event-stream`` response of ``prelude`` then ``events``, then done."""
    return StreamingResponse(
        _stream(prelude, events, render),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

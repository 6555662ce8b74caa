"""Server-sent events: frames run events as ``event:``/``data:`` records, ends with done.

An exception after the stream started cannot change the HTTP status any more, so it
is sent as an ``error`` event whose data is ``{"error": {...}}`` (the shape every SDK
generation raises on; reference §5.1), followed by ``done``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from starlette.responses import StreamingResponse

from .errors import ApiError

log = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any]]


def frame(event: str, data: str) -> bytes:
    """One SSE record; data is a single line (JSON has no raw newlines)."""
    return f"event: {event}\ndata: {data}\n\n".encode()


def encode_event(event: str, payload: dict[str, Any]) -> bytes:
    return frame(event, json.dumps(payload, separators=(",", ":"), ensure_ascii=False))


DONE = frame("done", "[DONE]")


async def _stream(
    prelude: Iterable[Event],
    events: AsyncIterator[Event],
    render: Callable[[str, dict[str, Any]], dict[str, Any]],
) -> AsyncIterator[bytes]:
    try:
        for name, payload in prelude:
            yield encode_event(name, render(name, payload))
        async for name, payload in events:
            yield encode_event(name, render(name, payload))
    except ApiError as exc:
        yield encode_event("error", exc.body())
    except Exception:
        log.exception("run event stream failed")
        yield encode_event(
            "error",
            ApiError(500, "The server hit an internal error while streaming the run.").body(),
        )
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
    yield DONE


def sse_response(
    events: AsyncIterator[Event],
    *,
    prelude: Iterable[Event] = (),
    render: Callable[[str, dict[str, Any]], dict[str, Any]] = lambda _name, data: data,
) -> StreamingResponse:
    """A 200 ``text/event-stream`` response of ``prelude`` then ``events``, then done."""
    return StreamingResponse(
        _stream(prelude, events, render),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

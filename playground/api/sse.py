"""Server-sent events framing (WHATWG rules), fed one line at a time.

Our own small decoder rather than httpx-sse so the stream reader can tell "the server
closed cleanly after ``done``" from "the connection ended mid-event": both look alike
to a generic iterator, and the run driver must fall back to polling on the second.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from .constants import MAX_SSE_EVENT_BYTES, MAX_SSE_LINE_BYTES

_EOL = re.compile(r"\r\n|\r|\n")
_EOL_CHARS = ("\r", "\n")


class SSELimitError(ValueError):
    """A line or an event of the stream is longer than the client reads."""


async def iter_lines(
    chunks: AsyncIterable[str], max_line: int = MAX_SSE_LINE_BYTES
) -> AsyncIterator[str]:
    """Lines of an event stream (CRLF, LF or CR ends one), none longer than ``max_line``.

    httpx's own line iterator keeps a line in memory until it ends, so a server that never
    ends one grew the client without limit; this one stops at ``max_line`` characters.
    """
    parts: list[str] = []
    size = 0
    async for chunk in chunks:
        if not any(c in chunk for c in _EOL_CHARS):
            parts.append(chunk)
            size += len(chunk)
            if size > max_line:
                raise SSELimitError(f"the server sent a line longer than {max_line:,} characters")
            continue
        text = "".join(parts) + chunk
        start = 0
        for match in _EOL.finditer(text):
            if match.group() == "\r" and match.end() == len(text):
                break  # maybe the first half of a CRLF split across chunks
            yield text[start : match.start()]
            start = match.end()
        rest = text[start:]
        parts, size = [rest], len(rest)
        if size > max_line:
            raise SSELimitError(f"the server sent a line longer than {max_line:,} characters")
    rest = "".join(parts).removesuffix("\r")
    if rest:
        yield rest


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched SSE record; ``event`` is ``""`` when the server named none."""

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Accumulates fields until a blank line, then returns the finished event."""

    def __init__(self, max_event: int = MAX_SSE_EVENT_BYTES) -> None:
        self._max_event = max_event
        self._size = 0
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        self._dirty = False

    @property
    def pending(self) -> bool:
        """True when fields were read but no blank line has ended the event yet."""
        return self._dirty

    def feed(self, line: str) -> ServerSentEvent | None:
        line = line.rstrip("\r\n")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # comment / keep-alive
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        self._dirty = True
        if name == "event":
            self._event = value
        elif name == "data":
            self._size += len(value) + 1
            if self._size > self._max_event:
                raise SSELimitError(
                    f"the server sent an event longer than {self._max_event:,} characters"
                )
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        # Unknown field names are ignored, as the standard says.
        return None

    def flush(self) -> ServerSentEvent | None:
        """At end of input: the event whose closing blank line never came, if any.

        The standard drops it; the stream reader uses it only to accept a final
        ``done`` that lacks the blank line (as the spec's own examples do).
        """
        return self._dispatch()

    def _dispatch(self) -> ServerSentEvent | None:
        had_data = bool(self._data)
        event = ServerSentEvent(self._event, "\n".join(self._data), self._id, self._retry)
        self._event, self._data, self._retry, self._dirty = "", [], None, False
        self._size = 0
        return event if had_data else None


async def iter_sse(lines: AsyncIterable[str]) -> AsyncIterator[ServerSentEvent]:
    """Events from an async iterable of text lines (a trailing half event is dropped)."""
    decoder = SSEDecoder()
    async for line in lines:
        event = decoder.feed(line)
        if event is not None:
            yield event

"""Server-sent events, both directions, as pure code (WHATWG framing rules).

One decoder serves the client's run streams, the runtime's Chat Completions backend and
the tests. It is fed raw bytes and does its own line splitting, because a line iterator
(httpx's ``aiter_lines``) buffers an endless line without limit: a hostile or broken
server could fill memory before any check ran. Lines and events are capped
(``max_line_chars``, ``max_event_chars``); past a cap the decoder raises
:class:`SSELimitError` with a plain message and the caller drops the stream.

The decoder can also tell "the stream ended after a complete event" from "it ended
mid-event" (:attr:`SSEDecoder.pending`, :meth:`SSEDecoder.flush`), which the run driver
needs to decide between finishing and falling back to polling.

The one encoder is :func:`encode_event` (re-exported as ``encode_stream_event``).
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel

from .errors import ProtocolError

#: A single SSE line: generous for one JSON run object, far below a memory problem.
DEFAULT_MAX_LINE_CHARS: Final = 4 * 1024 * 1024
#: All ``data`` lines of one event together.
DEFAULT_MAX_EVENT_CHARS: Final = 8 * 1024 * 1024

_LINE_END = re.compile(r"\r\n|\r|\n")


class SSELimitError(ProtocolError):
    """A line or an event of the stream is larger than the decoder accepts."""


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched SSE record; ``event`` is ``""`` when the server named none."""

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Bytes (or text) in, finished events out; fields accumulate until a blank line."""

    def __init__(
        self,
        *,
        max_line_chars: int = DEFAULT_MAX_LINE_CHARS,
        max_event_chars: int = DEFAULT_MAX_EVENT_CHARS,
    ) -> None:
        self.max_line_chars = max_line_chars
        self.max_event_chars = max_event_chars
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._skip_lf = False  # the last chunk ended in CR; a leading LF belongs to it
        self._started = False
        self._event = ""
        self._data: list[str] = []
        self._data_chars = 0
        self._id: str | None = None
        self._retry: int | None = None
        self._dirty = False

    @property
    def pending(self) -> bool:
        """True when part of an event was read but no blank line has ended it yet."""
        return self._dirty or bool(self._buffer)

    def feed(self, chunk: bytes | str) -> list[ServerSentEvent]:
        """Decode a piece of the stream; returns the events it completed (often none)."""
        text = self._utf8.decode(chunk) if isinstance(chunk, bytes) else chunk
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._skip_lf and text:
            text = text.removeprefix("\n")
            self._skip_lf = False
        self._buffer += text
        events: list[ServerSentEvent] = []
        start = 0
        for match in _LINE_END.finditer(self._buffer):
            if match.group() == "\r" and match.end() == len(self._buffer):
                self._skip_lf = True
            event = self.feed_line(self._buffer[start : match.start()])
            if event is not None:
                events.append(event)
            start = match.end()
        self._buffer = self._buffer[start:]
        if len(self._buffer) > self.max_line_chars:
            self._buffer = ""
            raise SSELimitError(
                f"The event stream sent a line longer than {self.max_line_chars} characters; "
                "the stream was stopped."
            )
        return events

    def feed_line(self, line: str) -> ServerSentEvent | None:
        """Take one line (without its line break); returns an event on a blank line."""
        if len(line) > self.max_line_chars:
            raise SSELimitError(
                f"The event stream sent a line longer than {self.max_line_chars} characters; "
                "the stream was stopped."
            )
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
            self._data_chars += len(value) + 1
            if self._data_chars > self.max_event_chars:
                self._data, self._data_chars = [], 0
                raise SSELimitError(
                    f"The event stream sent an event larger than {self.max_event_chars} "
                    "characters; the stream was stopped."
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

        The standard drops it; callers use it only to accept a final ``done`` that lacks
        the blank line (as the spec's own examples do).
        """
        rest = self._buffer + self._utf8.decode(b"", final=True)
        self._buffer = ""
        if rest:
            self.feed_line(rest)
        return self._dispatch()

    def _dispatch(self) -> ServerSentEvent | None:
        had_data = bool(self._data)
        event = ServerSentEvent(self._event, "\n".join(self._data), self._id, self._retry)
        self._event, self._data, self._data_chars = "", [], 0
        self._retry, self._dirty = None, False
        return event if had_data else None


def decode_all(text: bytes | str, *, keep_unterminated: bool = True) -> list[ServerSentEvent]:
    """Every event of a complete stream body (the last unterminated one too, by default)."""
    decoder = SSEDecoder()
    events = decoder.feed(text)
    tail = decoder.flush()
    if tail is not None and keep_unterminated:
        events.append(tail)
    return events


def encode_event(event: str, data: BaseModel | dict[str, Any] | str) -> str:
    """Format one SSE record (``event`` + ``data`` lines + blank line).

    Models are dumped without unset fields, dicts as compact JSON (one line: JSON has no
    raw newlines), strings (``[DONE]``) as is, split over several ``data`` lines if they
    contain line breaks (which therefore come back as ``\n``).
    """
    if isinstance(data, BaseModel):
        text = data.model_dump_json(exclude_unset=True, by_alias=True)
    elif isinstance(data, dict):
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    else:
        text = data
    # Any line break inside the data starts a new data line (a bare CR would end the line).
    lines = "".join(f"data: {line}\n" for line in _LINE_END.split(text))
    return f"event: {event}\n{lines}\n"

"""What one execution produced, and the bounded collector that builds it.

The collector is the server-side guard on output size: whatever the kernel sends, at
most ``max_bytes`` of text is kept, and the rest is only counted, so a runaway print
can never grow the server's memory beyond one message at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes; IPython tracebacks are coloured for terminals."""
    return _ANSI.sub("", text)


@dataclass
class ExecutionResult:
    """The outcome of one cell.

    ``logs`` holds stdout, stderr, result text and (as OpenAI's tool does) the error
    text, capped with a marker; ``error`` repeats the traceback or the plain reason so
    callers can tell failure from success without parsing logs.
    """

    logs: str = ""
    images: list[bytes] = field(default_factory=list)
    new_files: list[Path] = field(default_factory=list)
    error: str | None = None
    timed_out: bool = False


def truncation_marker(kept_bytes: int, dropped_bytes: int) -> str:
    return (
        f"\n[output truncated: kept the first {kept_bytes:,} bytes; "
        f"about {dropped_bytes:,} more bytes were dropped]\n"
    )


class OutputCollector:
    """Accumulates text up to a byte budget and counts the rest."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._parts: list[str] = []
        self._used = 0
        self.dropped = 0

    def add(self, text: str) -> None:
        if not text:
            return
        room = self._max - self._used
        if room <= 0:
            # Count without encoding huge strings: one char is at least one byte.
            self.dropped += len(text)
            return
        if len(text) * 4 <= room:
            # Fast path: even all-4-byte characters would fit.
            self._parts.append(text)
            self._used += len(text.encode("utf-8", "replace"))
            return
        data = text.encode("utf-8", "replace")
        if len(data) <= room:
            self._parts.append(text)
            self._used += len(data)
            return
        kept = data[:room].decode("utf-8", "ignore")
        self._parts.append(kept)
        self._used = self._max
        self.dropped += len(data) - room

    def add_dropped(self, count: int) -> None:
        """Record output the kernel itself already dropped."""
        self.dropped += max(0, count)

    def text(self) -> str:
        joined = "".join(self._parts)
        if self.dropped:
            joined += truncation_marker(self._used, self.dropped)
        return joined

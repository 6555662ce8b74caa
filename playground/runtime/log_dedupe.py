"""Collapse runs of identical log records into one line and a count.

Under attack (1,100 half-open connections) the server wrote 80,910 identical "Too many open
files" tracebacks, 33 MB of log in 7 s. This filter lets the first record of a run through,
swallows exact repeats (same logger, level, message and exception type/text), and reports
how many it swallowed when something else is logged, or at most once a minute while the
repeats go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

REPORT_EVERY_SECONDS = 60.0

_Key = tuple[str, int, str, str]


def _key(record: logging.LogRecord) -> _Key:
    error = ""
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        error = f"{type(exc).__name__}: {exc}"
    return (record.name, record.levelno, record.getMessage(), error)


class RepeatCollapser(logging.Filter):
    """A handler filter; install with ``handler.addFilter(RepeatCollapser())``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._last: _Key | None = None
        self._last_name = ""
        self._repeats = 0
        self._since = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        key = _key(record)
        now = self._clock()
        if key == self._last:
            self._repeats += 1
            if now - self._since < REPORT_EVERY_SECONDS:
                return False
            record.msg = f"%s (repeated {self._repeats} times in the last %.0f s)"
            record.args = (_plain(key), now - self._since)
            record.exc_info = record.exc_text = None
            self._repeats, self._since = 0, now
            return True
        self._flush(record)
        self._last, self._last_name, self._repeats, self._since = key, record.name, 0, now
        return True

    def _flush(self, before: logging.LogRecord) -> None:
        """Put the count of the finished run into ``before``'s text (one line, no extra record)."""
        if self._repeats and self._last is not None:
            count, previous = self._repeats, _plain(self._last)
            record_text = before.getMessage()
            before.msg = "%s"
            before.args = (
                f"(the previous message was repeated {count} more times: {previous})\n"
                f"{record_text}",
            )
        self._repeats = 0


def _plain(key: _Key) -> str:
    message = key[2].splitlines()[0] if key[2] else ""
    return f"{message} [{key[3]}]" if key[3] else message

"""When to retry a call to the model endpoint, how long to wait, and how to name a failure.

The policy follows the official SDKs (reference §7.2): connection errors, timeouts, 408,
429 and 5xx are retried a bounded number of times with exponential backoff and jitter; a
``retry-after-ms``/``retry-after`` header from the server wins when it is reasonable, and a
server asking for more than :attr:`RetryPolicy.max_retry_after` is not retried at all.
Sleep, clock and jitter are injectable so tests run in milliseconds.

A final failure must say what went wrong in words: before, a refused connection read
"Could not reach the model at …: ." with an empty reason.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field

import httpx

RETRY_STATUSES = frozenset({408, 409, 429})


def _jitter() -> float:
    return 1.0 - 0.25 * random.random()


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with backoff; ``attempts`` counts the first try too."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False)
    jitter: Callable[[], float] = field(default=_jitter, repr=False)

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (0-based) without server advice."""
        return min(self.base_delay * 2**attempt, self.max_delay) * self.jitter()

    def server_delay(self, headers: Mapping[str, str]) -> float | None:
        """Seconds the server asked us to wait (``retry-after-ms``/``retry-after``), if any."""
        millis = headers.get("retry-after-ms")
        if millis:
            try:
                return max(0.0, float(millis) / 1000)
            except ValueError:
                pass
        value = (headers.get("retry-after") or "").strip()
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self.clock())


DEFAULT_RETRY = RetryPolicy()


def should_retry_status(status: int) -> bool:
    return status in RETRY_STATUSES or status >= 500


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_unreachable(exc: httpx.HTTPError) -> bool:
    """Failures to get an answer at all: connect, TLS, timeouts, dropped before answering."""
    return isinstance(
        exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
    ) or any(isinstance(e, ssl.SSLError) for e in _chain(exc))


def describe_failure(exc: httpx.HTTPError, timeout: httpx.Timeout) -> str:
    """A plain cause for a transport failure: never empty."""
    chain = list(_chain(exc))
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            detail = item.verify_message or item.reason or str(item)
            return f"TLS certificate verification failed ({detail})"
    for item in chain:
        if isinstance(item, ssl.SSLError):
            return f"TLS handshake failed ({item.reason or item})"
    text = " ".join(str(item) for item in chain)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {timeout.connect:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no answer within {timeout.read:g} s"
    if isinstance(exc, httpx.WriteTimeout):
        return f"sending the request took longer than {timeout.write:g} s"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection to the model endpoint"
    if any(isinstance(item, ConnectionRefusedError) for item in chain) or (
        "Connection refused" in text or "Errno 111" in text
    ):
        return "connection refused"
    if any(isinstance(item, OSError) and item.errno in (-2, -3, -5) for item in chain) or (
        "Name or service not known" in text or "nodename nor servname" in text
    ):
        return "the host name could not be resolved"
    if any(isinstance(item, ConnectionResetError) for item in chain) or "reset" in text.lower():
        return "the connection was reset by the server"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending" in text or not str(exc):
            return "the server closed the connection without answering"
        return f"the server broke the HTTP protocol ({exc})"
    if isinstance(exc, httpx.ReadError):
        return "the connection broke while reading the answer"
    for item in chain:
        if isinstance(item, OSError) and item.strerror:
            return item.strerror[0].lower() + item.strerror[1:]
    return str(exc).strip() or type(exc).__name__

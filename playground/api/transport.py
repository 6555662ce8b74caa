"""One place that sends a request: headers from the dialect, retries, the request log.

Resources describe a call as a :class:`Call` and get back a read (or, for streams and
downloads, an open) ``httpx.Response`` with a 2xx status; every failure comes out as an
exception from :mod:`.errors`.

Retries follow wire reference §7.2, with one rule of our own: a call that creates
something (``Call.idempotent = False``) is never re-sent after an *ambiguous* failure —
a timeout or dropped connection after the request left, or a 5xx — because the server
may have acted on it. Failures where the request provably did not take effect (connect
errors, 408/409/429, ``x-should-retry: true``) are retried for every call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .constants import (
    DEFAULT_MAX_RETRIES,
    INITIAL_RETRY_DELAY,
    JITTER_MIN,
    LOG_BODY_LIMIT,
    MAX_RESPONSE_BYTES,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    REQUEST_DEADLINE_S,
    RETRYABLE_STATUSES,
    SERVER_ERROR_FLOOR,
    USER_AGENT,
)
from .dialects import Dialect
from .errors import APIConnectionError, APITimeoutError, ResponseTooLargeError
from .http_errors import request_id, status_error
from .request_log import RequestLogEntry, redact_headers, redact_url, scrub, truncate

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
RequestHook = Callable[[RequestLogEntry], None]
BodyFactory = Callable[[], AsyncIterator[bytes]]


@dataclass(frozen=True, slots=True)
class Call:
    """What to send. ``content`` builds a fresh byte stream per attempt (uploads)."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    json: Any = None
    content: BodyFactory | None = None
    content_type: str | None = None
    content_length: int | None = None
    #: How the body appears in the log when it is not JSON (uploads).
    log_body: str | None = None
    #: False for calls that create something: see the module docstring.
    idempotent: bool = True
    #: Keep the response open for the caller to read incrementally.
    stream: bool = False
    #: Extra request headers (``Accept: text/event-stream``).
    headers: tuple[tuple[str, str], ...] = ()
    #: Sent in the dialect's client-request-id header; every attempt of a call shares it,
    #: so the server's log ties retries together.
    client_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class Transport:
    """Sends :class:`Call` objects over an injected ``httpx.AsyncClient``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        dialect: Dialect,
        *,
        on_request: RequestHook | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
        rng: random.Random | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        deadline_s: float | None = REQUEST_DEADLINE_S,
    ) -> None:
        self.http = http
        #: Largest body read for a non-streamed answer (decoded bytes).
        self.max_response_bytes = max_response_bytes
        #: Seconds a whole call may take, retries included (None: per-read timeouts only).
        self.deadline_s = deadline_s
        self.dialect = dialect
        self.on_request = on_request
        self.max_retries = max_retries
        self.sleep = sleep
        self.clock = clock
        self._rng = rng or random.Random()

    # --- public ------------------------------------------------------------------

    async def send(self, call: Call) -> httpx.Response:
        """Send with retries; a 2xx response (read, or open if ``call.stream``)."""
        attempt = 0
        refreshed_credentials = False
        loop = asyncio.get_running_loop()
        deadline_at = None if self.deadline_s is None else loop.time() + self.deadline_s
        while True:
            try:
                response = await self._attempt(call, attempt, deadline_at)
            except APIConnectionError as exc:
                ambiguous = exc.request_may_have_succeeded and not call.idempotent
                delay = self.backoff(attempt)
                if attempt >= self.max_retries or ambiguous or self._past(deadline_at, delay):
                    raise
                await self.sleep(delay)
                attempt += 1
                continue
            if response.is_success:
                return response
            error = status_error(response)
            if (
                response.status_code == 401
                and not refreshed_credentials
                and self.dialect.credentials_expired()
            ):
                refreshed_credentials = True  # one fresh token, then give up
                attempt += 1
                continue
            if attempt >= self.max_retries or not self._should_retry(response, call):
                raise error
            asked = self._server_delay(response)
            wait = asked if asked is not None else self.backoff(attempt)
            if self._past(deadline_at, wait):
                raise error
            await self.sleep(wait)
            attempt += 1

    @staticmethod
    def _past(deadline_at: float | None, delay: float) -> bool:
        """Whether waiting ``delay`` more seconds would end past the call's deadline."""
        return deadline_at is not None and asyncio.get_running_loop().time() + delay >= deadline_at

    # --- one attempt -------------------------------------------------------------

    async def _attempt(self, call: Call, attempt: int, deadline_at: float | None) -> httpx.Response:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        headers[self.dialect.client_request_id_header] = call.client_request_id
        headers.update(call.headers)
        headers.update(await self.dialect.headers(call.path))
        body_text: str | None = None
        content: Any = None
        if call.json is not None:
            body_text = json.dumps(call.json, ensure_ascii=False, separators=(",", ":"))
            content = body_text.encode()
            headers["Content-Type"] = "application/json"
        elif call.content is not None:
            content = call.content()
            body_text = call.log_body
            if call.content_type:
                headers["Content-Type"] = call.content_type
            if call.content_length is not None:
                headers["Content-Length"] = str(call.content_length)
        request = self.http.build_request(
            call.method,
            self.dialect.url(call.path),
            params=[*self.dialect.query(), *call.params],
            headers=headers,
            content=content,
        )
        started = time.perf_counter()
        sent = False
        error: APIConnectionError
        try:
            # The deadline covers the headers and, unless streamed, the whole body.
            async with asyncio.timeout_at(deadline_at):
                response = await self.http.send(request, stream=True)
                sent = True
                if not call.stream or not response.is_success:
                    try:
                        await self._read_body(response)
                    finally:
                        await response.aclose()
        except TimeoutError as exc:
            error = APITimeoutError(
                f"The server did not finish answering within {self.deadline_s:.0f} s."
                + " It may still have done what was asked.",
                request_may_have_succeeded=True,
            )
            self._log(request, None, started, attempt, body_text, error=error.message)
            raise error from exc
        except ResponseTooLargeError as exc:
            self._log(request, None, started, attempt, body_text, error=exc.message)
            raise
        except httpx.TimeoutException as exc:
            # Connect/pool timeouts fail before a byte leaves; the rest may have landed.
            after_send = sent or not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            error = APITimeoutError(
                "The server did not answer in time."
                + (" It may still have done what was asked." if after_send else ""),
                request_may_have_succeeded=after_send,
            )
            self._log(request, None, started, attempt, body_text, error=error.message)
            raise error from exc
        except httpx.TransportError as exc:
            after_send = sent or not isinstance(exc, httpx.ConnectError | httpx.UnsupportedProtocol)
            error = APIConnectionError(
                f"Could not reach the server: {_describe(exc)}."
                + (" It may still have done what was asked." if after_send else ""),
                request_may_have_succeeded=after_send,
            )
            self._log(request, None, started, attempt, body_text, error=error.message)
            raise error from exc
        streamed = call.stream and response.is_success
        self._log(request, response, started, attempt, body_text, streamed=streamed)
        return response

    async def _read_body(self, response: httpx.Response) -> None:
        """``response.aread()`` with a size limit, checked before and while reading."""
        limit = self.max_response_bytes
        too_large = ResponseTooLargeError(
            f"The server's answer was larger than {_size(limit)}, so it was not read "
            "(the client's limit on one answer).",
            limit=limit,
        )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        # What ``aread`` stores: later ``.content``/``.json()`` read it as usual.
        response._content = b"".join(chunks)

    # --- retry policy --------------------------------------------------------------

    def _should_retry(self, response: httpx.Response, call: Call) -> bool:
        override = response.headers.get("x-should-retry", "").strip().lower()
        if override == "true":
            return True
        if override == "false":
            return False
        status = response.status_code
        if status in RETRYABLE_STATUSES:
            return True
        # A create that hit a 5xx may have been carried out: the caller decides.
        return status >= SERVER_ERROR_FLOOR and call.idempotent

    def _server_delay(self, response: httpx.Response) -> float | None:
        """Seconds the server asked us to wait, if it asked sensibly."""
        delay: float | None = None
        if (ms := response.headers.get("retry-after-ms")) is not None:
            try:
                delay = float(ms) / 1000
            except ValueError:
                delay = None
        if delay is None and (value := response.headers.get("retry-after")) is not None:
            try:
                delay = float(value)
            except ValueError:
                try:
                    delay = parsedate_to_datetime(value).timestamp() - self.clock()
                except (TypeError, ValueError, IndexError):
                    delay = None
        if delay is not None and 0 < delay <= MAX_RETRY_AFTER:
            return delay
        return None

    def backoff(self, attempt: int) -> float:
        base = min(INITIAL_RETRY_DELAY * 2**attempt, MAX_RETRY_DELAY)
        return base * (1 - (1 - JITTER_MIN) * self._rng.random())

    # --- logging -------------------------------------------------------------------

    def _log(
        self,
        request: httpx.Request,
        response: httpx.Response | None,
        started: float,
        attempt: int,
        body_text: str | None,
        *,
        error: str | None = None,
        streamed: bool = False,
    ) -> None:
        if self.on_request is None:
            return
        secrets = self.dialect.secrets()
        response_body: str | None = None
        if response is not None:
            response_body = (
                "<event stream or download, not captured>" if streamed else _body_text(response)
            )
            response_body = scrub(truncate(response_body), secrets)
        entry = RequestLogEntry(
            method=request.method,
            url=redact_url(str(request.url), secrets),
            status=response.status_code if response is not None else None,
            duration_ms=(time.perf_counter() - started) * 1000,
            request_id=request_id(response) if response is not None else None,
            client_request_id=request.headers.get(self.dialect.client_request_id_header),
            request_headers=redact_headers(dict(request.headers.items()), secrets),
            request_body=scrub(truncate(body_text, LOG_BODY_LIMIT), secrets) if body_text else None,
            response_body=response_body,
            error=scrub(error, secrets) if error else None,
            attempt=attempt,
            streamed=streamed,
            response_headers=dict(response.headers.items()) if response is not None else {},
        )
        try:
            self.on_request(entry)
        except Exception:  # a broken log view must not break the request itself
            log.exception("request log hook failed")


def _body_text(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "").lower()
    textual = not content_type or any(t in content_type for t in ("json", "text", "xml", "html"))
    if not textual:
        return f"<{len(response.content)} bytes of {content_type}>"
    return response.text


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.0f} MiB" if count >= 1024 * 1024 else f"{count:,} bytes"


def _describe(exc: httpx.TransportError) -> str:
    text = str(exc).strip()
    kind = {
        httpx.ConnectError: "the connection was refused or the host was not found",
        httpx.RemoteProtocolError: "the connection closed unexpectedly",
        httpx.ReadError: "the connection broke while reading the answer",
        httpx.WriteError: "the connection broke while sending",
    }
    for cls, words in kind.items():
        if isinstance(exc, cls):
            return f"{words} ({text})" if text else words
    return text or type(exc).__name__

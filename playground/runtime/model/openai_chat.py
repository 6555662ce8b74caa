"""Chat Completions over HTTP: the backend for Ollama, vLLM, LM Studio, llama.cpp server,
OpenAI and Azure chat deployments.

All of these speak ``POST {base}/chat/completions``; they differ in auth (Bearer vs Azure's
``api-key`` header plus ``?api-version=``) and in what optional fields they accept
(``stream_options`` is rejected by some older servers, so it is dropped after such a
refusal).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from playground.protocol.runtime_errors import MODEL_UNREACHABLE_PREFIX
from playground.protocol.sse import SSEDecoder, SSELimitError
from playground.runtime.model.errors import ModelError
from playground.runtime.model.retry import (
    DEFAULT_RETRY,
    RetryPolicy,
    describe_failure,
    is_unreachable,
    should_retry_status,
)
from playground.runtime.model.types import ChatChunk, ChatRequest, ToolCallDelta, Usage

DEFAULT_AZURE_API_VERSION = "2024-10-21"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=300.0, write=60.0, pool=30.0)

log = logging.getLogger(__name__)

#: Statuses with which servers refuse a request for its images (or their size).
_IMAGE_REFUSALS = frozenset({400, 413, 415, 422})
#: How servers say a model takes no images at all ("image_url is only supported by certain
#: models", "... is not a multimodal model", "model does not support vision"), as opposed
#: to a problem with one image ("failed to download image"), which must not make every
#: later request leave its images out.
_NO_IMAGES = re.compile(
    r"multi-?modal"
    r"|(image|vision).{0,80}(support|enabled|allowed|capab|accept)"
    r"|(support|enabled|allowed|capab|accept).{0,80}(image|vision)",
    re.IGNORECASE | re.DOTALL,
)


def says_no_images(detail: str) -> bool:
    """Whether an error body says the model takes no images (not: this image is bad)."""
    return _NO_IMAGES.search(detail) is not None


class _StatusFailure(Exception):
    """A non-200 answer, kept whole until the retry policy has decided about it."""

    def __init__(self, status: int, body: str, headers: Mapping[str, str]) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers


def _tries(count: int) -> str:
    return f" (tried {count} times)" if count > 1 else ""


class _Endpoint:
    """Where to POST and how to authenticate, derived once from the configured base URL."""

    def __init__(self, base_url: str, api_key: str | None) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"The model base URL {base_url!r} is not an http(s) URL "
                "(expected e.g. http://127.0.0.1:11434/v1)."
            )
        path = parts.path.rstrip("/")
        if path.endswith("/chat/completions"):
            path = path[: -len("/chat/completions")]
        params = dict(parse_qsl(parts.query))
        self.is_azure = "/openai/deployments/" in path
        if self.is_azure:
            params.setdefault("api-version", DEFAULT_AZURE_API_VERSION)
        self.url = urlunsplit((parts.scheme, parts.netloc, path + "/chat/completions", "", ""))
        self.params = params
        self.headers: dict[str, str] = {"Accept": "application/json, text/event-stream"}
        if api_key:
            if self.is_azure:
                self.headers["api-key"] = api_key
            else:
                self.headers["Authorization"] = f"Bearer {api_key}"
        self.display = urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class OpenAIChatModel:
    """A :class:`ChatModel` speaking the Chat Completions wire protocol.

    ``stream=True`` (default) asks for SSE so text reaches clients as it is generated;
    ``stream=False`` makes one plain request and replays the answer as chunks, for servers
    whose streaming is broken. The API key is only ever put in a request header.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        stream: bool = True,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._endpoint = _Endpoint(base_url, api_key)
        self._retry = retry
        self._timeout = timeout
        self.model = model
        self._stream = stream
        self._send_stream_options = True
        self._sees_images: bool | None = None
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    @property
    def sees_images(self) -> bool | None:
        return self._sees_images

    async def aclose(self) -> None:
        await self._client.aclose()

    def _body(self, request: ChatRequest, *, stream: bool, images: bool) -> dict[str, Any]:
        messages = request.messages
        if not images and request.messages_without_images is not None:
            messages = request.messages_without_images
        body: dict[str, Any] = {"model": request.model or self.model, "messages": messages}
        if request.tools:
            body["tools"] = request.tools
            if request.tool_choice is not None:
                body["tool_choice"] = request.tool_choice
            if request.parallel_tool_calls is not None:
                body["parallel_tool_calls"] = request.parallel_tool_calls
        for key in ("temperature", "top_p", "max_tokens", "response_format"):
            value = getattr(request, key)
            if value is not None:
                body[key] = value
        if stream:
            body["stream"] = True
            if self._send_stream_options:
                body["stream_options"] = {"include_usage": True}
        return body

    async def complete(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        """Stream one answer; every failure surfaces as :class:`ModelError`.

        Failures before the first chunk (connect, TLS, timeouts, 408/409/429/5xx) are
        retried per the :class:`RetryPolicy`; once text has been passed on, a broken
        connection ends the answer with an error instead (a retry would repeat text).
        """
        policy = self._retry
        attempt = 0
        images = request.messages_without_images is not None and self._sees_images is not False
        while True:
            yielded = False
            try:
                if self._stream:
                    async for chunk in self._complete_streaming(request, images):
                        yielded = True
                        yield chunk
                else:
                    for chunk in await self._complete_plain(request, images):
                        yielded = True
                        yield chunk
                if images:
                    self._sees_images = True
                return
            except _StatusFailure as failure:
                if images and failure.status in _IMAGE_REFUSALS:
                    # The server would not take the images: the same request with each image
                    # as a note (saying the model cannot see it), at once. A server that said
                    # why is not sent images again.
                    images = False
                    if says_no_images(failure.body):
                        self._sees_images = False
                        log.info(
                            "The model at %s takes no images; sending notes instead.",
                            self._endpoint.display,
                        )
                    continue
                delay = self._status_retry_delay(failure, attempt)
                if delay is None:
                    raise self._final_status_error(failure, attempt + 1) from None
            except httpx.HTTPError as exc:
                cause = describe_failure(exc, self._timeout)
                if yielded:
                    raise ModelError(
                        f"The model at {self._endpoint.display} stopped in the middle of its "
                        f"answer: {cause}."
                    ) from exc
                if not is_unreachable(exc):
                    raise ModelError(
                        f"The request to the model at {self._endpoint.display} failed: {cause}."
                    ) from exc
                if attempt + 1 >= policy.attempts:
                    raise ModelError(
                        f"{MODEL_UNREACHABLE_PREFIX}: {self._endpoint.display}: {cause}"
                        f"{_tries(attempt + 1)}."
                    ) from exc
                delay = policy.backoff(attempt)
            attempt += 1
            await policy.sleep(delay)

    def _status_retry_delay(self, failure: _StatusFailure, attempt: int) -> float | None:
        """Seconds to wait before retrying ``failure``, or None when it is final."""
        policy = self._retry
        if not should_retry_status(failure.status) or attempt + 1 >= policy.attempts:
            return None
        asked = policy.server_delay(failure.headers)
        if asked is None:
            return policy.backoff(attempt)
        return asked if asked <= policy.max_retry_after else None

    def _final_status_error(self, failure: _StatusFailure, tries: int) -> ModelError:
        error = _status_error(failure.status, failure.body, self._endpoint.display)
        note = _tries(tries)
        asked = self._retry.server_delay(failure.headers)
        if asked is not None and asked > self._retry.max_retry_after:
            note += f" (it asked to be called again in {asked:.0f} s)"
        return ModelError(error.message.rstrip(".") + note + ".", code=error.code)

    async def _complete_plain(self, request: ChatRequest, images: bool) -> list[ChatChunk]:
        response = await self._client.post(
            self._endpoint.url,
            params=self._endpoint.params,
            headers=self._endpoint.headers,
            json=self._body(request, stream=False, images=images),
        )
        if response.status_code != 200:
            raise _StatusFailure(response.status_code, response.text, response.headers)
        try:
            payload = response.json()
        except ValueError as exc:
            raise ModelError(
                f"The model at {self._endpoint.display} sent a response that is not JSON."
            ) from exc
        return _chunks_from_completion(payload, self._endpoint.display)

    async def _complete_streaming(
        self, request: ChatRequest, images: bool
    ) -> AsyncIterator[ChatChunk]:
        for attempt in range(2):
            async with self._client.stream(
                "POST",
                self._endpoint.url,
                params=self._endpoint.params,
                headers=self._endpoint.headers,
                json=self._body(request, stream=True, images=images),
            ) as response:
                if response.status_code != 200:
                    detail = (await response.aread()).decode("utf-8", "replace")
                    if (
                        attempt == 0
                        and response.status_code in (400, 422)
                        and self._send_stream_options
                        and "stream_options" in detail
                    ):
                        # An older server that does not know stream_options: retry without
                        # it and live without usage numbers from this server.
                        self._send_stream_options = False
                        continue
                    raise _StatusFailure(response.status_code, detail, response.headers)
                content_type = response.headers.get("content-type", "")
                if "text/event-stream" not in content_type:
                    # Some servers ignore stream=true and answer with one JSON object.
                    body = await response.aread()
                    try:
                        payload = json.loads(body)
                    except ValueError as exc:
                        raise ModelError(
                            f"The model at {self._endpoint.display} sent a response that is "
                            "neither an event stream nor JSON."
                        ) from exc
                    for chunk in _chunks_from_completion(payload, self._endpoint.display):
                        yield chunk
                    return
                async for data in _sse_data(response):
                    if data.strip() == "[DONE]":
                        return
                    try:
                        payload = json.loads(data)
                    except ValueError as exc:
                        raise ModelError(
                            f"The model at {self._endpoint.display} streamed malformed JSON: "
                            f"{data[:200]!r}."
                        ) from exc
                    if isinstance(payload, dict) and "error" in payload:
                        raise ModelError(
                            f"The model reported an error mid-stream: {_error_text(payload)}"
                        )
                    parsed = _chunk_from_stream_payload(payload)
                    if parsed is not None:
                        yield parsed
                return


async def _sse_data(response: httpx.Response) -> AsyncIterator[str]:
    """The ``data`` payload of each SSE event, through the protocol's one decoder (whose
    line and event caps turn an endless line from a broken server into a ModelError)."""
    decoder = SSEDecoder()
    try:
        async for chunk in response.aiter_bytes():
            for event in decoder.feed(chunk):
                yield event.data
        tail = decoder.flush()
    except SSELimitError as exc:
        raise ModelError(str(exc)) from exc
    if tail is not None:
        yield tail.data


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    try:
        return Usage(int(raw.get("prompt_tokens") or 0), int(raw.get("completion_tokens") or 0))
    except (TypeError, ValueError):
        return None


def _tool_deltas(raw: Any) -> tuple[ToolCallDelta, ...]:
    if not isinstance(raw, list):
        return ()
    deltas = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict):
            continue
        function = item.get("function") or {}
        index = item.get("index")
        deltas.append(
            ToolCallDelta(
                index=index if isinstance(index, int) else position,
                id=item.get("id") or None,
                name=function.get("name") or None,
                arguments=function.get("arguments") or "",
            )
        )
    return tuple(deltas)


def _chunk_from_stream_payload(payload: Any) -> ChatChunk | None:
    if not isinstance(payload, dict):
        return None
    usage = _usage(payload.get("usage"))
    choices = payload.get("choices") or []
    choice = choices[0] if choices and isinstance(choices[0], dict) else {}
    delta = choice.get("delta") or {}
    return ChatChunk(
        text=delta.get("content") or "",
        refusal=delta.get("refusal") or "",
        tool_calls=_tool_deltas(delta.get("tool_calls")),
        finish_reason=choice.get("finish_reason"),
        usage=usage,
    )


def _chunks_from_completion(payload: Any, where: str) -> list[ChatChunk]:
    """A non-streamed completion as the chunks a stream would have carried."""
    if isinstance(payload, dict) and "error" in payload:
        raise ModelError(f"The model reported an error: {_error_text(payload)}")
    choices = payload.get("choices") if isinstance(payload, dict) else None
    if not choices or not isinstance(choices[0], dict):
        raise ModelError(f"The model at {where} sent an answer without choices.")
    choice = choices[0]
    message = choice.get("message") or {}
    calls = message.get("tool_calls") or []
    return [
        ChatChunk(
            text=message.get("content") or "",
            refusal=message.get("refusal") or "",
            tool_calls=_tool_deltas(
                [{**c, "index": i} for i, c in enumerate(calls) if isinstance(c, dict)]
            ),
            finish_reason=choice.get("finish_reason"),
            usage=_usage(payload.get("usage")),
        )
    ]


def _error_text(payload: Any) -> str:
    if isinstance(payload, dict):
        err = payload.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
        if payload.get("message"):
            return str(payload["message"])
    return str(payload)[:300]


def _status_error(status: int, body: str, where: str) -> ModelError:
    try:
        detail = _error_text(json.loads(body))
    except ValueError:
        detail = body.strip()[:300] or "no details"
    if status == 429:
        return ModelError(
            f"The model at {where} is rate limited (HTTP 429): {detail}", code="rate_limit_exceeded"
        )
    if status in (401, 403):
        return ModelError(
            f"The model at {where} refused the credentials (HTTP {status}): {detail}. "
            "Check the API key environment variable."
        )
    if status == 404:
        return ModelError(
            f"The model at {where} was not found (HTTP 404): {detail}. "
            "Check the model base URL and model name."
        )
    return ModelError(f"The model at {where} answered HTTP {status}: {detail}")

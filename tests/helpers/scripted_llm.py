"""A scripted OpenAI-compatible Chat Completions server on 127.0.0.1.

The runtime reaches its model over HTTP exactly as it would reach Ollama or vLLM, so tests,
UI demos and benchmarks need a real server whose answers they decide. This one runs
uvicorn + Starlette in a background thread of the calling process:

    with ScriptedLLM() as llm:
        llm.queue(text("Hello!"), tool_calls(("get_weather", {"city": "Paris"})))
        ... point the runtime at llm.base_url ...
        assert llm.requests[0]["messages"][-1]["content"] == "hi"

Replies are consumed in order, one per ``POST /chat/completions``. When the queue is empty a
deterministic fallback answers ``You said: <last user text>`` so the GUI can be demoed.
``stream: true`` requests get real chunked SSE (``data: {...}`` lines, ``data: [DONE]``).
Run standalone with ``python -m tests.helpers.scripted_llm --port N``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

__all__ = [
    "Reply",
    "ScriptedLLM",
    "code",
    "error",
    "file_search",
    "scripted_llm",
    "text",
    "tool_calls",
]

MODEL_ID = "scripted-model"


@dataclass(frozen=True)
class ToolCallSpec:
    """One tool call the scripted model will make."""

    name: str
    arguments: str


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``delay`` is waited (asynchronously) before the first byte so tests can cancel a run
    while the model is "thinking"; ``chunk_delay`` between streamed chunks lets tests watch
    deltas arrive one by one (paced against the clock, so ``chunk_delay=0.005`` really is
    200 chunks per second); ``chunk_chars`` is the size of each streamed piece. ``status``
    other than 200 makes an error reply carrying ``error_message``.
    """

    content: str | None = None
    calls: tuple[ToolCallSpec, ...] = ()
    delay: float = 0.0
    chunk_delay: float = 0.0
    usage: dict[str, int] | None = None
    finish_reason: str | None = None
    status: int = 200
    error_message: str = ""
    raw_body: str | None = None
    stream_error: str | None = None
    chunk_chars: int = 8


def text(
    content: str,
    *,
    delay: float = 0.0,
    chunk_delay: float = 0.0,
    usage: dict[str, int] | None = None,
    finish_reason: str = "stop",
    stream_error: str | None = None,
    chunk_chars: int = 8,
) -> Reply:
    """A plain assistant text reply.

    ``stream_error`` makes a streamed reply break off after the text with an error event
    (as vLLM and OpenAI do when generation fails mid-way).
    """
    return Reply(
        content=content,
        delay=delay,
        chunk_delay=chunk_delay,
        usage=usage,
        finish_reason=finish_reason,
        stream_error=stream_error,
        chunk_chars=chunk_chars,
    )


def tool_calls(
    *calls: tuple[str, dict[str, Any] | str],
    content: str | None = None,
    delay: float = 0.0,
    usage: dict[str, int] | None = None,
) -> Reply:
    """A reply making one or more (parallel) tool calls; arguments may be a dict or raw JSON text."""
    specs = tuple(
        ToolCallSpec(name, args if isinstance(args, str) else json.dumps(args))
        for name, args in calls
    )
    return Reply(content=content, calls=specs, delay=delay, usage=usage, finish_reason="tool_calls")


def code(source: str, *, delay: float = 0.0, usage: dict[str, int] | None = None) -> Reply:
    """A code_interpreter call: the runtime exposes it as a function tool taking ``{"code"}``."""
    return tool_calls(("code_interpreter", {"code": source}), delay=delay, usage=usage)


def file_search(query: str, *, delay: float = 0.0, usage: dict[str, int] | None = None) -> Reply:
    """A file_search call: the runtime exposes it as a function tool taking ``{"query"}``."""
    return tool_calls(("file_search", {"query": query}), delay=delay, usage=usage)


def error(status: int, message: str, *, delay: float = 0.0) -> Reply:
    """An HTTP error reply with an OpenAI-style error body."""
    return Reply(status=status, error_message=message, delay=delay)


def raw(body: str, *, status: int = 200) -> Reply:
    """A reply whose body is sent verbatim (for malformed-response tests)."""
    return Reply(raw_body=body, status=status)


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", "")) for part in content if isinstance(part, dict)
        ).strip()
    return ""


def _fallback(body: dict[str, Any]) -> Reply:
    """The demo rule: echo the last user message."""
    messages = body.get("messages") or []
    last_user = next(
        (m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), None
    )
    said = _message_text(last_user) if last_user else ""
    return text(f"You said: {said}" if said else "Hello! I am the scripted model.")


def _count_tokens(value: str) -> int:
    """A deterministic stand-in for a tokenizer: whitespace-separated words."""
    return len(value.split())


def _usage_for(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    if reply.usage is not None:
        usage = dict(reply.usage)
        usage.setdefault(
            "total_tokens", usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
        )
        return usage
    prompt = sum(_count_tokens(_message_text(m)) for m in body.get("messages") or [])
    completion = _count_tokens(reply.content or "") + sum(
        _count_tokens(c.arguments) + 1 for c in reply.calls
    )
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _pieces(value: str, size: int = 8) -> list[str]:
    """Split text into small fragments so streaming clients see several deltas."""
    if not value:
        return []
    return [value[i : i + size] for i in range(0, len(value), size)]


class ScriptedLLM:
    """The server: a queue of replies plus a record of every request received."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._requested_port = port
        self._lock = threading.Lock()
        self._replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self._ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- scripting -------------------------------------------------------------------
    def queue(self, *replies: Reply) -> None:
        """Append replies; each chat request consumes the oldest one."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        """Replies queued but not yet consumed."""
        with self._lock:
            return len(self._replies)

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/v1"

    @property
    def root_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> None:
        """Block until ``count`` chat requests have arrived (for threads outside asyncio)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(self.requests)} of {count} requests arrived")
            time.sleep(0.01)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.pop(0)
        return _fallback(body)

    # -- HTTP ------------------------------------------------------------------------
    async def _models(self, request: Request) -> Response:
        return JSONResponse(
            {
                "object": "list",
                "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "scripted"}],
            }
        )

    async def _chat(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise ValueError("body is not an object")
        except ValueError as exc:
            return JSONResponse(
                {
                    "error": {
                        "message": f"Invalid JSON body: {exc}",
                        "type": "invalid_request_error",
                    }
                },
                status_code=400,
            )
        with self._lock:
            self.requests.append(body)
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
            self.paths.append(
                request.url.path + ("?" + request.url.query if request.url.query else "")
            )
        reply = self._next_reply(body)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.raw_body is not None:
            return Response(reply.raw_body, status_code=reply.status, media_type="application/json")
        if reply.status != 200:
            err_type = "rate_limit_error" if reply.status == 429 else "server_error"
            return JSONResponse(
                {
                    "error": {
                        "message": reply.error_message,
                        "type": err_type,
                        "param": None,
                        "code": None,
                    }
                },
                status_code=reply.status,
            )
        completion_id = f"chatcmpl-{next(self._ids)}"
        model = str(body.get("model") or MODEL_ID)
        usage = _usage_for(body, reply)
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(
                self._stream(completion_id, model, reply, usage if include_usage else None),
                media_type="text/event-stream",
            )
        return JSONResponse(self._full(completion_id, model, reply, usage))

    def _full(
        self, completion_id: str, model: str, reply: Reply, usage: dict[str, int]
    ) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{completion_id[-6:]}_{i}",
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for i, c in enumerate(reply.calls)
            ]
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {"index": 0, "message": message, "finish_reason": reply.finish_reason or "stop"}
            ],
            "usage": usage,
        }

    async def _stream(
        self, completion_id: str, model: str, reply: Reply, usage: dict[str, int] | None
    ) -> AsyncIterator[bytes]:
        created = int(time.time())

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            payload = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(payload)}\n\n".encode()

        yield chunk({"role": "assistant", "content": ""})
        started = time.monotonic()
        for number, piece in enumerate(_pieces(reply.content or "", reply.chunk_chars), 1):
            if reply.chunk_delay:
                # Against the clock, not sleep after sleep: the rate holds however long a
                # send takes.
                await asyncio.sleep(
                    max(0.0, started + number * reply.chunk_delay - time.monotonic())
                )
            yield chunk({"content": piece})
        if reply.stream_error is not None:
            failure = {"error": {"message": reply.stream_error, "type": "server_error"}}
            yield f"data: {json.dumps(failure)}\n\n".encode()
            return
        for index, call in enumerate(reply.calls):
            yield chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": f"call_{completion_id[-6:]}_{index}",
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                }
            )
            for piece in _pieces(call.arguments, 6):
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        yield chunk({}, reply.finish_reason or "stop")
        if usage is not None:
            payload = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [],
                "usage": usage,
            }
            yield f"data: {json.dumps(payload)}\n\n".encode()
        yield b"data: [DONE]\n\n"

    def app(self) -> Starlette:
        routes = [
            Route("/v1/models", self._models, methods=["GET"]),
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
            # Azure deployment form, so the backend's Azure URL handling is tested too.
            Route(
                "/openai/deployments/{deployment}/chat/completions", self._chat, methods=["POST"]
            ),
        ]
        return Starlette(routes=routes)

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> ScriptedLLM:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._requested_port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="scripted-llm", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the scripted LLM server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            # Do not wait for replies still sleeping in their scripted delay.
            self._server.force_exit = True
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> ScriptedLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def scripted_llm() -> Iterator[ScriptedLLM]:
    """A fresh scripted model server per test."""
    with ScriptedLLM() as llm:
        yield llm


def main(argv: list[str] | None = None) -> None:
    """Serve the fallback (echo) model, plus nothing queued, until Ctrl+C."""
    parser = argparse.ArgumentParser(description="Scripted Chat Completions server (echo mode)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    ns = parser.parse_args(argv)
    llm = ScriptedLLM(ns.host, ns.port).start()
    print(f"scripted LLM on {llm.base_url}", flush=True)
    stop = threading.Event()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        llm.stop()


if __name__ == "__main__":
    main()

"""OpenAIChatModel against the scripted Chat Completions server over real loopback HTTP."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from playground.protocol.runtime_errors import MODEL_UNREACHABLE_PREFIX
from playground.runtime.model import ChatRequest, ChatTurn, ModelError, OpenAIChatModel
from playground.runtime.model.retry import RetryPolicy
from tests.helpers.scripted_llm import ScriptedLLM, error, raw, text, tool_calls
from tests.helpers.scripted_llm import scripted_llm as scripted_llm

NO_RETRY = RetryPolicy(attempts=1)
HELLO = ChatRequest(messages=[{"role": "user", "content": "hi there"}])


async def _turn(model: OpenAIChatModel, request: ChatRequest = HELLO) -> tuple[ChatTurn, int]:
    turn = ChatTurn()
    count = 0
    async for chunk in model.complete(request):
        turn.add(chunk)
        count += 1
    return turn, count


@pytest.mark.parametrize("stream", [True, False])
async def test_text_reply_and_usage(scripted_llm: ScriptedLLM, stream: bool) -> None:
    scripted_llm.queue(
        text("The answer is forty-two.", usage={"prompt_tokens": 7, "completion_tokens": 5})
    )
    model = OpenAIChatModel(scripted_llm.base_url, "m1", "sk-secret", stream=stream)
    try:
        turn, count = await _turn(model)
    finally:
        await model.aclose()
    assert turn.text == "The answer is forty-two."
    assert turn.finish_reason == "stop"
    assert turn.usage is not None and turn.usage.total_tokens == 12
    body = scripted_llm.requests[0]
    assert body["model"] == "m1"
    assert body["messages"] == HELLO.messages
    assert scripted_llm.headers[0]["authorization"] == "Bearer sk-secret"
    if stream:
        assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
        assert count > 3  # really streamed in pieces
    else:
        assert "stream" not in body and count == 1


@pytest.mark.parametrize("stream", [True, False])
async def test_parallel_tool_calls_are_accumulated(scripted_llm: ScriptedLLM, stream: bool) -> None:
    scripted_llm.queue(
        tool_calls(("get_weather", {"city": "Paris"}), ("get_time", {"tz": "Europe/Paris"}))
    )
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
    model = OpenAIChatModel(scripted_llm.base_url, "m1", stream=stream)
    try:
        turn, _ = await _turn(
            model, ChatRequest(messages=HELLO.messages, tools=tools, tool_choice="auto")
        )
    finally:
        await model.aclose()
    calls = turn.tool_calls()
    assert [c.name for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[0].arguments) == {"city": "Paris"}
    assert json.loads(calls[1].arguments) == {"tz": "Europe/Paris"}
    assert calls[0].id != calls[1].id
    assert turn.finish_reason == "tool_calls"
    assert scripted_llm.requests[0]["tools"] == tools
    assert "authorization" not in scripted_llm.headers[0]


async def test_fallback_echoes_last_user_text(scripted_llm: ScriptedLLM) -> None:
    model = OpenAIChatModel(scripted_llm.base_url, "m1")
    try:
        turn, _ = await _turn(model)
    finally:
        await model.aclose()
    assert turn.text == "You said: hi there"


async def test_rate_limit_maps_to_rate_limit_code(scripted_llm: ScriptedLLM) -> None:
    scripted_llm.queue(error(429, "slow down please"))
    model = OpenAIChatModel(scripted_llm.base_url, "m1", retry=NO_RETRY)
    try:
        with pytest.raises(ModelError) as info:
            await _turn(model)
    finally:
        await model.aclose()
    assert info.value.code == "rate_limit_exceeded"
    assert "slow down please" in info.value.message


@pytest.mark.parametrize("stream", [True, False])
async def test_server_error_is_plain_model_error(scripted_llm: ScriptedLLM, stream: bool) -> None:
    scripted_llm.queue(error(500, "model crashed"))
    model = OpenAIChatModel(scripted_llm.base_url, "m1", stream=stream, retry=NO_RETRY)
    try:
        with pytest.raises(ModelError) as info:
            await _turn(model)
    finally:
        await model.aclose()
    assert info.value.code == "server_error"
    assert "HTTP 500" in info.value.message and "model crashed" in info.value.message


async def test_unreachable_server_is_model_error() -> None:
    with ScriptedLLM() as llm:
        url = llm.base_url
    model = OpenAIChatModel(url, "m1", retry=NO_RETRY)  # gone now: connection refused
    try:
        with pytest.raises(
            ModelError, match=f"^{MODEL_UNREACHABLE_PREFIX}: .*: connection refused"
        ):
            await _turn(model)
    finally:
        await model.aclose()


async def test_malformed_json_is_model_error(scripted_llm: ScriptedLLM) -> None:
    scripted_llm.queue(raw("this is not json"))
    model = OpenAIChatModel(scripted_llm.base_url, "m1", stream=False)
    try:
        with pytest.raises(ModelError, match="not JSON"):
            await _turn(model)
    finally:
        await model.aclose()


async def test_stream_options_refusal_is_retried_without_them(scripted_llm: ScriptedLLM) -> None:
    scripted_llm.queue(error(400, "Unrecognized request argument: stream_options"), text("ok then"))
    model = OpenAIChatModel(scripted_llm.base_url, "m1")
    try:
        turn, _ = await _turn(model)
    finally:
        await model.aclose()
    assert turn.text == "ok then"
    assert "stream_options" in scripted_llm.requests[0]
    assert "stream_options" not in scripted_llm.requests[1]


async def test_azure_deployment_url_uses_api_key_header(scripted_llm: ScriptedLLM) -> None:
    url = f"{scripted_llm.root_url}/openai/deployments/gpt4o?api-version=2024-06-01"
    model = OpenAIChatModel(url, "gpt4o", "azure-key")
    try:
        turn, _ = await _turn(model)
    finally:
        await model.aclose()
    assert turn.text == "You said: hi there"
    assert (
        scripted_llm.paths[0] == "/openai/deployments/gpt4o/chat/completions?api-version=2024-06-01"
    )
    assert scripted_llm.headers[0]["api-key"] == "azure-key"
    assert "authorization" not in scripted_llm.headers[0]


def test_bad_base_url_is_plain_error() -> None:
    with pytest.raises(ValueError, match="not an http"):
        OpenAIChatModel("localhost:11434", "m1")


async def test_api_key_travels_only_in_header(scripted_llm: ScriptedLLM) -> None:
    model = OpenAIChatModel(scripted_llm.base_url, "m1", "sk-do-not-leak")
    try:
        await _turn(model)
    finally:
        await model.aclose()
    assert scripted_llm.headers[0]["authorization"] == "Bearer sk-do-not-leak"
    assert "sk-do-not-leak" not in json.dumps(scripted_llm.requests)
    assert "sk-do-not-leak" not in repr(model.__dict__)


# -- retries and named causes against a hostile endpoint (issue 14) ---------------------------


class HostileEndpoint:
    """A loopback TCP server answering each connection with the next scripted raw reply.

    ``None`` closes the connection without a byte; ``"hang"`` reads the request and never
    answers. The scripted Chat Completions server cannot send such replies or headers.
    """

    def __init__(self, *replies: bytes | str | None) -> None:
        self.replies = list(replies)
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.base_url = ""

    async def __aenter__(self) -> HostileEndpoint:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.base_url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/v1"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._handlers:
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        reply = self.replies.pop(0) if self.replies else None
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            await reader.readexactly(length)
            if reply == "hang":
                await asyncio.Event().wait()
            if isinstance(reply, bytes):
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def http_reply(status: int, message: str, **headers: str) -> bytes:
    body = json.dumps({"error": {"message": message, "type": "server_error"}}).encode()
    lines = [f"HTTP/1.1 {status} Whatever", f"Content-Length: {len(body)}"]
    lines += ["Content-Type: application/json", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def ok_reply(text: str = "fine") -> bytes:
    body = json.dumps(
        {"choices": [{"message": {"content": text}, "finish_reason": "stop"}]}
    ).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    return (head + "\r\nConnection: close\r\n\r\n").encode() + body


class Sleeps:
    """An injected sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def policy(sleeps: Sleeps, **kwargs: object) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps, jitter=lambda: 1.0, clock=lambda: 1_000_000.0, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("stream", [True, False])
async def test_429_is_retried_after_the_servers_retry_after(stream: bool) -> None:
    sleeps = Sleeps()
    async with HostileEndpoint(http_reply(429, "busy", retry_after="2"), ok_reply()) as server:
        model = OpenAIChatModel(server.base_url, "m", stream=stream, retry=policy(sleeps))
        try:
            turn, _ = await _turn(model)
        finally:
            await model.aclose()
    assert turn.text == "fine"
    assert sleeps.waits == [2.0]
    assert server.connections == 2


async def test_retry_after_ms_and_http_dates_are_honoured() -> None:
    sleeps = Sleeps()
    date = "Mon, 12 Jan 1970 13:46:50 GMT"  # 10 s after the injected clock's 1,000,000
    async with HostileEndpoint(
        http_reply(503, "a", retry_after_ms="1500"),
        http_reply(503, "b", retry_after=date),
        ok_reply(),
    ) as server:
        model = OpenAIChatModel(server.base_url, "m", retry=policy(sleeps, attempts=3))
        try:
            turn, _ = await _turn(model)
        finally:
            await model.aclose()
    assert turn.text == "fine"
    assert sleeps.waits == [1.5, 10.0]


async def test_5xx_is_retried_with_backoff_then_names_status_and_message() -> None:
    sleeps = Sleeps()
    replies = [http_reply(503, "the model is overloaded") for _ in range(4)]
    async with HostileEndpoint(*replies) as server:
        model = OpenAIChatModel(server.base_url, "m", retry=policy(sleeps, attempts=4))
        try:
            with pytest.raises(ModelError) as info:
                await _turn(model)
        finally:
            await model.aclose()
    assert sleeps.waits == [0.5, 1.0, 2.0]
    assert server.connections == 4
    assert info.value.code == "server_error"
    assert "HTTP 503" in info.value.message
    assert "the model is overloaded" in info.value.message
    assert "tried 4 times" in info.value.message


async def test_a_very_long_retry_after_is_not_waited_for() -> None:
    sleeps = Sleeps()
    async with HostileEndpoint(http_reply(429, "quota", retry_after="3600")) as server:
        model = OpenAIChatModel(server.base_url, "m", retry=policy(sleeps))
        try:
            with pytest.raises(ModelError) as info:
                await _turn(model)
        finally:
            await model.aclose()
    assert sleeps.waits == []
    assert info.value.code == "rate_limit_exceeded"
    assert "quota" in info.value.message and "3600 s" in info.value.message


async def test_4xx_other_than_408_409_429_is_not_retried() -> None:
    sleeps = Sleeps()
    async with HostileEndpoint(http_reply(401, "bad key"), ok_reply()) as server:
        model = OpenAIChatModel(server.base_url, "m", retry=policy(sleeps))
        try:
            with pytest.raises(ModelError, match="bad key"):
                await _turn(model)
        finally:
            await model.aclose()
    assert sleeps.waits == [] and server.connections == 1


async def test_refused_connection_is_retried_then_named() -> None:
    async with HostileEndpoint() as server:
        url = server.base_url
    sleeps = Sleeps()
    model = OpenAIChatModel(url, "m", retry=policy(sleeps))
    try:
        with pytest.raises(ModelError) as info:
            await _turn(model)
    finally:
        await model.aclose()
    assert sleeps.waits == [0.5, 1.0]
    assert info.value.code == "server_error"
    assert info.value.message == (
        f"{MODEL_UNREACHABLE_PREFIX}: {url}: connection refused (tried 3 times)."
    )


async def test_dropped_connection_is_retried_and_then_succeeds() -> None:
    sleeps = Sleeps()
    async with HostileEndpoint(None, ok_reply("after a drop")) as server:
        model = OpenAIChatModel(server.base_url, "m", retry=policy(sleeps))
        try:
            turn, _ = await _turn(model)
        finally:
            await model.aclose()
    assert turn.text == "after a drop" and len(sleeps.waits) == 1


async def test_dropped_connections_name_the_cause() -> None:
    async with HostileEndpoint(None, None) as server:
        model = OpenAIChatModel(server.base_url, "m", retry=policy(Sleeps(), attempts=2))
        try:
            with pytest.raises(ModelError) as info:
                await _turn(model)
        finally:
            await model.aclose()
    assert info.value.message.startswith(f"{MODEL_UNREACHABLE_PREFIX}: {server.base_url}: ")
    assert "closed the connection without answering" in info.value.message


async def test_timeout_names_the_limit() -> None:
    timeout = httpx.Timeout(connect=5.0, read=0.3, write=5.0, pool=5.0)
    async with HostileEndpoint("hang") as server:
        model = OpenAIChatModel(
            server.base_url, "m", timeout=timeout, retry=policy(Sleeps(), attempts=1)
        )
        try:
            with pytest.raises(ModelError) as info:
                await _turn(model)
        finally:
            await model.aclose()
    assert info.value.message == (
        f"{MODEL_UNREACHABLE_PREFIX}: {server.base_url}: no answer within 0.3 s."
    )


async def test_tls_failure_is_named() -> None:
    async with HostileEndpoint(http_reply(400, "plain http")) as server:
        url = server.base_url.replace("http://", "https://")
        model = OpenAIChatModel(url, "m", retry=policy(Sleeps(), attempts=1))
        try:
            with pytest.raises(ModelError) as info:
                await _turn(model)
        finally:
            await model.aclose()
    assert info.value.message.startswith(f"{MODEL_UNREACHABLE_PREFIX}: {url}: TLS ")


async def test_a_stream_broken_after_text_is_not_retried() -> None:
    chunk = json.dumps({"choices": [{"delta": {"content": "Hel"}}]})
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    event = f"data: {chunk}\n\n".encode()
    broken = head.encode() + f"{len(event):x}\r\n".encode() + event + b"\r\n"
    sleeps = Sleeps()
    async with HostileEndpoint(broken, ok_reply()) as server:
        model = OpenAIChatModel(server.base_url, "m", retry=policy(sleeps))
        seen: list[str] = []
        try:
            with pytest.raises(ModelError) as info:
                async for piece in model.complete(HELLO):
                    seen.append(piece.text)
        finally:
            await model.aclose()
    assert seen == ["Hel"] and sleeps.waits == [] and server.connections == 1
    assert "stopped in the middle of its answer" in info.value.message

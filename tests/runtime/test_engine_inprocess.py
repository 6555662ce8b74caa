"""RunEngine over the real SQLite store and a real HTTP model (the scripted LLM).

These drive the engine directly (no HTTP routes), so each lifecycle rule is checked with
the exact events and stored objects it produces.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from playground.runtime.engine import EventHub, RunEngine
from playground.runtime.ids import new_id
from playground.runtime.model import OpenAIChatModel
from playground.runtime.model.retry import RetryPolicy
from playground.runtime.objects import new_message, new_run, new_thread, text_part
from playground.runtime.store import Obj, Store
from tests.helpers.scripted_llm import ScriptedLLM, error, text, tool_calls
from tests.helpers.scripted_llm import scripted_llm as scripted_llm
from tests.helpers.spec_schema import assert_matches

Events = list[tuple[str, dict[str, Any]]]

WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    },
    {"type": "function", "function": {"name": "get_time"}},
]


@dataclass
class Rig:
    store: Store
    engine: RunEngine
    llm: ScriptedLLM
    expiry: int = 600

    async def assistant(self, **fields: Any) -> Obj:
        obj = {
            "id": new_id("assistant"),
            "object": "assistant",
            "created_at": 1,
            "name": "Helper",
            "description": None,
            "model": "gpt-4o",
            "instructions": "You are terse.",
            "tools": [],
            "tool_resources": {},
            "metadata": {},
            "temperature": None,
            "top_p": None,
            "response_format": "auto",
        }
        obj.update(fields)
        return await self.store.insert("assistant", obj)

    async def thread_with(self, user_text: str) -> Obj:
        thread = await self.store.insert("thread", new_thread(None, None))
        await self.store.create_message(new_message(thread["id"], "user", [text_part(user_text)]))
        return thread

    async def queued_run(self, assistant: Obj, thread: Obj, **settings: Any) -> Obj:
        run = new_run(thread["id"], assistant, settings, expiry_seconds=self.expiry)
        blocking = await self.store.insert_run_if_idle(run)
        assert blocking is None
        return run

    async def start(self, run_id: str) -> Events:
        """Start and collect events until the stream would end."""
        stream = self.engine.subscribe(run_id)
        await self.engine.start(run_id)
        return await collect(stream)

    async def submit(self, run_id: str, outputs: list[dict[str, str]]) -> Events:
        stream = self.engine.subscribe(run_id)
        await self.engine.submit_tool_outputs(run_id, outputs)
        return await collect(stream)


async def collect(stream: AsyncIterator[tuple[str, dict[str, Any]]]) -> Events:
    async def drain() -> Events:
        return [event async for event in stream]

    return await asyncio.wait_for(drain(), timeout=20)


async def wait_for_status(store: Store, run_id: str, status: str) -> Obj:
    async def poll() -> Obj:
        while True:
            run = await store.get_run(run_id)
            assert run is not None
            if run["status"] == status:
                return run
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(poll(), timeout=15)


def names(events: Events) -> list[str]:
    return [name for name, _ in events]


def schema_for(event: str) -> str:
    if event == "thread.message.delta":
        return "MessageDeltaObject"
    if event == "thread.run.step.delta":
        return "RunStepDeltaObject"
    if event.startswith("thread.run.step."):
        return "RunStepObject"
    if event.startswith("thread.message."):
        return "MessageObject"
    return "RunObject"


def assert_events_match_spec(events: Events) -> None:
    """Every event payload validates against the spec schema its event name promises."""
    for name, data in events:
        assert_matches(schema_for(name), data)


@pytest.fixture
async def rig(scripted_llm: ScriptedLLM, tmp_path: Path) -> AsyncIterator[Rig]:
    store = Store.open(tmp_path / "runtime.sqlite3", tmp_path / "files")
    # One attempt: these tests script each model error once (retries are tested elsewhere).
    model = OpenAIChatModel(scripted_llm.base_url, "scripted", retry=RetryPolicy(attempts=1))
    engine = RunEngine(store, model, None, None, run_expiry_seconds=600)
    try:
        yield Rig(store, engine, scripted_llm)
    finally:
        await engine.aclose()
        await model.aclose()
        store.close()


async def test_plain_answer_events_objects_and_usage(rig: Rig) -> None:
    rig.llm.queue(
        text("Bonjour, monde entier!", usage={"prompt_tokens": 11, "completion_tokens": 4})
    )
    assistant = await rig.assistant()
    thread = await rig.thread_with("Say hello in French")
    run = await rig.queued_run(assistant, thread)

    events = await rig.start(run["id"])

    assert_events_match_spec(events)
    deltas = [d for n, d in events if n == "thread.message.delta"]
    assert len(deltas) >= 2
    assert names(events) == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.message.created",
        "thread.message.in_progress",
        *["thread.message.delta"] * len(deltas),
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    assert (
        "".join(d["delta"]["content"][0]["text"]["value"] for d in deltas)
        == "Bonjour, monde entier!"
    )
    assert deltas[0]["delta"]["content"][0]["text"]["annotations"] == []
    assert all("_engine" not in data for _, data in events)

    final = await rig.store.get_run(run["id"])
    assert final is not None
    assert final["status"] == "completed" and final["completed_at"] is not None
    assert final["started_at"] is not None and final["expires_at"] is None
    assert final["usage"] == {"prompt_tokens": 11, "completion_tokens": 4, "total_tokens": 15}
    steps = await rig.store.list_run_steps(run["id"])
    assert [s["type"] for s in steps] == ["message_creation"]
    assert steps[0]["status"] == "completed" and steps[0]["usage"]["total_tokens"] == 15
    messages = await rig.store.list_thread_messages(thread["id"])
    reply = messages[-1]
    assert reply["role"] == "assistant" and reply["status"] == "completed"
    assert reply["run_id"] == run["id"] and reply["assistant_id"] == assistant["id"]
    assert reply["content"] == [text_part("Bonjour, monde entier!")]
    assert steps[0]["step_details"]["message_creation"]["message_id"] == reply["id"]
    sent = rig.llm.requests[0]["messages"]
    assert sent[0] == {"role": "system", "content": "You are terse."}
    assert sent[-1] == {"role": "user", "content": "Say hello in French"}
    assert rig.llm.requests[0]["model"] == "scripted"
    # The thread lock is released: no active run remains.
    assert await rig.store.active_run(thread["id"]) is None


async def test_parallel_function_calls_pause_and_resume(rig: Rig) -> None:
    rig.llm.queue(
        tool_calls(
            ("get_weather", {"city": "Paris"}),
            ("get_time", {}),
            usage={"prompt_tokens": 20, "completion_tokens": 10},
        ),
        text("Sunny and noon.", usage={"prompt_tokens": 30, "completion_tokens": 5}),
    )
    assistant = await rig.assistant(tools=WEATHER_TOOLS)
    thread = await rig.thread_with("Weather and time in Paris?")
    run = await rig.queued_run(assistant, thread)

    first = await rig.start(run["id"])
    assert names(first)[-1] == "thread.run.requires_action"
    assert "thread.run.step.created" in names(first)
    paused = first[-1][1]
    calls = paused["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[0]["function"]["arguments"]) == {"city": "Paris"}
    assert all(c["type"] == "function" and c["id"].startswith("call_") for c in calls)
    assert paused["usage"] is None
    tool_requests = rig.llm.requests[0]
    assert [t["function"]["name"] for t in tool_requests["tools"]] == ["get_weather", "get_time"]
    assert tool_requests["tools"][1]["function"]["parameters"] == {
        "type": "object",
        "properties": {},
    }

    steps = await rig.store.list_run_steps(run["id"])
    assert len(steps) == 1 and steps[0]["status"] == "in_progress"
    assert [c["function"]["output"] for c in steps[0]["step_details"]["tool_calls"]] == [None, None]
    assert (await rig.store.active_run(thread["id"])) is not None  # still locked

    second = await rig.submit(
        run["id"],
        [
            {"tool_call_id": calls[0]["id"], "output": "sunny"},
            {"tool_call_id": calls[1]["id"], "output": "12:00"},
        ],
    )
    assert names(second)[:4] == [
        "thread.run.step.completed",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
    ]
    assert names(second)[-1] == "thread.run.completed"
    assert_events_match_spec(first + second)
    completed_step = second[0][1]
    assert [c["function"]["output"] for c in completed_step["step_details"]["tool_calls"]] == [
        "sunny",
        "12:00",
    ]

    follow_up = rig.llm.requests[1]["messages"]
    assistant_turn = follow_up[-3]
    assert [c["id"] for c in assistant_turn["tool_calls"]] == [c["id"] for c in calls]
    assert follow_up[-2:] == [
        {"role": "tool", "tool_call_id": calls[0]["id"], "content": "sunny"},
        {"role": "tool", "tool_call_id": calls[1]["id"], "content": "12:00"},
    ]
    final = second[-1][1]
    assert final["usage"] == {"prompt_tokens": 50, "completion_tokens": 15, "total_tokens": 65}
    assert final["required_action"] is None


async def test_cancel_while_model_is_thinking(rig: Rig) -> None:
    rig.llm.queue(text("too late", delay=5))
    assistant = await rig.assistant()
    thread = await rig.thread_with("hello")
    run = await rig.queued_run(assistant, thread)
    stream = rig.engine.subscribe(run["id"])
    await rig.engine.start(run["id"])
    await asyncio.to_thread(rig.llm.wait_for_requests, 1)

    await rig.engine.cancel(run["id"])
    cancelling = await rig.store.get_run(run["id"])
    assert cancelling is not None and cancelling["status"] in ("cancelling", "cancelled")
    events = await collect(stream)
    assert names(events)[-2:] == ["thread.run.cancelling", "thread.run.cancelled"]
    final = await wait_for_status(rig.store, run["id"], "cancelled")
    assert final["cancelled_at"] is not None
    assert await rig.store.active_run(thread["id"]) is None
    with pytest.raises(ValueError, match="not active"):
        await rig.engine.cancel(run["id"])


async def test_cancel_mid_stream_keeps_partial_text_as_incomplete(rig: Rig) -> None:
    rig.llm.queue(text("one two three four five six seven eight nine ten " * 4, chunk_delay=0.2))
    assistant = await rig.assistant()
    thread = await rig.thread_with("count")
    run = await rig.queued_run(assistant, thread)
    stream = rig.engine.subscribe(run["id"])
    await rig.engine.start(run["id"])
    seen = []
    async for name, _data in stream:
        seen.append(name)
        if name == "thread.message.delta":
            await rig.engine.cancel(run["id"])
    assert seen[-1] == "thread.run.cancelled"
    assert "thread.message.incomplete" in seen and "thread.run.step.cancelled" in seen
    for obj, schema in [
        (await rig.store.get_run(run["id"]), "RunObject"),
        *[(s, "RunStepObject") for s in await rig.store.list_run_steps(run["id"])],
    ]:
        assert_matches(schema, {k: v for k, v in (obj or {}).items() if not k.startswith("_")})
    messages = await rig.store.list_thread_messages(thread["id"])
    reply = messages[-1]
    assert reply["status"] == "incomplete"
    assert reply["incomplete_details"] == {"reason": "run_cancelled"}
    assert reply["content"][0]["text"]["value"].startswith("one two")


async def test_cancel_in_requires_action_cancels_the_step(rig: Rig) -> None:
    rig.llm.queue(tool_calls(("get_time", {})))
    assistant = await rig.assistant(tools=WEATHER_TOOLS)
    thread = await rig.thread_with("time?")
    run = await rig.queued_run(assistant, thread)
    await rig.start(run["id"])
    await rig.engine.cancel(run["id"])
    final = await wait_for_status(rig.store, run["id"], "cancelled")
    assert final["required_action"] is None
    steps = await rig.store.list_run_steps(run["id"])
    assert steps[0]["status"] == "cancelled" and steps[0]["cancelled_at"] is not None


async def test_requires_action_expires(rig: Rig) -> None:
    rig.expiry = 1
    rig.llm.queue(tool_calls(("get_time", {})))
    assistant = await rig.assistant(tools=WEATHER_TOOLS)
    thread = await rig.thread_with("time?")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    assert names(events)[-1] == "thread.run.requires_action"
    final = await wait_for_status(rig.store, run["id"], "expired")
    assert final["expires_at"] == run["expires_at"]
    steps = await rig.store.list_run_steps(run["id"])
    assert steps[0]["status"] == "expired" and steps[0]["expired_at"] is not None
    assert await rig.store.active_run(thread["id"]) is None
    with pytest.raises(ValueError):
        await rig.engine.submit_tool_outputs(run["id"], [])


@pytest.mark.parametrize(
    ("reply", "code", "words"),
    [
        (error(500, "the GPU caught fire"), "server_error", "the GPU caught fire"),
        (error(429, "too many requests"), "rate_limit_exceeded", "rate limited"),
    ],
)
async def test_model_error_fails_the_run(rig: Rig, reply: Any, code: str, words: str) -> None:
    rig.llm.queue(reply)
    assistant = await rig.assistant()
    thread = await rig.thread_with("hi")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    assert names(events)[-1] == "thread.run.failed"
    failed = events[-1][1]
    assert failed["last_error"]["code"] == code
    assert words in failed["last_error"]["message"]
    assert failed["failed_at"] is not None
    assert await rig.store.active_run(thread["id"]) is None


async def test_model_error_mid_stream_keeps_text_and_fails(rig: Rig) -> None:
    rig.llm.queue(text("I was saying something", stream_error="generation crashed"))
    assistant = await rig.assistant()
    thread = await rig.thread_with("hi")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    assert names(events)[-3:] == [
        "thread.message.incomplete",
        "thread.run.step.failed",
        "thread.run.failed",
    ]
    assert "generation crashed" in events[-1][1]["last_error"]["message"]
    assert_events_match_spec(events)
    step = events[-2][1]
    assert step["last_error"] == events[-1][1]["last_error"]
    reply = (await rig.store.list_thread_messages(thread["id"]))[-1]
    assert reply["incomplete_details"] == {"reason": "run_failed"}
    assert reply["content"][0]["text"]["value"] == "I was saying something"


async def test_max_completion_tokens_makes_run_incomplete(rig: Rig) -> None:
    rig.llm.queue(text("a long answer", usage={"prompt_tokens": 10, "completion_tokens": 300}))
    assistant = await rig.assistant()
    thread = await rig.thread_with("write a lot")
    run = await rig.queued_run(assistant, thread, max_completion_tokens=256)
    events = await rig.start(run["id"])
    assert names(events)[-1] == "thread.run.incomplete"
    assert events[-1][1]["incomplete_details"] == {"reason": "max_completion_tokens"}
    assert rig.llm.requests[0]["max_tokens"] == 256
    reply = (await rig.store.list_thread_messages(thread["id"]))[-1]
    assert reply["status"] == "incomplete" and reply["incomplete_details"] == {
        "reason": "max_tokens"
    }


async def test_truncation_last_messages_and_run_instructions(rig: Rig) -> None:
    assistant = await rig.assistant()
    thread = await rig.thread_with("first")
    for words in ("second", "third"):
        await rig.store.create_message(new_message(thread["id"], "user", [text_part(words)]))
    run = await rig.queued_run(
        assistant,
        thread,
        instructions="Answer in one word.",
        truncation_strategy={"type": "last_messages", "last_messages": 2},
        temperature=0.2,
    )
    await rig.start(run["id"])
    body = rig.llm.requests[0]
    assert body["messages"] == [
        {"role": "system", "content": "Answer in one word."},
        {"role": "user", "content": "second"},
        {"role": "user", "content": "third"},
    ]
    assert body["temperature"] == 0.2
    assert "tools" not in body


async def test_recover_fails_runs_left_active(rig: Rig) -> None:
    assistant = await rig.assistant()
    thread = await rig.thread_with("hi")
    run = await rig.queued_run(assistant, thread)
    await rig.store.update_run(run["id"], {"status": "in_progress"})
    await rig.engine.recover()
    final = await rig.store.get_run(run["id"])
    assert final is not None and final["status"] == "failed"
    assert final["last_error"]["code"] == "server_error"
    assert await rig.store.active_run(thread["id"]) is None


async def test_unknown_tool_name_from_model_pauses_as_function(rig: Rig) -> None:
    # A model may call a function the run does not declare; it is still the client's call.
    rig.llm.queue(tool_calls(("lookup", {"q": 1})))
    assistant = await rig.assistant()
    thread = await rig.thread_with("?")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    assert (
        events[-1][1]["required_action"]["submit_tool_outputs"]["tool_calls"][0]["function"]["name"]
        == "lookup"
    )


async def test_event_hub_forgets_subscribers_at_stream_end() -> None:
    hub = EventHub()
    never_read = hub.subscribe("run_1")
    reader = hub.subscribe("run_1")
    assert hub.subscriber_count("run_1") == 2
    hub.publish("run_1", "thread.run.in_progress", {"n": 1})
    hub.publish("run_1", "thread.run.completed", {"n": 2})
    assert hub.subscriber_count("run_1") == 0
    got = [name async for name, _ in reader]
    assert got == ["thread.run.in_progress", "thread.run.completed"]
    await never_read.aclose()  # type: ignore[attr-defined]

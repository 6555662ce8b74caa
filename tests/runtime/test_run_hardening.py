"""Run lifecycle rules added after the first version: expiry of active runs, text that
grows in storage while it streams, and vector stores touched (or refused) by searches.

All against the real SQLite store and the scripted model over HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from playground.runtime.engine import RunEngine
from playground.runtime.file_search import SearchIndex
from playground.runtime.ids import new_id
from playground.runtime.model import OpenAIChatModel
from playground.runtime.store import Obj, Store
from tests.helpers.scripted_llm import ScriptedLLM, file_search, text
from tests.helpers.scripted_llm import scripted_llm as scripted_llm
from tests.runtime.test_engine_inprocess import (
    Rig,
    assert_events_match_spec,
    collect,
    names,
    wait_for_status,
)
from tests.runtime.test_engine_inprocess import rig as rig

LONG_ANSWER = "The quick brown fox jumps over the lazy dog. " * 6  # 270 chars, 34 chunks


async def test_in_progress_run_expires_mid_answer(rig: Rig) -> None:
    rig.expiry = 1
    rig.llm.queue(text(LONG_ANSWER * 4, chunk_delay=0.05))  # ~7 s of streaming
    assistant = await rig.assistant()
    thread = await rig.thread_with("talk for a while")
    run = await rig.queued_run(assistant, thread)

    started = time.monotonic()
    events = await rig.start(run["id"])
    assert time.monotonic() - started < 4, "the run should stop at expires_at, not finish"
    assert names(events)[-1] == "thread.run.expired"
    assert "thread.message.incomplete" in names(events)
    assert "thread.run.step.expired" in names(events)
    assert_events_match_spec(events)

    final = await rig.store.get_run(run["id"])
    assert final is not None and final["status"] == "expired"
    assert final["expires_at"] == run["expires_at"]
    step = (await rig.store.list_run_steps(run["id"]))[0]
    assert step["status"] == "expired" and step["expired_at"] is not None
    reply = (await rig.store.list_thread_messages(thread["id"]))[-1]
    assert reply["status"] == "incomplete"
    assert reply["incomplete_details"] == {"reason": "run_expired"}
    partial = reply["content"][0]["text"]["value"]
    assert partial and LONG_ANSWER.startswith(partial[:40])
    # The thread lock is released.
    assert await rig.store.active_run(thread["id"]) is None


async def test_run_waiting_for_the_model_expires(rig: Rig) -> None:
    rig.expiry = 1
    rig.llm.queue(text("too late", delay=5))
    assistant = await rig.assistant()
    thread = await rig.thread_with("slow model")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    assert names(events)[-1] == "thread.run.expired"
    messages = await rig.store.list_thread_messages(thread["id"])
    assert [m["role"] for m in messages] == ["user"]  # no empty assistant message left


async def test_finished_runs_drop_their_expiry_timer(rig: Rig) -> None:
    rig.llm.queue(text("quick"))
    assistant = await rig.assistant()
    thread = await rig.thread_with("fast")
    run = await rig.queued_run(assistant, thread)
    stream = rig.engine.subscribe(run["id"])
    await rig.engine.start(run["id"])
    assert rig.engine.expiry_pending(run["id"])  # armed while the run is active
    events = await collect(stream)
    assert names(events)[-1] == "thread.run.completed"

    async def timer_gone() -> None:
        while True:
            if not rig.engine.expiry_pending(run["id"]):
                return
            await asyncio.sleep(0.01)

    # No sleeping timer per finished run (they would pile up for 10 minutes each), and
    # nothing left that could turn the completed run into ``expired`` later.
    await asyncio.wait_for(timer_gone(), timeout=5)
    final = await rig.store.get_run(run["id"])
    assert final is not None and final["status"] == "completed"
    assert final["expires_at"] is None


async def test_polling_client_sees_the_text_grow(rig: Rig) -> None:
    rig.llm.queue(text(LONG_ANSWER, chunk_delay=0.05))  # ~1.7 s
    assistant = await rig.assistant()
    thread = await rig.thread_with("stream slowly")
    run = await rig.queued_run(assistant, thread)
    stream = rig.engine.subscribe(run["id"])
    await rig.engine.start(run["id"])

    seen: list[str] = []

    async def watch() -> None:
        while True:
            messages = await rig.store.list_thread_messages(thread["id"])
            reply = messages[-1] if messages[-1]["role"] == "assistant" else None
            if reply is not None:
                if reply["status"] != "in_progress":
                    return
                if reply["content"]:
                    value = reply["content"][0]["text"]["value"]
                    if not seen or seen[-1] != value:
                        seen.append(value)
            await asyncio.sleep(0.02)

    await asyncio.wait_for(watch(), timeout=15)
    events = await collect(stream)
    assert names(events)[-1] == "thread.run.completed"
    # Several growing prefixes were visible before completion.
    assert len(seen) >= 3, seen
    for shorter, longer in itertools.pairwise(seen):
        assert longer.startswith(shorter) and len(longer) > len(shorter)
    assert LONG_ANSWER.startswith(seen[-1])
    final = (await rig.store.list_thread_messages(thread["id"]))[-1]
    assert final["status"] == "completed"
    assert final["content"][0]["text"]["value"] == LONG_ANSWER


# ---------------------------------------------------------------- vector store activity

NOTES = "The launch code for the demo is 7741. Meetings happen on Tuesdays."


@dataclass
class SearchRig(Rig):
    index: SearchIndex | None = None


@pytest.fixture
async def search_rig(scripted_llm: ScriptedLLM, tmp_path: Path) -> AsyncIterator[SearchRig]:
    store = Store.open(tmp_path / "runtime.sqlite3", tmp_path / "files")
    model = OpenAIChatModel(scripted_llm.base_url, "scripted")
    index = SearchIndex(tmp_path / "search.sqlite3")
    engine = RunEngine(store, model, None, index)  # type: ignore[arg-type]  # frozen SearchHit
    try:
        yield SearchRig(store, engine, scripted_llm, index=index)
    finally:
        await engine.aclose()
        await model.aclose()
        await index.aclose()
        store.close()


async def _vector_store(rig: Rig, *, expires_at: int | None, days: int) -> Obj:
    created = int(time.time()) - 10 * 86400
    store: Obj = {
        "id": new_id("vector_store"),
        "object": "vector_store",
        "created_at": created,
        "name": "notes",
        "usage_bytes": 0,
        "file_counts": {"in_progress": 0, "completed": 1, "failed": 0, "cancelled": 0, "total": 1},
        "status": "completed",
        "expires_at": expires_at,
        "expires_after": {"anchor": "last_active_at", "days": days},
        "last_active_at": created,
        "metadata": {},
    }
    return await rig.store.insert("vector_store", store)


async def _search_run(rig: SearchRig, store_id: str) -> tuple[Obj, list[str]]:
    assert rig.index is not None
    await rig.index.index_file(store_id, "file-notes", "notes.txt", NOTES)
    assistant = await rig.assistant(
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store_id]}},
    )
    thread = await rig.thread_with("What is the launch code?")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    return run, names(events)


async def test_search_marks_the_vector_store_active(search_rig: SearchRig) -> None:
    rig = search_rig
    rig.llm.queue(file_search("launch code"), text("It is 7741."))
    soon = int(time.time()) + 3600
    vs = await _vector_store(rig, expires_at=soon, days=7)
    before = int(time.time())
    _run, seen = await _search_run(rig, vs["id"])
    assert seen[-1] == "thread.run.completed"
    after = await rig.store.get_vector_store(vs["id"])
    assert after is not None
    assert after["last_active_at"] >= before > vs["last_active_at"]
    assert after["expires_at"] == after["last_active_at"] + 7 * 86400


async def test_expired_vector_store_fails_the_run(search_rig: SearchRig) -> None:
    rig = search_rig
    rig.llm.queue(file_search("launch code"))
    vs = await _vector_store(rig, expires_at=int(time.time()) - 60, days=1)
    run, seen = await _search_run(rig, vs["id"])
    assert seen[-1] == "thread.run.failed"
    final = await wait_for_status(rig.store, run["id"], "failed")
    assert "has expired" in final["last_error"]["message"]
    assert vs["id"] in final["last_error"]["message"]
    untouched = await rig.store.get_vector_store(vs["id"])
    assert untouched is not None and untouched["last_active_at"] == vs["last_active_at"]

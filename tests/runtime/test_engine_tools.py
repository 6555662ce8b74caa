"""The engine with the real built-in tools: a Jupyter kernel and the FTS5 search index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from playground.runtime.code_interpreter import CodeInterpreter, Limits
from playground.runtime.engine import RunEngine
from playground.runtime.file_search import SearchIndex
from playground.runtime.model import OpenAIChatModel
from playground.runtime.objects import new_message, text_part
from playground.runtime.store import Store
from tests.helpers.scripted_llm import ScriptedLLM, code, file_search, text
from tests.helpers.scripted_llm import scripted_llm as scripted_llm
from tests.runtime.test_engine_inprocess import Rig, assert_events_match_spec, names

PLOT_AND_CSV = """
import matplotlib.pyplot as plt
with open('out.csv', 'w') as f:
    f.write('a,b\\n1,2\\n')
print('rows written')
plt.plot([1, 2, 3], [3, 1, 2])
plt.show()
"""

NOTES = (
    "Project Falcon notes. The launch code for the demo is 7741. "
    "Meetings happen on Tuesdays in the blue room."
)


#: Cells that should finish get the runtime's own default wall limit: a loaded machine takes
#: seconds just to import matplotlib, and a tight limit turned that into a flaky failure.
GENEROUS = Limits(wall_seconds=Limits().wall_seconds, prewarm=False, interrupt_grace_seconds=1)
#: Only for the test whose cell must hit the limit.
SHORT = Limits(wall_seconds=2, prewarm=False, interrupt_grace_seconds=1)


@pytest.fixture
def limits() -> Limits:
    """The interpreter's limits; a test that needs others parametrizes this name."""
    return GENEROUS


@pytest.fixture
async def tool_rig(scripted_llm: ScriptedLLM, tmp_path: Path, limits: Limits) -> AsyncIterator[Rig]:
    store = Store.open(tmp_path / "runtime.sqlite3", tmp_path / "files")
    model = OpenAIChatModel(scripted_llm.base_url, "scripted")
    interpreter = CodeInterpreter(tmp_path / "ci", limits=limits)
    index = SearchIndex(tmp_path / "search.sqlite3")
    await index.index_file("vs_notes", "file-notes", "notes.txt", NOTES)
    engine = RunEngine(store, model, interpreter, index)
    try:
        yield Rig(store, engine, scripted_llm)
    finally:
        await engine.aclose()
        await interpreter.aclose()
        await model.aclose()
        store.close()


async def test_code_interpreter_image_file_and_file_path(tool_rig: Rig) -> None:
    rig = tool_rig
    rig.llm.queue(code(PLOT_AND_CSV), text("Done. [Download](sandbox:/mnt/data/out.csv)"))
    assistant = await rig.assistant(tools=[{"type": "code_interpreter"}])
    thread = await rig.thread_with("make a csv and a plot")
    run = await rig.queued_run(assistant, thread)

    events = await rig.start(run["id"])
    assert names(events)[-1] == "thread.run.completed", events[-1]
    assert_events_match_spec(events)

    assert rig.llm.requests[0]["tools"][0]["function"]["name"] == "code_interpreter"
    assert "/mnt/data" in rig.llm.requests[0]["messages"][0]["content"]
    steps = await rig.store.list_run_steps(run["id"])
    assert [s["type"] for s in steps] == ["tool_calls", "message_creation"]
    call = steps[0]["step_details"]["tool_calls"][0]
    assert call["type"] == "code_interpreter" and "out.csv" in call["code_interpreter"]["input"]
    outputs = call["code_interpreter"]["outputs"]
    assert outputs[0]["type"] == "logs" and "rows written" in outputs[0]["logs"]
    image_ids = [o["image"]["file_id"] for o in outputs if o["type"] == "image"]
    assert len(image_ids) == 1
    assert (await rig.store.read_file_bytes(image_ids[0])).startswith(b"\x89PNG")
    image_meta = await rig.store.get_file(image_ids[0])
    assert image_meta is not None and image_meta["purpose"] == "assistants_output"

    tool_result = rig.llm.requests[1]["messages"][-1]
    assert tool_result["role"] == "tool" and "rows written" in tool_result["content"]
    assert "sandbox:/mnt/data/out.csv" in tool_result["content"]

    reply = (await rig.store.list_thread_messages(thread["id"]))[-1]
    assert reply["content"][0] == {"type": "image_file", "image_file": {"file_id": image_ids[0]}}
    body = reply["content"][1]["text"]
    annotation = body["annotations"][0]
    assert annotation["type"] == "file_path" and annotation["text"] == "sandbox:/mnt/data/out.csv"
    assert body["value"][annotation["start_index"] : annotation["end_index"]] == annotation["text"]
    csv_id = annotation["file_path"]["file_id"]
    assert await rig.store.read_file_bytes(csv_id) == b"a,b\n1,2\n"

    # Streamed deltas: step input before outputs, image part at index 0, text at index 1.
    step_deltas = [d for n, d in events if n == "thread.run.step.delta"]
    first_call = step_deltas[0]["delta"]["step_details"]["tool_calls"][0]
    assert first_call["code_interpreter"]["outputs"] == []
    message_deltas = [d["delta"]["content"][0] for n, d in events if n == "thread.message.delta"]
    assert message_deltas[0]["type"] == "image_file" and message_deltas[0]["index"] == 0
    assert {d["index"] for d in message_deltas[1:]} == {1}


async def test_thread_files_are_copied_into_the_sandbox(tool_rig: Rig) -> None:
    rig = tool_rig
    meta = await rig.store.create_file(b"x,y\n5,6\n", "input.csv", "assistants")
    rig.llm.queue(code("print(open('input.csv').read().strip())"), text("ok"))
    assistant = await rig.assistant(tools=[{"type": "code_interpreter"}])
    thread = await rig.thread_with("read my file")
    await rig.store.create_message(
        new_message(
            thread["id"],
            "user",
            [text_part("here it is")],
            attachments=[{"file_id": meta["id"], "tools": [{"type": "code_interpreter"}]}],
        )
    )
    run = await rig.queued_run(assistant, thread)
    await rig.start(run["id"])
    assert "[Attached files: input.csv" in rig.llm.requests[0]["messages"][-1]["content"]
    steps = await rig.store.list_run_steps(run["id"])
    logs = steps[0]["step_details"]["tool_calls"][0]["code_interpreter"]["outputs"][0]["logs"]
    assert "x,y\n5,6" in logs


@pytest.mark.parametrize("limits", [SHORT], ids=["short-wall-limit"])
async def test_runaway_code_fails_the_run_cleanly(tool_rig: Rig) -> None:
    rig = tool_rig
    rig.llm.queue(code("while True:\n    pass"))
    assistant = await rig.assistant(tools=[{"type": "code_interpreter"}])
    thread = await rig.thread_with("loop forever")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    assert names(events)[-1] == "thread.run.failed"
    assert "timed out" in events[-1][1]["last_error"]["message"]
    assert_events_match_spec(events)
    step = (await rig.store.list_run_steps(run["id"]))[0]
    assert step["status"] == "failed" and step["last_error"]["code"] == "server_error"
    assert await rig.store.active_run(thread["id"]) is None


async def test_file_search_results_and_model_written_citation(tool_rig: Rig) -> None:
    rig = tool_rig
    rig.llm.queue(file_search("launch code"), text("The launch code is 7741【0:0†notes.txt】."))
    assistant = await rig.assistant(
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": ["vs_notes"]}},
    )
    thread = await rig.thread_with("What is the launch code?")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    assert names(events)[-1] == "thread.run.completed"
    assert_events_match_spec(events)

    step = (await rig.store.list_run_steps(run["id"]))[0]
    search = step["step_details"]["tool_calls"][0]["file_search"]
    assert search["ranking_options"]["score_threshold"] == 0.0
    result = search["results"][0]
    assert result["file_id"] == "file-notes" and result["file_name"] == "notes.txt"
    assert 0.0 < result["score"] <= 1.0 and "7741" in result["content"][0]["text"]
    assert "【0:0†notes.txt】" in rig.llm.requests[1]["messages"][-1]["content"]

    reply = (await rig.store.list_thread_messages(thread["id"]))[-1]
    body = reply["content"][0]["text"]
    assert body["annotations"] == [
        {
            "type": "file_citation",
            "text": "【0:0†notes.txt】",
            "start_index": body["value"].index("【"),
            "end_index": body["value"].index("】") + 1,
            "file_citation": {"file_id": "file-notes"},
        }
    ]


async def test_file_search_citation_is_appended_when_model_gives_none(tool_rig: Rig) -> None:
    rig = tool_rig
    rig.llm.queue(file_search("meetings"), text("On Tuesdays."))
    assistant = await rig.assistant(tools=[{"type": "file_search"}])
    thread = await rig.thread_with("When are meetings?")
    await rig.store.update(
        "thread",
        thread["id"],
        {"tool_resources": {"file_search": {"vector_store_ids": ["vs_notes"]}}},
    )
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    reply = (await rig.store.list_thread_messages(thread["id"]))[-1]
    body = reply["content"][0]["text"]
    assert body["value"] == "On Tuesdays. 【0:0†notes.txt】"
    assert body["annotations"][0]["file_citation"] == {"file_id": "file-notes"}
    # The appended marker was streamed too, so SDK snapshots match the stored text.
    streamed = "".join(
        d["delta"]["content"][0]["text"].get("value", "")
        for n, d in events
        if n == "thread.message.delta"
    )
    assert streamed == body["value"]

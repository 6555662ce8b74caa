"""Runs through the REAL runtime process with the official ``openai`` SDK.

The runtime's model is the scripted Chat Completions server, reached over loopback HTTP
exactly as Ollama would be.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openai import AssistantEventHandler
from typing_extensions import override

from tests.helpers.runtime_process import start_runtime, wait_until
from tests.helpers.scripted_llm import ScriptedLLM, code, error, file_search, text, tool_calls
from tests.runtime.conftest import sdk_client

FUNCTIONS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    },
    {
        "type": "function",
        "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
    },
]


def _assistant(client: Any, **kwargs: Any) -> Any:
    return client.beta.assistants.create(model="gpt-4o", instructions="Be brief.", **kwargs)


def test_create_and_poll_plain_answer(client: Any, module_llm: ScriptedLLM) -> None:
    module_llm.queue(
        text("Paris is the capital.", usage={"prompt_tokens": 9, "completion_tokens": 4})
    )
    assistant = _assistant(client)
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "Capital of France?"}]
    )
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "completed"
    assert run.usage is not None and run.usage.total_tokens == 13
    messages = client.beta.threads.messages.list(thread_id=thread.id, order="asc").data
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].content[0].text.value == "Paris is the capital."
    assert messages[1].run_id == run.id
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id).data
    assert [s.type for s in steps] == ["message_creation"]
    assert steps[0].step_details.message_creation.message_id == messages[1].id


def test_function_calling_with_two_parallel_calls(client: Any, module_llm: ScriptedLLM) -> None:
    module_llm.queue(
        tool_calls(("get_weather", {"city": "Oslo"}), ("get_time", {})),
        text("It is 9:00 and snowing in Oslo."),
    )
    assistant = _assistant(client, tools=FUNCTIONS)
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "Oslo weather and time?"}]
    )
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "requires_action"
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[0].function.arguments) == {"city": "Oslo"}
    answers = {"get_weather": "snowing", "get_time": "09:00"}
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": c.id, "output": answers[c.function.name]} for c in calls],
        poll_interval_ms=50,
    )
    assert run.status == "completed"
    tool_messages = [m for m in module_llm.requests[-1]["messages"] if m["role"] == "tool"]
    assert [m["content"] for m in tool_messages] == ["snowing", "09:00"]
    steps = client.beta.threads.runs.steps.list(
        thread_id=thread.id, run_id=run.id, order="asc"
    ).data
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    outputs = [c.function.output for c in steps[0].step_details.tool_calls]
    assert outputs == ["snowing", "09:00"]
    reply = client.beta.threads.messages.list(thread_id=thread.id).data[0]
    assert reply.content[0].text.value == "It is 9:00 and snowing in Oslo."


class Recorder(AssistantEventHandler):
    """Collects what the SDK's event handler sees."""

    def __init__(self) -> None:
        super().__init__()
        self.deltas: list[str] = []
        self.events: list[str] = []

    @override
    def on_event(self, event: Any) -> None:
        self.events.append(event.event)

    @override
    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.deltas.append(delta.value or "")


def test_streamed_run_with_event_handler(client: Any, module_llm: ScriptedLLM) -> None:
    answer = "Streaming works one small piece at a time."
    module_llm.queue(text(answer))
    assistant = _assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "stream please"}])
    handler = Recorder()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
    ) as stream:
        stream.until_done()
        final_run = stream.get_final_run()
        final_messages = stream.get_final_messages()
    assert len(handler.deltas) > 1 and "".join(handler.deltas) == answer
    assert handler.events[0] == "thread.run.created"
    assert handler.events[-1] == "thread.run.completed"
    assert final_run.status == "completed"
    assert final_messages[0].content[0].text.value == answer


def test_streamed_function_call_then_streamed_submit(client: Any, module_llm: ScriptedLLM) -> None:
    module_llm.queue(tool_calls(("get_time", {})), text("Noon."))
    assistant = _assistant(client, tools=FUNCTIONS)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "time?"}])
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        stream.until_done()
        paused = stream.get_final_run()
    assert paused.status == "requires_action"
    call = paused.required_action.submit_tool_outputs.tool_calls[0]
    handler = Recorder()
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=paused.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "12:00"}],
        event_handler=handler,
    ) as stream:
        stream.until_done()
    assert handler.events[:2] == ["thread.run.step.completed", "thread.run.queued"]
    assert handler.events[-1] == "thread.run.completed"
    assert "".join(handler.deltas) == "Noon."


def test_cancel_a_thinking_run(client: Any, module_llm: ScriptedLLM) -> None:
    module_llm.queue(text("never shown", delay=5))
    assistant = _assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "slow one"}])
    asked_before = len(module_llm.requests)
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    wait_until(
        lambda: (
            client.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id).status
            == "in_progress"
        )
    )
    # "Thinking" means the model has the request: in_progress alone can come earlier.
    module_llm.wait_for_requests(asked_before + 1)
    cancelled = client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id)
    assert cancelled.status in ("cancelling", "cancelled")
    final = client.beta.threads.runs.poll(thread_id=thread.id, run_id=run.id, poll_interval_ms=50)
    assert final.status == "cancelled" and final.cancelled_at is not None
    # The thread is unlocked: a new message is accepted.
    client.beta.threads.messages.create(thread_id=thread.id, role="user", content="again")


def test_model_error_fails_run_with_reason(client: Any, module_llm: ScriptedLLM) -> None:
    # The runtime tries the model three times (retry policy) before it gives up.
    module_llm.queue(*[error(503, "model is loading")] * 3)
    assistant = _assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "failed"
    assert run.last_error.code == "server_error"
    assert "model is loading" in run.last_error.message


def test_requires_action_expires(tmp_path: Path, module_llm: ScriptedLLM) -> None:
    module_llm.queue(tool_calls(("get_time", {})))
    with start_runtime(
        tmp_path / "data",
        model_base_url=module_llm.base_url,
        extra_args=["--run-expiry-seconds", "2"],
    ) as server:
        sdk = sdk_client(server)
        try:
            assistant = _assistant(sdk, tools=FUNCTIONS)
            thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "time?"}])
            run = sdk.beta.threads.runs.create_and_poll(
                thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
            )
            assert run.status == "requires_action"
            assert run.expires_at - run.created_at == 2
            expired = wait_until(
                lambda: (
                    r
                    if (
                        r := sdk.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id)
                    ).status
                    == "expired"
                    else None
                ),
                timeout=10,
            )
            assert expired.status == "expired"  # type: ignore[attr-defined]
            steps = sdk.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id).data
            assert steps[0].status == "expired"
        finally:
            sdk.close()


PLOT_AND_CSV = """
import matplotlib.pyplot as plt
with open('/mnt/data/table.csv', 'w') as f:
    f.write('x,y\\n1,4\\n2,5\\n')
plt.bar(['a', 'b'], [4, 5])
plt.show()
print('saved')
"""


def test_code_interpreter_png_and_csv_download(client: Any, module_llm: ScriptedLLM) -> None:
    module_llm.queue(code(PLOT_AND_CSV), text("Here it is: sandbox:/mnt/data/table.csv"))
    assistant = _assistant(client, tools=[{"type": "code_interpreter"}])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "plot and csv"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "completed", run.last_error
    reply = client.beta.threads.messages.list(thread_id=thread.id).data[0]
    image_part, text_part = reply.content
    assert image_part.type == "image_file"
    png = client.files.content(image_part.image_file.file_id).read()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    annotation = text_part.text.annotations[0]
    assert annotation.type == "file_path"
    assert annotation.text == "sandbox:/mnt/data/table.csv"
    csv = client.files.content(annotation.file_path.file_id).read()
    assert csv == b"x,y\n1,4\n2,5\n"
    assert client.files.retrieve(annotation.file_path.file_id).purpose == "assistants_output"
    step = client.beta.threads.runs.steps.list(
        thread_id=thread.id, run_id=run.id, order="asc"
    ).data[0]
    outputs = step.step_details.tool_calls[0].code_interpreter.outputs
    assert {o.type for o in outputs} == {"logs", "image"}


def test_file_search_with_citation(client: Any, module_llm: ScriptedLLM) -> None:
    uploaded = client.files.create(
        file=("falcon.txt", b"Project Falcon: the launch code is 7741. Demo day is Friday."),
        purpose="assistants",
    )
    store = client.vector_stores.create(name="notes", file_ids=[uploaded.id])
    wait_until(
        lambda: client.vector_stores.retrieve(store.id).file_counts.completed == 1, timeout=20
    )
    module_llm.queue(file_search("launch code"), text("It is 7741【0:0†falcon.txt】."))
    assistant = _assistant(
        client,
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "launch code?"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "completed", run.last_error
    reply = client.beta.threads.messages.list(thread_id=thread.id).data[0]
    citation = reply.content[0].text.annotations[0]
    assert citation.type == "file_citation" and citation.file_citation.file_id == uploaded.id
    steps = client.beta.threads.runs.steps.list(
        thread_id=thread.id,
        run_id=run.id,
        order="asc",
        include=["step_details.tool_calls[*].file_search.results[*].content"],
    ).data
    result = steps[0].step_details.tool_calls[0].file_search.results[0]
    assert result.file_id == uploaded.id and result.file_name == "falcon.txt"
    assert "7741" in result.content[0].text
    plain = client.beta.threads.runs.steps.list(
        thread_id=thread.id, run_id=run.id, order="asc"
    ).data
    assert plain[0].step_details.tool_calls[0].file_search.results[0].content is None

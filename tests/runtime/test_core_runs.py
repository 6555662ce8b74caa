"""Run routes over a real server and scripted model: validation, lock, polling header,
tool outputs, cancel, steps, streaming framing, and the unconfigured-model failure."""

from __future__ import annotations

import json

import httpx
import pytest

from playground.protocol.sse import decode_all
from tests.helpers.runtime_process import http_client, sdk_client, wait_until
from tests.helpers.scripted_llm import text, tool_calls
from tests.helpers.spec_schema import assert_matches, validator

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.fixture
def client(llm_runtime):  # type: ignore[no-untyped-def]
    with http_client(llm_runtime) as c:
        yield c


def _setup(client: httpx.Client, tools: list | None = None) -> tuple[str, str]:
    assistant = client.post(
        "/assistants",
        json={"model": "scripted-model", "instructions": "Help.", "tools": tools or []},
    ).json()
    thread = client.post("/threads", json={"messages": [{"role": "user", "content": "hi"}]}).json()
    return assistant["id"], thread["id"]


def _wait_status(client: httpx.Client, thread_id: str, run_id: str, *statuses: str) -> dict:
    return wait_until(
        lambda: (
            (r := client.get(f"/threads/{thread_id}/runs/{run_id}").json())["status"] in statuses
            and r
        )
    )  # type: ignore[return-value]


def test_plain_run_poll_header_steps_and_messages(client, module_llm) -> None:  # type: ignore[no-untyped-def]
    # Load the spec first: parsing it takes seconds on a busy machine, longer than the
    # model's delay that keeps the run active for the poll-header check below.
    validator("RunObject")
    module_llm.queue(text("Hello there!", delay=2.0))
    assistant_id, thread_id = _setup(client)
    created = client.post(
        f"/threads/{thread_id}/runs",
        json={"assistant_id": assistant_id, "temperature": 0.2, "metadata": {"m": "1"}},
    )
    assert created.status_code == 200, created.text
    run = created.json()
    assert_matches("RunObject", run)
    assert run["status"] == "queued" and run["expires_at"] == run["created_at"] + 600
    assert run["instructions"] == "Help." and run["temperature"] == 0.2
    active = client.get(f"/threads/{thread_id}/runs/{run['id']}")
    assert active.json()["status"] in ("queued", "in_progress")
    assert active.headers["openai-poll-after-ms"] == "100"

    done = _wait_status(client, thread_id, run["id"], "completed", "failed")
    assert done["status"] == "completed", done
    assert_matches("RunObject", done)
    final = client.get(f"/threads/{thread_id}/runs/{run['id']}")
    assert "openai-poll-after-ms" not in final.headers
    runs = client.get(f"/threads/{thread_id}/runs").json()
    assert_matches("ListRunsResponse", runs)
    assert [r["id"] for r in runs["data"]] == [run["id"]]
    steps = client.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()
    assert_matches("ListRunStepsResponse", steps)
    assert steps["data"][0]["type"] == "message_creation"
    step_id = steps["data"][0]["id"]
    one = client.get(f"/threads/{thread_id}/runs/{run['id']}/steps/{step_id}")
    assert_matches("RunStepObject", one.json())
    by_run = client.get(f"/threads/{thread_id}/messages", params={"run_id": run["id"]}).json()
    assert [m["content"][0]["text"]["value"] for m in by_run["data"]] == ["Hello there!"]
    modified = client.post(
        f"/threads/{thread_id}/runs/{run['id']}", json={"metadata": {"m": "2"}}
    ).json()
    assert modified["metadata"] == {"m": "2"}
    bad_include = client.get(
        f"/threads/{thread_id}/runs/{run['id']}/steps", params={"include[]": "nope"}
    )
    assert bad_include.status_code == 400


def test_thread_lock_and_tool_output_validation(client, module_llm) -> None:  # type: ignore[no-untyped-def]
    module_llm.queue(
        tool_calls(("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})),
        text("Sunny both."),
    )
    assistant_id, thread_id = _setup(client, [WEATHER])
    run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    waiting = _wait_status(client, thread_id, run["id"], "requires_action", "failed")
    assert waiting["status"] == "requires_action", waiting
    calls = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert len(calls) == 2

    again = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id})
    assert again.status_code == 400
    assert (
        again.json()["error"]["message"]
        == f"Thread {thread_id} already has an active run {run['id']}."
    )
    message = client.post(
        f"/threads/{thread_id}/messages", json={"role": "user", "content": "more"}
    )
    assert message.status_code == 400
    assert (
        message.json()["error"]["message"]
        == f"Can't add messages to {thread_id} while a run {run['id']} is active."
    )

    url = f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs"
    partial = client.post(
        url, json={"tool_outputs": [{"tool_call_id": calls[0]["id"], "output": "20C"}]}
    )
    assert partial.status_code == 400 and calls[1]["id"] in partial.json()["error"]["message"]
    unknown = client.post(url, json={"tool_outputs": [{"tool_call_id": "call_x", "output": "1"}]})
    assert (
        unknown.status_code == 400
        and unknown.json()["error"]["param"] == "tool_outputs[0].tool_call_id"
    )
    twice = client.post(
        url, json={"tool_outputs": [{"tool_call_id": calls[0]["id"], "output": "1"}] * 2}
    )
    assert twice.status_code == 400
    not_string = client.post(
        url, json={"tool_outputs": [{"tool_call_id": c["id"], "output": 5} for c in calls]}
    )
    assert not_string.status_code == 400
    assert (
        client.get(f"/threads/{thread_id}/runs/{run['id']}").json()["status"] == "requires_action"
    )

    ok = client.post(
        url, json={"tool_outputs": [{"tool_call_id": c["id"], "output": "warm"} for c in calls]}
    )
    assert ok.status_code == 200, ok.text
    done = _wait_status(client, thread_id, run["id"], "completed", "failed")
    assert done["status"] == "completed"
    late = client.post(
        url, json={"tool_outputs": [{"tool_call_id": c["id"], "output": "x"} for c in calls]}
    )
    assert late.status_code == 400
    assert (
        late.json()["error"]["message"] == 'Runs in status "completed" do not accept tool outputs.'
    )


def test_cancel_requires_action_run(client, module_llm) -> None:  # type: ignore[no-untyped-def]
    module_llm.queue(tool_calls(("get_weather", {"city": "Oslo"})))
    assistant_id, thread_id = _setup(client, [WEATHER])
    run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    _wait_status(client, thread_id, run["id"], "requires_action")
    cancelled = client.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] in ("cancelling", "cancelled")
    final = _wait_status(client, thread_id, run["id"], "cancelled")
    assert final["cancelled_at"] is not None
    again = client.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")
    assert again.status_code == 400
    # The lock is released: a new message is accepted.
    assert (
        client.post(
            f"/threads/{thread_id}/messages", json={"role": "user", "content": "ok"}
        ).status_code
        == 200
    )


def test_stream_create_thread_and_run_framing(client, module_llm) -> None:  # type: ignore[no-untyped-def]
    module_llm.queue(text("Streamed words here."))
    assistant_id, _ = _setup(client)
    events: list[tuple[str, str]] = []
    with client.stream(
        "POST",
        "/threads/runs",
        json={
            "assistant_id": assistant_id,
            "stream": True,
            "thread": {"messages": [{"role": "user", "content": "go"}]},
        },
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events.extend((e.event, e.data) for e in decode_all(response.read()))
    names = [n for n, _ in events]
    assert names[0] == "thread.created"
    assert names[1] == "thread.run.created"
    assert names[-2:] == ["thread.run.completed", "done"]
    assert events[-1][1] == "[DONE]"
    thread = json.loads(events[0][1])
    assert_matches("ThreadObject", thread)
    deltas = "".join(
        part["text"]["value"]
        for n, d in events
        if n == "thread.message.delta"
        for part in json.loads(d)["delta"]["content"]
    )
    assert deltas == "Streamed words here."


def test_sdk_create_and_poll(llm_runtime, module_llm) -> None:  # type: ignore[no-untyped-def]
    module_llm.queue(text("Polled answer."))
    sdk = sdk_client(llm_runtime)
    assistant = sdk.beta.assistants.create(model="scripted-model")
    thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "q"}])
    run = sdk.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "completed"
    assert (
        sdk.beta.threads.messages.list(thread.id).data[0].content[0].text.value == "Polled answer."
    )
    sdk.close()


def test_run_route_errors(client) -> None:  # type: ignore[no-untyped-def]
    thread = client.post("/threads", json={}).json()
    missing = client.post(f"/threads/{thread['id']}/runs", json={"assistant_id": "asst_nope"})
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "message": "No assistant found with id 'asst_nope'.",
        "type": "invalid_request_error",
        "param": "assistant_id",
        "code": None,
    }
    no_thread = client.post("/threads/thread_nope/runs", json={"assistant_id": "asst_nope"})
    assert no_thread.status_code == 404
    assert client.get(f"/threads/{thread['id']}/runs/run_nope").status_code == 404
    no_body = client.post(f"/threads/{thread['id']}/runs", json={})
    assert no_body.status_code == 400 and no_body.json()["error"]["param"] == "assistant_id"


def test_unconfigured_model_fails_run_with_clear_error(runtime) -> None:  # type: ignore[no-untyped-def]
    with http_client(runtime) as client:
        assistant_id, thread_id = _setup(client)
        run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
        failed = _wait_status(client, thread_id, run["id"], "failed", "completed")
    assert failed["status"] == "failed"
    assert failed["last_error"]["code"] == "server_error"
    assert "--model-base-url" in failed["last_error"]["message"]


def test_models_lists_the_configured_model(client) -> None:  # type: ignore[no-untyped-def]
    listed = client.get("/models").json()
    assert listed["object"] == "list"
    assert [m["id"] for m in listed["data"]] == ["scripted-model"]
    assert client.get("/models/scripted-model").json()["object"] == "model"
    assert client.get("/models/other").status_code == 404


def test_deleting_a_thread_stops_its_active_run(client, module_llm) -> None:  # type: ignore[no-untyped-def]
    module_llm.queue(tool_calls(("get_weather", {"city": "Lima"})))
    assistant_id, thread_id = _setup(client, [WEATHER])
    run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    _wait_status(client, thread_id, run["id"], "requires_action")
    deleted = client.delete(f"/threads/{thread_id}").json()
    assert deleted == {"id": thread_id, "object": "thread.deleted", "deleted": True}
    assert client.get(f"/threads/{thread_id}/runs/{run['id']}").status_code == 404


def test_tool_choice_must_name_one_of_the_runs_tools(client, module_llm) -> None:  # type: ignore[no-untyped-def]
    assistant_id, thread_id = _setup(client, tools=[WEATHER])
    cases = [
        ({"type": "function", "function": {"name": "get_time"}}, None, "'get_time'"),
        ({"type": "code_interpreter"}, None, "no 'code_interpreter' tool"),
        # The run's own tools replace the assistant's: get_weather is then not available.
        (
            {"type": "function", "function": {"name": "get_weather"}},
            [{"type": "code_interpreter"}],
            "'get_weather'",
        ),
    ]
    for choice, tools, words in cases:
        body: dict = {"assistant_id": assistant_id, "tool_choice": choice}
        if tools is not None:
            body["tools"] = tools
        refused = client.post(f"/threads/{thread_id}/runs", json=body)
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["param"] == "tool_choice" and words in error["message"]
        assert_matches("ErrorResponse", refused.json())
    # Same rule for create-thread-and-run.
    refused = client.post(
        "/threads/runs",
        json={
            "assistant_id": assistant_id,
            "tool_choice": {"type": "function", "function": {"name": "nope"}},
        },
    )
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "tool_choice"
    # Nothing was stored by the refusals: the thread is free and a valid choice runs.
    module_llm.queue(tool_calls(("get_weather", {"city": "Oslo"})))
    run = client.post(
        f"/threads/{thread_id}/runs",
        json={
            "assistant_id": assistant_id,
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        },
    )
    assert run.status_code == 200, run.text
    paused = _wait_status(client, thread_id, run.json()["id"], "requires_action")
    assert module_llm.requests[-1]["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    client.post(f"/threads/{thread_id}/runs/{paused['id']}/cancel")
    _wait_status(client, thread_id, paused["id"], "cancelled")

"""Third-party-style requests over real HTTP: the documented 400s for an unknown field, a
v1 field on v2, a missing beta header; and the official SDK with every optional argument.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers.runtime_process import RuntimeServer, http_client, sdk_client
from tests.helpers.scripted_llm import ScriptedLLM, text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _error(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    return error


def test_unknown_field_is_refused(http: httpx.Client) -> None:
    error = _error(http.post("/assistants", json={"model": "m", "bogus": 1}))
    assert error == {
        "message": "Unrecognized request argument supplied: bogus",
        "type": "invalid_request_error",
        "param": "bogus",
        "code": None,
    }
    assert http.get("/assistants").json()["data"] == []  # nothing was created


def test_invalid_function_name_names_the_param(http: httpx.Client) -> None:
    tools = [{"type": "function", "function": {"name": "two words"}}]
    error = _error(http.post("/assistants", json={"model": "m", "tools": tools}))
    assert error["param"] == "tools[0].function.name"


def test_v1_file_ids_on_v2_are_refused_not_dropped(http: httpx.Client) -> None:
    error = _error(http.post("/assistants", json={"model": "m", "file_ids": ["file-nope"]}))
    assert error["param"] == "file_ids" and "Assistants v1" in error["message"]
    thread = http.post("/threads", json={}).json()
    message = {"role": "user", "content": "hi", "file_ids": ["file-nope"]}
    error = _error(http.post(f"/threads/{thread['id']}/messages", json=message))
    assert error["param"] == "file_ids"
    assert http.get(f"/threads/{thread['id']}/messages").json()["data"] == []
    v1 = {"OpenAI-Beta": "assistants=v1"}
    v2_field = http.post("/threads", json={"tool_resources": {}}, headers=v1)
    assert _error(v2_field)["param"] == "tool_resources"


def test_missing_beta_header_is_the_services_400(runtime: RuntimeServer) -> None:
    auth = {"Authorization": f"Bearer {runtime.token}"}
    with httpx.Client(base_url=runtime.api_base, headers=auth, timeout=30) as bare:
        for method, url in (
            ("GET", "/assistants"),
            ("POST", "/threads"),
            ("GET", "/vector_stores"),
        ):
            error = _error(bare.request(method, url, json={} if method == "POST" else None))
            assert error == {
                "message": "You must provide the 'OpenAI-Beta' header to access the "
                "Assistants API. Please try again by setting the header "
                "'OpenAI-Beta: assistants=v2'.",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_beta",
            }
        # /files and /models never needed the header, and Azure paths use api-version.
        assert bare.get("/files").status_code == 200
        assert bare.get("/models").status_code == 200
        azure = bare.get(
            runtime.azure_base + "/assistants", params={"api-version": "2024-05-01-preview"}
        )
        assert azure.status_code == 200


def test_sdk_calls_with_every_optional_argument(
    llm_runtime: RuntimeServer, module_llm: ScriptedLLM
) -> None:
    sdk = sdk_client(llm_runtime)
    with http_client(llm_runtime) as http:
        uploaded = http.post(
            "/files", files={"file": ("notes.txt", b"hello")}, data={"purpose": "assistants"}
        ).json()
    file_id = uploaded["id"]
    function = {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look up",
            "parameters": {"type": "object", "properties": {}},
            "strict": False,
        },
    }
    store = sdk.vector_stores.create(
        name="s",
        file_ids=[file_id],
        expires_after={"anchor": "last_active_at", "days": 2},
        chunking_strategy={
            "type": "static",
            "static": {"max_chunk_size_tokens": 400, "chunk_overlap_tokens": 100},
        },
        metadata={"k": "v"},
    )
    sdk.vector_stores.update(store.id, name="s2", metadata={"k": "w"}, expires_after=None)
    batch = sdk.vector_stores.file_batches.create(
        store.id, file_ids=[file_id], chunking_strategy={"type": "auto"}, attributes={"a": "b"}
    )
    assert batch.vector_store_id == store.id
    assistant = sdk.beta.assistants.create(
        model="scripted-model",
        name="n",
        description="d",
        instructions="i",
        reasoning_effort="low",
        tools=[
            {"type": "code_interpreter"},
            {"type": "file_search", "file_search": {"max_num_results": 4}},
            function,
        ],
        tool_resources={
            "code_interpreter": {"file_ids": [file_id]},
            "file_search": {"vector_store_ids": [store.id]},
        },
        metadata={"a": "1"},
        temperature=0.3,
        top_p=0.8,
        response_format="auto",
    )
    sdk.beta.assistants.update(assistant.id, name="n2", response_format={"type": "text"})
    thread = sdk.beta.threads.create(
        messages=[
            {
                "role": "user",
                "content": [{"type": "text", "text": "hello"}],
                "attachments": [{"file_id": file_id, "tools": [{"type": "code_interpreter"}]}],
                "metadata": {"m": "1"},
            }
        ],
        tool_resources={"code_interpreter": {"file_ids": [file_id]}},
        metadata={"t": "1"},
    )
    sdk.beta.threads.update(thread.id, metadata={"t": "2"})
    message = sdk.beta.threads.messages.create(
        thread.id, role="user", content="more", metadata={"x": "y"}
    )
    sdk.beta.threads.messages.update(message.id, thread_id=thread.id, metadata={"x": "z"})
    module_llm.queue(text("ok"))
    run = sdk.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant.id,
        model="scripted-model",
        instructions="be brief",
        additional_instructions="really",
        additional_messages=[{"role": "user", "content": "last"}],
        tools=[function],
        metadata={"r": "1"},
        temperature=0.1,
        top_p=0.5,
        max_prompt_tokens=2000,
        max_completion_tokens=500,
        truncation_strategy={"type": "last_messages", "last_messages": 5},
        tool_choice="auto",
        parallel_tool_calls=False,
        response_format={"type": "json_object"},
        reasoning_effort="low",
        include=["step_details.tool_calls[*].file_search.results[*].content"],
        poll_interval_ms=50,
    )
    assert run.status == "completed", run.last_error
    sdk.beta.threads.runs.update(run.id, thread_id=thread.id, metadata={"r": "2"})
    module_llm.queue(text("again"))
    second = sdk.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "q"}], "metadata": {"a": "b"}},
        tool_resources={"code_interpreter": {"file_ids": []}},
        model="scripted-model",
        instructions="x",
        tools=[{"type": "code_interpreter"}],
        metadata={"c": "d"},
        temperature=1,
        top_p=1,
        max_prompt_tokens=1000,
        max_completion_tokens=300,
        truncation_strategy={"type": "auto"},
        tool_choice="none",
        parallel_tool_calls=True,
        response_format="auto",
        poll_interval_ms=50,
    )
    assert second.status == "completed", second.last_error
    sdk.close()

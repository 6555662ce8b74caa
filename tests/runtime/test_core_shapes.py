"""Every object kind, read back in every wire version, has exactly that version's fields:
OpenAI v2 validates against the OpenAI spec, 2024-05-01-preview carries only what the
Azure definition lists (and all it requires), v1 carries no v2-era field."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from playground.protocol.shapes import FIELDS
from tests.helpers.runtime_process import RuntimeServer, http_client, wait_until
from tests.helpers.scripted_llm import ScriptedLLM, text
from tests.helpers.spec_schema import assert_matches

SPECS = Path(__file__).resolve().parents[2] / "specs"
OPENAI = {
    "assistant": "AssistantObject",
    "thread": "ThreadObject",
    "message": "MessageObject",
    "run": "RunObject",
    "step": "RunStepObject",
    "vector_store": "VectorStoreObject",
    "vector_store_file": "VectorStoreFileObject",
    "file_batch": "VectorStoreFileBatchObject",
}
AZURE = {
    "assistant": "Assistant",
    "thread": "AssistantThread",
    "message": "ThreadMessage",
    "run": "ThreadRun",
    "step": "RunStep",
    "vector_store": "VectorStore",
    "vector_store_file": "VectorStoreFile",
    "file_batch": "VectorStoreFileBatch",
}


@cache
def _azure() -> dict[str, Any]:
    path = SPECS / "azure-openai-assistants-2024-05-01-preview.json"
    definitions: dict[str, Any] = json.loads(path.read_text())["definitions"]
    return definitions


@pytest.fixture(scope="module")
def made(llm_runtime: RuntimeServer, module_llm: ScriptedLLM) -> dict[str, str]:
    """One object of every kind; returns the paths to read them at."""
    with http_client(llm_runtime) as http:
        file_id = http.post(
            "/files", files={"file": ("notes.txt", b"cats purr")}, data={"purpose": "assistants"}
        ).json()["id"]
        store = http.post("/vector_stores", json={"name": "s", "file_ids": [file_id]}).json()
        batch = http.post(
            f"/vector_stores/{store['id']}/file_batches", json={"file_ids": [file_id]}
        ).json()
        assistant = http.post(
            "/assistants",
            json={
                "model": "scripted-model",
                "tools": [{"type": "code_interpreter"}, {"type": "file_search"}],
                "tool_resources": {"code_interpreter": {"file_ids": [file_id]}},
            },
        ).json()
        thread = http.post(
            "/threads", json={"messages": [{"role": "user", "content": "hello"}]}
        ).json()
        module_llm.queue(text("Hi!"))
        run = http.post(
            f"/threads/{thread['id']}/runs", json={"assistant_id": assistant["id"]}
        ).json()
        base = f"/threads/{thread['id']}/runs/{run['id']}"
        wait_until(lambda: http.get(base).json()["status"] == "completed")
        step = http.get(f"{base}/steps").json()["data"][0]
        message = http.get(f"/threads/{thread['id']}/messages").json()["data"][0]
    return {
        "assistant": f"/assistants/{assistant['id']}",
        "thread": f"/threads/{thread['id']}",
        "message": f"/threads/{thread['id']}/messages/{message['id']}",
        "run": base,
        "step": f"{base}/steps/{step['id']}",
        "vector_store": f"/vector_stores/{store['id']}",
        "vector_store_file": f"/vector_stores/{store['id']}/files/{file_id}",
        "file_batch": f"/vector_stores/{store['id']}/file_batches/{batch['id']}",
        "_file_id": file_id,
    }


def _get(server: RuntimeServer, path: str, version: str) -> dict[str, Any]:
    if version == "2024-05-01-preview":
        url, params, headers = server.azure_base + path, {"api-version": version}, {}
    else:
        url, params, headers = server.api_base + path, {}, {"OpenAI-Beta": f"assistants={version}"}
    headers["Authorization"] = f"Bearer {server.token}"
    response = httpx.get(url, params=params, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("kind", sorted(OPENAI))
def test_openai_v2_shapes(llm_runtime: RuntimeServer, made: dict[str, str], kind: str) -> None:
    obj = _get(llm_runtime, made[kind], "v2")
    assert_matches(OPENAI[kind], obj)
    assert set(obj) <= FIELDS["v2"][kind]


@pytest.mark.parametrize("kind", sorted(AZURE))
def test_azure_2024_05_01_shapes(
    llm_runtime: RuntimeServer, made: dict[str, str], kind: str
) -> None:
    obj = _get(llm_runtime, made[kind], "2024-05-01-preview")
    definition = _azure()[AZURE[kind]]
    assert set(obj) <= set(definition["properties"]), set(obj) - set(definition["properties"])
    assert set(definition.get("required", [])) <= set(obj)


@pytest.mark.parametrize("kind", ["assistant", "thread", "message", "run", "step"])
def test_v1_shapes_have_no_v2_fields(
    llm_runtime: RuntimeServer, made: dict[str, str], kind: str
) -> None:
    obj = _get(llm_runtime, made[kind], "v1")
    assert set(obj) <= FIELDS["v1"][kind], set(obj) - FIELDS["v1"][kind]
    if kind == "run":
        # v1 runs list the files their assistant had.
        assert obj["file_ids"] == [made["_file_id"]]
        assert {"tool_resources", "parallel_tool_calls"}.isdisjoint(obj)
    if kind == "assistant":
        assert obj["file_ids"] == [made["_file_id"]]
        assert {"tools"} <= set(obj) and {"type": "retrieval"} in obj["tools"]

"""Azure-style paths: api-version selects v1 or v2 shapes; the AzureOpenAI SDK works."""

from __future__ import annotations

import json

import httpx
import pytest

from playground.protocol.sse import decode_all
from tests.helpers.spec_schema import assert_matches

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

V1 = {"api-version": "2024-02-15-preview"}
V2 = {"api-version": "2024-05-01-preview"}


@pytest.fixture
def azure(runtime):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=runtime.azure_base, headers={"api-key": runtime.token}) as client:
        yield client


def _file(azure) -> str:  # type: ignore[no-untyped-def]
    return azure.post(
        "/files",
        params=V2,
        files={"file": ("k.txt", b"knowledge text")},
        data={"purpose": "assistants"},
    ).json()["id"]


def test_v1_assistant_shapes_and_files(azure) -> None:  # type: ignore[no-untyped-def]
    file_id = _file(azure)
    created = azure.post(
        "/assistants",
        params=V1,
        json={"model": "gpt-4", "tools": [{"type": "retrieval"}], "file_ids": [file_id]},
    )
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["tools"] == [{"type": "retrieval"}]
    assert body["file_ids"] == [file_id]
    assert "tool_resources" not in body
    # The same object read as v2: canonical storage.
    as_v2 = azure.get(f"/assistants/{body['id']}", params=V2).json()
    assert_matches("AssistantObject", as_v2)
    assert as_v2["tools"] == [{"type": "file_search"}]
    assert as_v2["tool_resources"]["code_interpreter"]["file_ids"] == [file_id]
    assert len(as_v2["tool_resources"]["file_search"]["vector_store_ids"]) == 1

    files = azure.get(f"/assistants/{body['id']}/files", params=V1).json()
    assert [f["id"] for f in files["data"]] == [file_id]
    assert files["data"][0]["object"] == "assistant.file"
    second = _file(azure)
    attached = azure.post(
        f"/assistants/{body['id']}/files", params=V1, json={"file_id": second}
    ).json()
    assert attached == {
        **attached,
        "id": second,
        "object": "assistant.file",
        "assistant_id": body["id"],
    }
    gone = azure.delete(f"/assistants/{body['id']}/files/{file_id}", params=V1).json()
    assert gone == {"id": file_id, "object": "assistant.file.deleted", "deleted": True}
    assert azure.get(f"/assistants/{body['id']}", params=V1).json()["file_ids"] == [second]


def test_v1_rejects_v2_tools_and_v2_rejects_retrieval(azure) -> None:  # type: ignore[no-untyped-def]
    v1 = azure.post(
        "/assistants", params=V1, json={"model": "m", "tools": [{"type": "file_search"}]}
    )
    assert v1.status_code == 400
    # Azure's text on an old api-version (wire reference §7.1), then which version has it.
    assert v1.json()["error"]["message"] == (
        "Invalid value: 'file_search'. Supported values are: 'code_interpreter', 'function', "
        "and 'retrieval'. 'file_search' is an Assistants v2 tool."
    )
    assert v1.json()["error"]["param"] == "tools[0].type"
    v2 = azure.post("/assistants", params=V2, json={"model": "m", "tools": [{"type": "retrieval"}]})
    assert v2.status_code == 400 and v2.json()["error"]["code"] == "invalid_value"


def test_v1_messages_use_file_ids(azure) -> None:  # type: ignore[no-untyped-def]
    file_id = _file(azure)
    thread = azure.post("/threads", params=V1, json={}).json()
    assert "tool_resources" not in thread
    message = azure.post(
        f"/threads/{thread['id']}/messages",
        params=V1,
        json={"role": "user", "content": "hi", "file_ids": [file_id]},
    ).json()
    assert message["file_ids"] == [file_id] and "attachments" not in message
    listed = azure.get(f"/threads/{thread['id']}/messages/{message['id']}/files", params=V1).json()
    assert listed["data"][0] == {
        "id": file_id,
        "object": "thread.message.file",
        "created_at": message["created_at"],
        "message_id": message["id"],
    }
    as_v2 = azure.get(f"/threads/{thread['id']}/messages/{message['id']}", params=V2).json()
    assert_matches("MessageObject", as_v2)
    assert as_v2["attachments"][0]["file_id"] == file_id
    parts = azure.post(
        f"/threads/{thread['id']}/messages",
        params=V1,
        json={"role": "user", "content": [{"type": "text", "text": "x"}]},
    )
    assert parts.status_code == 400


def test_api_version_errors(azure) -> None:  # type: ignore[no-untyped-def]
    missing = azure.get("/assistants")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "missing_api_version"
    for version in ("2024-02-01", "2023-12-01-preview", "banana"):
        response = azure.get("/assistants", params={"api-version": version})
        assert response.status_code == 404, version
        assert response.json()["error"]["code"] == "unsupported_api_version"
    assert azure.get("/assistants", params={"api-version": "2025-04-01-preview"}).status_code == 200


def test_azure_sdk_client(runtime) -> None:  # type: ignore[no-untyped-def]
    import openai

    client = openai.AzureOpenAI(
        azure_endpoint=runtime.base_url,
        api_key=runtime.token,
        api_version="2024-05-01-preview",
        max_retries=0,
    )
    assistant = client.beta.assistants.create(model="deployment", name="azure")
    assert client.beta.assistants.retrieve(assistant.id).name == "azure"
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    assert client.beta.threads.messages.list(thread.id).data[0].content[0].text.value == "hello"
    client.close()


def test_v1_stream_events_use_v1_shapes(azure) -> None:  # type: ignore[no-untyped-def]
    """The runtime fixture has no model, so the run fails — its events still show v1 shapes."""
    v1 = {"api-version": "2024-04-01-preview"}
    assistant = azure.post(
        "/assistants", params=v1, json={"model": "m", "tools": [{"type": "retrieval"}]}
    ).json()
    events: list[tuple[str, str]] = []
    with azure.stream(
        "POST",
        "/threads/runs",
        params=v1,
        json={
            "assistant_id": assistant["id"],
            "stream": True,
            "thread": {"messages": [{"role": "user", "content": "q"}]},
        },
    ) as response:
        assert response.status_code == 200
        events.extend((e.event, e.data) for e in decode_all(response.read()))
    names = [n for n, _ in events]
    assert names[:2] == ["thread.created", "thread.run.created"]
    assert names[-2:] == ["thread.run.failed", "done"]
    thread = json.loads(events[0][1])
    assert "tool_resources" not in thread
    created = json.loads(events[1][1])
    assert created["tools"] == [{"type": "retrieval"}] and created["file_ids"] == []
    failed = json.loads(events[-2][1])
    assert failed["last_error"]["code"] == "server_error"

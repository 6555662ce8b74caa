"""Threads and messages: create with messages, list order and filters, modify, delete."""

from __future__ import annotations

import pytest

from tests.helpers.spec_schema import assert_matches

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_thread_with_messages_via_sdk(sdk) -> None:  # type: ignore[no-untyped-def]
    thread = sdk.beta.threads.create(
        messages=[
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": [{"type": "text", "text": "second"}]},
        ],
        metadata={"k": "v"},
    )
    raw = sdk.beta.threads.with_raw_response.retrieve(thread.id)
    assert_matches("ThreadObject", raw.http_response.json())
    listed = sdk.beta.threads.messages.with_raw_response.list(thread.id, order="asc")
    body = listed.http_response.json()
    assert_matches("ListMessagesResponse", body)
    texts = [m["content"][0]["text"]["value"] for m in body["data"]]
    assert texts == ["first", "second"]
    assert [m["role"] for m in body["data"]] == ["user", "assistant"]
    for message in body["data"]:
        assert_matches("MessageObject", message)
        assert message["thread_id"] == thread.id and message["status"] == "completed"

    added = sdk.beta.threads.messages.create(thread.id, role="user", content="third")
    newest = sdk.beta.threads.messages.list(thread.id, limit=1)
    assert [m.id for m in newest.data] == [added.id]

    changed = sdk.beta.threads.messages.update(added.id, thread_id=thread.id, metadata={"x": "1"})
    assert changed.metadata == {"x": "1"}
    removed = sdk.beta.threads.messages.delete(added.id, thread_id=thread.id)
    assert removed.deleted is True
    assert len(sdk.beta.threads.messages.list(thread.id).data) == 2

    modified = sdk.beta.threads.update(thread.id, metadata={"k": "w"})
    assert modified.metadata == {"k": "w"}
    assert sdk.beta.threads.delete(thread.id).deleted is True
    import openai

    with pytest.raises(openai.NotFoundError):
        sdk.beta.threads.retrieve(thread.id)
    with pytest.raises(openai.NotFoundError):
        sdk.beta.threads.messages.list(thread.id)


def test_message_validation(http) -> None:  # type: ignore[no-untyped-def]
    thread = http.post("/threads", json={}).json()
    url = f"/threads/{thread['id']}/messages"
    cases = [
        ({"role": "system", "content": "x"}, "role"),
        ({"role": "user", "content": []}, "content"),
        ({"role": "user", "content": [{"type": "audio"}]}, "content[0].type"),
        (
            {
                "role": "user",
                "content": "x",
                "attachments": [{"file_id": "file-none", "tools": []}],
            },
            "attachments[0].file_id",
        ),
    ]
    for body, param in cases:
        response = http.post(url, json=body)
        assert response.status_code == 400, body
        assert response.json()["error"]["param"] == param
    bad_json = http.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400
    assert "could not parse the JSON body" in bad_json.json()["error"]["message"]
    # A bad initial message leaves no thread behind.
    before = http.post("/threads", json={"messages": [{"role": "user", "content": 5}]})
    assert before.status_code == 400 and before.json()["error"]["param"] == "messages[0].content"


def test_image_url_part_and_unknown_message(http) -> None:  # type: ignore[no-untyped-def]
    thread = http.post("/threads", json={}).json()
    message = http.post(
        f"/threads/{thread['id']}/messages",
        json={
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}}
            ],
        },
    ).json()
    assert message["content"] == [
        {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}}
    ]
    missing = http.get(f"/threads/{thread['id']}/messages/msg_nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "No message found with id 'msg_nope'."

"""Vector stores, their files and file batches, with real ingestion into file search."""

from __future__ import annotations

import io

import pytest

from tests.helpers.runtime_process import wait_until
from tests.helpers.spec_schema import assert_matches

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _upload(sdk, name: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    return sdk.files.create(file=(name, io.BytesIO(data)), purpose="assistants").id


def test_store_with_files_ingests_and_counts(sdk, http) -> None:  # type: ignore[no-untyped-def]
    good = _upload(sdk, "notes.md", b"# Notes\nThe launch code word is pineapple.\n")
    bad = _upload(sdk, "image.png", b"\x89PNG\r\n\x1a\n binary")
    store = sdk.vector_stores.create(name="docs", file_ids=[good, bad], metadata={"a": "b"})
    assert store.id.startswith("vs_") and store.name == "docs"

    def settled():  # type: ignore[no-untyped-def]
        body = http.get(f"/vector_stores/{store.id}").json()
        return body if body["file_counts"]["in_progress"] == 0 else None

    body = wait_until(settled)
    assert_matches("VectorStoreObject", body)
    assert body["status"] == "completed"
    assert body["file_counts"] == {
        "in_progress": 0,
        "completed": 1,
        "failed": 1,
        "cancelled": 0,
        "total": 2,
    }
    assert body["usage_bytes"] > 0

    good_file = http.get(f"/vector_stores/{store.id}/files/{good}").json()
    assert_matches("VectorStoreFileObject", good_file)
    assert good_file["status"] == "completed" and good_file["last_error"] is None
    bad_file = http.get(f"/vector_stores/{store.id}/files/{bad}").json()
    assert bad_file["status"] == "failed"
    assert bad_file["last_error"]["code"] == "unsupported_file"
    assert bad_file["last_error"]["message"]

    failed = http.get(f"/vector_stores/{store.id}/files", params={"filter": "failed"}).json()
    assert_matches("ListVectorStoreFilesResponse", failed)
    assert [f["id"] for f in failed["data"]] == [bad]
    assert http.get(f"/vector_stores/{store.id}/files", params={"filter": "x"}).status_code == 400

    detached = sdk.vector_stores.files.delete(bad, vector_store_id=store.id)
    assert detached.deleted is True
    assert sdk.files.retrieve(bad).id == bad  # the File itself survives
    after = http.get(f"/vector_stores/{store.id}").json()
    assert after["file_counts"]["total"] == 1

    renamed = sdk.vector_stores.update(store.id, name="renamed")
    assert renamed.name == "renamed"
    assert store.id in [s.id for s in sdk.vector_stores.list()]
    assert sdk.vector_stores.delete(store.id).deleted is True
    assert http.get(f"/vector_stores/{store.id}").status_code == 404


def test_file_batch_create_and_poll(sdk, http) -> None:  # type: ignore[no-untyped-def]
    store = sdk.vector_stores.create(name="batch")
    ids = [
        _upload(sdk, f"doc{i}.txt", f"document number {i} about topic {i}".encode())
        for i in range(3)
    ]
    batch = sdk.vector_stores.file_batches.create_and_poll(
        vector_store_id=store.id, file_ids=ids, poll_interval_ms=50
    )
    assert batch.status == "completed"
    assert batch.file_counts.completed == 3 and batch.file_counts.total == 3
    raw = http.get(f"/vector_stores/{store.id}/file_batches/{batch.id}").json()
    assert_matches("VectorStoreFileBatchObject", raw)
    files = sdk.vector_stores.file_batches.list_files(batch_id=batch.id, vector_store_id=store.id)
    assert sorted(f.id for f in files) == sorted(ids)
    again = http.post(f"/vector_stores/{store.id}/file_batches/{batch.id}/cancel")
    assert again.status_code == 400


def test_vector_store_validation(http) -> None:  # type: ignore[no-untyped-def]
    missing = http.post("/vector_stores", json={"file_ids": ["file-nope"]})
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "file_ids[0]"
    chunking = http.post(
        "/vector_stores",
        json={
            "chunking_strategy": {
                "type": "static",
                "static": {"max_chunk_size_tokens": 50, "chunk_overlap_tokens": 0},
            }
        },
    )
    assert chunking.status_code == 400
    assert chunking.json()["error"]["param"] == "chunking_strategy.static.max_chunk_size_tokens"
    empty_batch = http.post("/vector_stores/vs_nope/file_batches", json={"file_ids": []})
    assert empty_batch.status_code == 404
    v1 = http.get("/vector_stores", headers={"OpenAI-Beta": "assistants=v1"})
    assert v1.status_code == 400


def test_inline_store_and_attachment_store(http) -> None:  # type: ignore[no-untyped-def]
    file_id = http.post(
        "/files", files={"file": ("a.txt", b"alpha beta")}, data={"purpose": "assistants"}
    ).json()["id"]
    assistant = http.post(
        "/assistants",
        json={
            "model": "m",
            "tools": [{"type": "file_search"}],
            "tool_resources": {"file_search": {"vector_stores": [{"file_ids": [file_id]}]}},
        },
    ).json()
    store_ids = assistant["tool_resources"]["file_search"]["vector_store_ids"]
    assert len(store_ids) == 1
    assert http.get(f"/vector_stores/{store_ids[0]}/files/{file_id}").status_code == 200
    thread = http.post("/threads", json={}).json()
    http.post(
        f"/threads/{thread['id']}/messages",
        json={
            "role": "user",
            "content": "see file",
            "attachments": [{"file_id": file_id, "tools": [{"type": "file_search"}]}],
        },
    ).raise_for_status()
    refreshed = http.get(f"/threads/{thread['id']}").json()
    thread_stores = refreshed["tool_resources"]["file_search"]["vector_store_ids"]
    assert len(thread_stores) == 1 and thread_stores != store_ids
    wait_until(
        lambda: (
            http.get(f"/vector_stores/{thread_stores[0]}/files/{file_id}").json()["status"]
            == "completed"
        )
    )

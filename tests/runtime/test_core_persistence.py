"""Everything survives a restart; runs active at shutdown are failed on the next start."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.runtime_process import http_client, start_runtime, wait_until
from tests.helpers.scripted_llm import ScriptedLLM, tool_calls

TOOL = {"type": "function", "function": {"name": "lookup"}}


def test_objects_and_files_survive_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    payload = bytes(range(256)) * 40
    with ScriptedLLM() as llm:
        llm.queue(tool_calls(("lookup", {})))
        with (
            start_runtime(data, model_base_url=llm.base_url) as server,
            http_client(server) as client,
        ):
            assistant = client.post(
                "/assistants", json={"model": "scripted-model", "tools": [TOOL], "name": "keep"}
            ).json()
            thread = client.post(
                "/threads", json={"messages": [{"role": "user", "content": "remember me"}]}
            ).json()
            file_id = client.post(
                "/files", files={"file": ("d.bin", payload)}, data={"purpose": "assistants"}
            ).json()["id"]
            store = client.post("/vector_stores", json={"name": "kept"}).json()
            run = client.post(
                f"/threads/{thread['id']}/runs", json={"assistant_id": assistant["id"]}
            ).json()
            wait_until(
                lambda: (
                    client.get(f"/threads/{thread['id']}/runs/{run['id']}").json()["status"]
                    == "requires_action"
                )
            )

    with start_runtime(data) as server, http_client(server) as client:
        assert client.get(f"/assistants/{assistant['id']}").json()["name"] == "keep"
        messages = client.get(f"/threads/{thread['id']}/messages").json()["data"]
        assert [m["content"][0]["text"]["value"] for m in messages] == ["remember me"]
        assert client.get(f"/files/{file_id}/content").content == payload
        assert client.get(f"/vector_stores/{store['id']}").json()["name"] == "kept"
        recovered = client.get(f"/threads/{thread['id']}/runs/{run['id']}").json()
        assert recovered["status"] == "failed"
        assert recovered["last_error"]["code"] == "server_error"
        # The thread is usable again.
        assert (
            client.post(
                f"/threads/{thread['id']}/messages", json={"role": "user", "content": "again"}
            ).status_code
            == 200
        )


def test_a_stored_object_that_no_longer_fits_gets_a_plain_500(tmp_path: Path) -> None:
    """Damaged data (a bug, or a newer version's rows) is refused with the field named,
    not sent to a client that would fail on it far from the cause."""
    import json
    import sqlite3

    data = tmp_path / "data"
    with start_runtime(data) as server, http_client(server) as client:
        good = client.post("/assistants", json={"model": "m", "name": "good"}).json()
        bad = client.post("/assistants", json={"model": "m", "name": "bad"}).json()
    with sqlite3.connect(data / "runtime.sqlite3") as db:
        (row,) = db.execute("SELECT data FROM objects WHERE id = ?", (bad["id"],)).fetchone()
        damaged = {**json.loads(row), "tools": "not a list"}
        db.execute("UPDATE objects SET data = ? WHERE id = ?", (json.dumps(damaged), bad["id"]))
    with start_runtime(data) as server, http_client(server) as client:
        response = client.get(f"/assistants/{bad['id']}")
        assert response.status_code == 500
        error = response.json()["error"]
        assert error["type"] == "server_error" and bad["id"] in error["message"]
        assert "tools" in error["message"]
        assert client.get(f"/assistants/{good['id']}").json()["name"] == "good"

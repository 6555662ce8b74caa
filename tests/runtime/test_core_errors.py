"""Every error is the OpenAI JSON shape: unknown routes, unknown ids, bad bodies."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers.spec_schema import assert_matches


@pytest.mark.parametrize(
    "path",
    ["/v1/nothing/here", "/openai/nothing?api-version=2024-05-01-preview", "/", "/v2/assistants"],
)
def test_unknown_routes_are_json_404(runtime, path) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(runtime.base_url + path, headers=runtime.headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert_matches("ErrorResponse", response.json())
    assert response.json()["error"]["code"] == "unknown_url"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/assistants/asst_x", "No assistant found with id 'asst_x'."),
        ("/threads/thread_x", "No thread found with id 'thread_x'."),
        ("/files/file-x", "No file found with id 'file-x'."),
        ("/vector_stores/vs_x", "No vector store found with id 'vs_x'."),
    ],
)
def test_unknown_ids_are_404_with_plain_message(http, path, message) -> None:  # type: ignore[no-untyped-def]
    response = http.get(path)
    assert response.status_code == 404
    assert response.json() == {
        "error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    }


def test_bad_bodies(http) -> None:  # type: ignore[no-untyped-def]
    array = http.post("/assistants", json=[1, 2])
    assert (
        array.status_code == 400
        and array.json()["error"]["message"] == "The request body must be a JSON object."
    )
    empty = http.post("/assistants", content=b"")
    assert empty.status_code == 400
    binary = http.post(
        "/threads", content=b"\xff\xfe\x00", headers={"Content-Type": "application/json"}
    )
    assert binary.status_code == 400
    assert_matches("ErrorResponse", binary.json())

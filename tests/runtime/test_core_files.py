"""Files: multipart upload, byte-exact content, list filters, delete, size limit (413)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import httpx
import pytest

from tests.helpers.runtime_process import start_runtime
from tests.helpers.spec_schema import assert_matches


def test_upload_download_list_delete(sdk, http) -> None:  # type: ignore[no-untyped-def]
    payload = os.urandom(300_000) + b"\x00\xff" * 10
    uploaded = sdk.files.create(file=("blob.bin", io.BytesIO(payload)), purpose="assistants")
    assert uploaded.bytes == len(payload) and uploaded.filename == "blob.bin"
    assert_matches("OpenAIFile", http.get(f"/files/{uploaded.id}").json())
    assert sdk.files.content(uploaded.id).read() == payload

    vision = sdk.files.create(file=("pic.png", io.BytesIO(b"\x89PNG fake")), purpose="vision")
    listed = http.get("/files", params={"purpose": "vision"}).json()
    assert_matches("ListFilesResponse", listed)
    assert [f["id"] for f in listed["data"]] == [vision.id]
    all_ids = [f.id for f in sdk.files.list()]
    assert {uploaded.id, vision.id} <= set(all_ids)

    gone = sdk.files.delete(uploaded.id)
    assert gone.deleted is True and gone.object == "file"
    assert http.get(f"/files/{uploaded.id}/content").status_code == 404
    assert http.get(f"/files/{uploaded.id}").json()["error"]["message"] == (
        f"No file found with id '{uploaded.id}'."
    )


def test_upload_errors(http) -> None:  # type: ignore[no-untyped-def]
    no_purpose = http.post("/files", files={"file": ("a.txt", b"hi")})
    assert no_purpose.status_code == 400 and no_purpose.json()["error"]["param"] == "purpose"
    bad_purpose = http.post("/files", files={"file": ("a.txt", b"hi")}, data={"purpose": "nope"})
    assert bad_purpose.status_code == 400 and bad_purpose.json()["error"]["code"] == "invalid_value"
    no_file = http.post("/files", data={"purpose": "assistants"}, files={"other": ("x", b"1")})
    assert no_file.status_code == 400 and no_file.json()["error"]["param"] == "file"
    json_body = http.post("/files", json={"purpose": "assistants"})
    assert json_body.status_code == 400
    assert http.get("/files", params={"before": "file-x"}).status_code == 400


def test_oversize_upload_is_413(tmp_path: Path) -> None:
    with start_runtime(tmp_path / "data", extra_args=["--max-upload-bytes", "1000"]) as server:
        with httpx.Client(base_url=server.api_base, headers=server.headers) as client:
            small = client.post(
                "/files", files={"file": ("s.txt", b"x" * 1000)}, data={"purpose": "assistants"}
            )
            assert small.status_code == 200
            big = client.post(
                "/files", files={"file": ("b.txt", b"x" * 1001)}, data={"purpose": "assistants"}
            )
            assert big.status_code == 413
            assert big.json()["error"]["code"] == "file_too_large"
            huge = client.post(
                "/files", files={"file": ("h.txt", b"x" * 200_000)}, data={"purpose": "assistants"}
            )
            assert huge.status_code == 413
            listed = client.get("/files").json()["data"]
            assert [f["filename"] for f in listed] == ["s.txt"]
            leftovers = [
                p.name for p in (server.data_dir / "files").iterdir() if p.name.startswith(".")
            ]
            assert leftovers == []


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_unknown_methods_are_405_json(http, method) -> None:  # type: ignore[no-untyped-def]
    response = http.request(method, "/files")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_chunked_oversize_upload_is_413(tmp_path: Path) -> None:
    """Without Content-Length the body is counted as it arrives."""
    with start_runtime(tmp_path / "data", extra_args=["--max-upload-bytes", "1000"]) as server:
        boundary = "xyzBOUNDARY"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()

        def body():  # type: ignore[no-untyped-def]
            yield head
            for _ in range(40):
                yield b"y" * 4096
            yield f"\r\n--{boundary}--\r\n".encode()

        response = httpx.post(
            server.api_base + "/files",
            content=body(),
            headers={**server.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "file_too_large"

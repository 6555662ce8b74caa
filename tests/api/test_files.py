"""File upload (multipart, progress) and download (bytes or path, progress)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import httpx
import pytest

from playground.api import APIConnectionError, InvalidRequestError, NotFoundError

from .conftest import error, ok

FILE = {
    "id": "file-abc",
    "object": "file",
    "bytes": 0,
    "filename": "notes.txt",
    "purpose": "assistants",
}


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Field name -> (filename, bytes), using the standard library's MIME parser."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    return {
        str(part.get_param("name", header="content-disposition")): (
            part.get_filename(),
            bytes(part.get_payload(decode=True)),
        )
        for part in message.iter_parts()
    }


async def echo_upload(request: httpx.Request) -> httpx.Response:
    return ok(FILE)


async def test_upload_from_path_with_progress(make, tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000  # 256 000 bytes: several chunks
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    progress: list[tuple[int, int | None]] = []
    h = make(echo_upload)
    result = await h.client.files.upload(
        path, purpose="assistants", on_progress=lambda d, t: progress.append((d, t))
    )
    assert result.id == "file-abc"
    seen = h.server.seen[0]
    assert seen.path == "/v1/files"
    assert "openai-beta" not in seen.headers
    assert int(seen.headers["content-length"]) == len(seen.body)
    fields = parse_multipart(seen.headers["content-type"], seen.body)
    assert fields["purpose"] == (None, b"assistants")
    assert fields["file"] == ("data.bin", data)
    assert progress[0] == (0, len(data)) and progress[-1] == (len(data), len(data))
    assert len(progress) > 3
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert (
        h.log[0].request_body
        == f"<multipart upload: data.bin, {len(data)} bytes, purpose assistants>"
    )


async def test_upload_bytes_with_awkward_name(make) -> None:
    h = make(echo_upload)
    await h.client.files.upload(b"hello", filename='r\u00e9sum\u00e9 "v2".txt', purpose="vision")
    fields = parse_multipart(h.server.seen[0].headers["content-type"], h.server.seen[0].body)
    assert fields["file"][1] == b"hello"
    assert fields["purpose"][1] == b"vision"
    assert fields["file"][0] is not None and "sum" in fields["file"][0]


async def test_upload_retried_after_rate_limit_sends_the_whole_body_again(make) -> None:
    answers = [error(429), ok(FILE)]

    async def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    h = make(handler)
    await h.client.files.upload(b"x" * 100_000, filename="big.txt")
    first, second = h.server.seen
    assert first.body == second.body and len(second.body) > 100_000


async def test_upload_bad_input(make, tmp_path: Path) -> None:
    h = make(echo_upload)
    with pytest.raises(InvalidRequestError, match="no file"):
        await h.client.files.upload(tmp_path / "missing.txt")
    with pytest.raises(InvalidRequestError, match="file name"):
        await h.client.files.upload(b"abc")
    assert h.server.seen == []


CONTENT = b"\x89PNG" + bytes(200_000)


async def serve_content(request: httpx.Request) -> httpx.Response:
    assert request.url.path == "/v1/files/file-img/content"
    return httpx.Response(200, content=CONTENT, headers={"content-type": "image/png"})


async def test_download_bytes_with_progress(make) -> None:
    progress: list[tuple[int, int | None]] = []
    h = make(serve_content)
    data = await h.client.files.download(
        "file-img", on_progress=lambda d, t: progress.append((d, t))
    )
    assert data == CONTENT
    assert progress[0] == (0, len(CONTENT))
    assert progress[-1] == (len(CONTENT), len(CONTENT))
    assert h.log[0].streamed and "not captured" in (h.log[0].response_body or "")


async def test_download_to_path(make, tmp_path: Path) -> None:
    h = make(serve_content)
    target = tmp_path / "out.png"
    assert await h.client.files.download_to("file-img", target) == target
    assert target.read_bytes() == CONTENT
    assert not (tmp_path / "out.png.part").exists()


class Broken(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"partial data"
        raise httpx.ReadError("reset")


async def test_failed_download_leaves_nothing_behind(make, tmp_path: Path) -> None:
    async def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Broken(), headers={"content-length": "1000"})

    h = make(broken)
    target = tmp_path / "out.bin"
    with pytest.raises(APIConnectionError, match="download broke off"):
        await h.client.files.download_to("file-x", target)
    assert os.listdir(tmp_path) == []


async def test_download_of_missing_file(make, tmp_path: Path) -> None:
    async def missing(request: httpx.Request) -> httpx.Response:
        return error(404, "No such File object: file-x")

    h = make(missing)
    with pytest.raises(NotFoundError, match="No such File"):
        await h.client.files.download_to("file-x", tmp_path / "x")
    assert os.listdir(tmp_path) == []

"""``/files``: upload (multipart, with progress), list, read, download, delete.

The multipart body is written by hand as an async byte stream so progress can be
reported per chunk and a retry can start the stream afresh. Downloads stream to memory
or to a ``.part`` file that replaces the target only when complete.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx

from ...protocol import DeletedObject, FileObject
from ..constants import TRANSFER_CHUNK_SIZE
from ..errors import APIConnectionError, APITimeoutError, InvalidRequestError
from ..pagination import AsyncPager, list_params
from ..transport import Call
from .base import Resource, seg

#: ``(done_bytes, total_bytes or None)``, called as bytes go out or come in.
Progress = Callable[[int, int | None], None]


def _quote_filename(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "").replace("\n", "")


class Files(Resource):
    async def upload(
        self,
        file: Path | bytes,
        *,
        purpose: str = "assistants",
        filename: str | None = None,
        on_progress: Progress | None = None,
    ) -> FileObject:
        """Upload a file from a path or from bytes (then ``filename`` is required)."""
        if isinstance(file, Path):
            found = await asyncio.to_thread(_size_of, file)
            if found is None:
                raise InvalidRequestError(f"There is no file at {file}.")
            size = found
            name = filename or file.name
        else:
            if not filename:
                raise InvalidRequestError("A file name is needed to upload bytes.")
            size = len(file)
            name = filename
        if not purpose:
            raise InvalidRequestError("The file purpose is empty (use 'assistants' or 'vision').")
        boundary = uuid.uuid4().hex
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n{purpose}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{_quote_filename(name)}"\r\nContent-Type: {media_type}\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        async def body() -> AsyncIterator[bytes]:
            yield head
            done = 0
            if on_progress:
                on_progress(0, size)
            if isinstance(file, bytes):
                chunks: AsyncIterator[bytes] = _bytes_chunks(file)
            else:
                chunks = _file_chunks(file)
            async for chunk in chunks:
                done += len(chunk)
                yield chunk
                if on_progress:
                    on_progress(done, size)
            yield tail

        call = Call(
            "POST",
            "/files",
            content=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            content_length=len(head) + size + len(tail),
            log_body=f"<multipart upload: {name}, {size} bytes, purpose {purpose}>",
            idempotent=False,
        )
        return await self._call(call, FileObject, "file")

    async def retrieve(self, file_id: str) -> FileObject:
        return await self._get(f"/files/{seg(file_id, 'file id')}", FileObject, "file")

    async def delete(self, file_id: str) -> DeletedObject:
        return await self._delete(f"/files/{seg(file_id, 'file id')}", "file")

    def list(
        self,
        *,
        purpose: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
    ) -> AsyncPager[FileObject]:
        """All files (old servers answer without cursors: one page, then done)."""
        params = list_params(limit=limit, order=order, after=after, purpose=purpose)
        return self._pager("/files", FileObject, "files", params)

    async def download(self, file_id: str, *, on_progress: Progress | None = None) -> bytes:
        """The file's content in memory."""
        parts: list[bytes] = []
        async for chunk in self._download(file_id, on_progress):
            parts.append(chunk)
        return b"".join(parts)

    async def download_to(
        self, file_id: str, path: Path, *, on_progress: Progress | None = None
    ) -> Path:
        """Stream the content to ``path``; a failed download leaves no partial file."""
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("wb") as out:
                async for chunk in self._download(file_id, on_progress):
                    out.write(chunk)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return path

    async def _download(self, file_id: str, on_progress: Progress | None) -> AsyncIterator[bytes]:
        call = Call("GET", f"/files/{seg(file_id, 'file id')}/content", stream=True)
        response = await self._t.send(call)
        try:
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            if on_progress:
                on_progress(0, total)
            async for chunk in response.aiter_bytes(TRANSFER_CHUNK_SIZE):
                done += len(chunk)
                yield chunk
                if on_progress:
                    on_progress(done, total)
        except httpx.TimeoutException as exc:
            raise APITimeoutError("The download stalled: no data arrived in time.") from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"The download broke off: {exc or type(exc).__name__}."
            ) from exc
        finally:
            await response.aclose()


def _size_of(path: Path) -> int | None:
    return path.stat().st_size if path.is_file() else None


async def _bytes_chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), TRANSFER_CHUNK_SIZE):
        yield data[start : start + TRANSFER_CHUNK_SIZE]


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    # Reads go to a thread so a slow disk never stalls the UI's event loop.
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, TRANSFER_CHUNK_SIZE):
            yield chunk
    finally:
        handle.close()

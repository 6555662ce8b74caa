"""``/files``: multipart upload (size-limited), list, retrieve, content, delete."""

from __future__ import annotations

import asyncio
import mimetypes
import shutil
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive

from ..errors import ApiError, bad_request, not_found
from ..file_names import file_name_problem, shown
from ..pagination import list_envelope, parse_page_query
from ..store import public
from .common import load, path
from .context import ctx
from .dialect import checked, dialect

UPLOAD_PURPOSES = ("assistants", "vision", "batch", "fine-tune", "user_data", "evals")
# Multipart framing around the file part; keeps the early Content-Length check fair.
_FRAMING_ALLOWANCE = 64 * 1024


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"The file is too large: this server accepts uploads up to {limit} bytes.",
        param="file",
        code="file_too_large",
    )


def _capped(receive: Receive, limit: int) -> Receive:
    """Wrap ``receive`` so a body (even chunked, without Content-Length) stops at the limit."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit + _FRAMING_ALLOWANCE:
                raise _too_large(limit)
        return message

    return capped


def _copy(upload: Any, target: Path) -> int:
    with target.open("wb") as out:
        shutil.copyfileobj(upload, out, 1024 * 1024)
    return target.stat().st_size


async def upload_file(request: Request) -> Response:
    dialect(request)
    context = ctx(request)
    limit = context.config.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + _FRAMING_ALLOWANCE:
        raise _too_large(limit)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise bad_request(
            "Uploads must be sent as multipart/form-data with a 'file' part and a 'purpose' field.",
            param="file",
        )
    try:
        form = await Request(request.scope, _capped(request.receive, limit)).form(
            max_files=1, max_fields=10
        )
    except ApiError:
        raise
    except Exception as exc:
        raise bad_request(f"The multipart body could not be read: {exc}", param="file") from None
    try:
        upload = form.get("file")
        purpose = form.get("purpose")
        if not isinstance(upload, UploadFile):
            raise bad_request("Missing required parameter: 'file' (a file part).", param="file")
        if not isinstance(purpose, str) or not purpose:
            raise bad_request("Missing required parameter: 'purpose'.", param="purpose")
        if purpose not in UPLOAD_PURPOSES:
            raise bad_request(
                f"Invalid value for 'purpose': '{purpose}'. Supported values are: "
                + ", ".join(f"'{p}'" for p in UPLOAD_PURPOSES)
                + ".",
                param="purpose",
                code="invalid_value",
            )
        if upload.size is not None and upload.size > limit:
            raise _too_large(limit)
        override = form.get("filename")
        named_by = "filename" if isinstance(override, str) and override else "file"
        filename = override if named_by == "filename" else (upload.filename or "upload")
        assert isinstance(filename, str)
        problem = file_name_problem(filename)
        if problem is not None:
            raise bad_request(
                f"Invalid file name {shown(filename)}: {problem}.",
                param=named_by,
                code="invalid_file_name",
            )
        temp = context.store.new_upload_path()
        try:
            size = await asyncio.to_thread(_copy, upload.file, temp)
            if size > limit:
                raise _too_large(limit)
            file_obj = await context.store.adopt_file(temp, filename, purpose, size)
        finally:
            await asyncio.to_thread(temp.unlink, True)
    finally:
        await form.close()
    return JSONResponse(checked("file", public(file_obj)))


async def list_files(request: Request) -> Response:
    dialect(request)
    query = parse_page_query(
        request.query_params, max_limit=10000, default_limit=10000, allow_before=False
    )
    purpose = request.query_params.get("purpose")
    where, args = ("json_extract(data, '$.purpose') = ?", (purpose,)) if purpose else ("", ())
    items, has_more = await ctx(request).store.list_page(
        "file", query, where=where, where_args=args
    )
    return JSONResponse(list_envelope([checked("file", public(i)) for i in items], has_more))


async def get_file(request: Request) -> Response:
    dialect(request)
    return JSONResponse(
        checked("file", public(await load(request, "file", path(request, "file_id"))))
    )


async def file_content(request: Request) -> Response:
    dialect(request)
    file_obj = await load(request, "file", path(request, "file_id"))
    location = ctx(request).store.file_path(file_obj["id"])
    if not await asyncio.to_thread(location.is_file):
        raise ApiError(
            500, f"The bytes of file '{file_obj['id']}' are missing from the data folder."
        )
    media_type = mimetypes.guess_type(file_obj["filename"])[0] or "application/octet-stream"
    return FileResponse(location, media_type=media_type, filename=file_obj["filename"])


async def delete_file(request: Request) -> Response:
    dialect(request)
    file_id = path(request, "file_id")
    if not await ctx(request).store.delete_file(file_id):
        raise not_found("file", file_id)
    return JSONResponse({"id": file_id, "object": "file", "deleted": True})


routes = [
    Route("/files", upload_file, methods=["POST"]),
    Route("/files", list_files, methods=["GET"]),
    Route("/files/{file_id}", get_file, methods=["GET"]),
    Route("/files/{file_id}", delete_file, methods=["DELETE"]),
    Route("/files/{file_id}/content", file_content, methods=["GET"]),
]

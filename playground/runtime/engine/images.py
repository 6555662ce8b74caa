"""Images in a thread, as the model is shown them.

A user message's ``image_file`` parts reach a vision model as Chat Completions ``image_url``
parts with ``data:`` URLs (the model server never gets a link to this runtime, which it
could not reach and must not be given a token for). Only real images go: the bytes must
start like a PNG, JPEG, GIF or WEBP file, whatever the name says, and stay under the size a
hosted vision model takes (20 MB each, 50 MB a request, newest first). Anything else stays a
bracketed note that says why, so the model can tell the user instead of guessing.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any

from playground.protocol.image_formats import sniff_image
from playground.runtime.store import Store

#: Per image and per request, as OpenAI's vision models accept them.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_REQUEST_IMAGE_BYTES = 50 * 1024 * 1024

_DETAILS = ("auto", "low", "high")


@dataclass(frozen=True)
class PromptImage:
    """One ``image_file`` of the thread: its ``data:`` URL, or why it cannot be shown."""

    name: str
    url: str | None = None
    size: int = 0
    problem: str = ""


def image_file_ids(message: dict[str, Any]) -> list[str]:
    """The ``image_file`` ids of a stored message, in order."""
    ids = []
    for part in message.get("content") or []:
        if isinstance(part, dict) and part.get("type") == "image_file":
            file_id = (part.get("image_file") or {}).get("file_id")
            if isinstance(file_id, str) and file_id:
                ids.append(file_id)
    return ids


async def load_image(store: Store, file_id: str, name: str) -> PromptImage:
    """Read one image file and make its ``data:`` URL (or say why not)."""
    meta = await store.get_file(file_id)
    if meta is None:
        return PromptImage(name, problem="the file has been deleted")
    size = int(meta.get("bytes") or 0)
    if size > MAX_IMAGE_BYTES:
        return PromptImage(name, problem="it is larger than 20 MB")
    try:
        data = await store.read_file_bytes(file_id)
    except OSError:
        return PromptImage(name, problem="the file could not be read")
    if len(data) > MAX_IMAGE_BYTES:
        return PromptImage(name, problem="it is larger than 20 MB")
    kind = sniff_image(data)
    if kind is None:
        return PromptImage(name, problem="it is not a PNG, JPEG, GIF or WEBP image")
    url = await asyncio.to_thread(_data_url, f"image/{kind}", data)  # 20 MB take ~30 ms to encode
    return PromptImage(name, url=url, size=len(data))


def _data_url(kind: str, data: bytes) -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def detail_of(part: dict[str, Any]) -> str | None:
    """The part's ``detail`` when it is one the Chat Completions API knows."""
    holder = part.get("image_file") or part.get("image_url") or {}
    detail = holder.get("detail") if isinstance(holder, dict) else None
    return detail if detail in _DETAILS else None

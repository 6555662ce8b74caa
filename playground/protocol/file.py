"""The file object (Azure adds more ``status`` values and ``status_details``)."""

from __future__ import annotations

from typing import Literal

from .base import WireModel
from .statuses import FileStatus


class FileObject(WireModel):
    """``object: "file"``; ``purpose`` and ``status`` are open-ended strings."""

    id: str
    object: Literal["file"] = "file"
    bytes: int | None = None
    created_at: int = 0
    expires_at: int | None = None
    filename: str = ""
    purpose: str = ""
    status: FileStatus | str | None = None
    status_details: str | None = None

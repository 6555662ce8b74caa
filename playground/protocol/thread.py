"""The thread object."""

from __future__ import annotations

from typing import Literal

from .base import WireModel
from .common import Metadata
from .tools import ToolResources


class Thread(WireModel):
    """``object: "thread"`` (v1 threads have no ``tool_resources``)."""

    id: str
    object: Literal["thread"] = "thread"
    created_at: int = 0
    tool_resources: ToolResources | None = None
    metadata: Metadata | None = None

"""The assistant object (v2 ``tool_resources``; v1 ``file_ids`` kept for old servers)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import WireModel
from .common import Metadata
from .tools import ResponseFormatOption, Tool, ToolResources


class Assistant(WireModel):
    """``object: "assistant"``."""

    id: str
    object: Literal["assistant"] = "assistant"
    created_at: int = 0
    name: str | None = None
    description: str | None = None
    model: str = ""
    instructions: str | None = None
    tools: list[Tool] = Field(default_factory=list)
    tool_resources: ToolResources | None = None
    file_ids: list[str] | None = None
    metadata: Metadata | None = None
    temperature: float | None = None
    top_p: float | None = None
    response_format: ResponseFormatOption | None = None

"""The engine's private bookkeeping for one run, stored on the run under ``_engine``.

Keeping it in the run row (keys starting with ``_`` are never sent to clients) means a
run paused in ``requires_action`` needs nothing in memory to continue after
``submit_tool_outputs``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from playground.runtime.model import Usage

STATE_KEY = "_engine"


@dataclass
class RunState:
    """Chat history produced during the run plus what later turns need to know."""

    conversation: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    turns: int = 0
    pending_step_id: str | None = None
    pending_usage: dict[str, int] | None = None
    produced_files: dict[str, str] = field(default_factory=dict)
    pending_images: list[str] = field(default_factory=list)
    searches: int = 0
    citations: dict[str, list[str]] = field(default_factory=dict)
    uncited_search: int | None = None

    @classmethod
    def of(cls, run: dict[str, Any]) -> RunState:
        raw = run.get(STATE_KEY)
        if not isinstance(raw, dict):
            return cls()
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def dump(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def usage(self) -> Usage:
        return Usage(self.prompt_tokens, self.completion_tokens)

    def add_usage(self, usage: Usage) -> None:
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens

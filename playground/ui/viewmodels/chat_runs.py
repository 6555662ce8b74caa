"""A run as the chat follows it, and where each run's outcome line sits in the history.

:class:`RunState` is what the status strip shows for the thread's current run;
:class:`RunOverrides` the per-run settings of the composer. A run that failed, was
cancelled or expired leaves a line in the chat; on reload the line is rebuilt from the
run objects and placed by :func:`place_run_notices`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playground.ui.viewmodels.chat_items import ChatItem
from playground.ui.viewmodels.run_notices import AFTER_MESSAGE_KEY, notice_for_run, notice_key

if TYPE_CHECKING:
    from playground.protocol import Run
    from playground.runs import RunSession


@dataclass
class RunOverrides:
    """Optional per-run settings; ``None`` fields are not sent."""

    instructions: str | None = None
    additional_instructions: str | None = None
    model: str | None = None
    tool_choice: str | None = None
    max_completion_tokens: int | None = None
    temperature: float | None = None

    def as_kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in (
            "instructions",
            "additional_instructions",
            "model",
            "max_completion_tokens",
            "temperature",
        ):
            value = getattr(self, name)
            if value is not None and value != "":
                out[name] = value
        if self.tool_choice:
            choice = self.tool_choice.strip()
            if choice in ("auto", "none", "required"):
                out["tool_choice"] = choice
            else:  # a function name forces that function
                out["tool_choice"] = {"type": "function", "function": {"name": choice}}
        return out


@dataclass
class RunState:
    """What the status strip shows."""

    thread_id: str
    run_id: str | None = None
    status: str = "sending"
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    session: RunSession | None = None
    #: Cancel was pressed before the server had the run: cancel it as soon as it does.
    cancel_requested: bool = False
    #: In progress, but the model has produced nothing yet (a local model still loading,
    #: a slow endpoint): the status strip says so instead of a bare "Running".
    waiting_for_model: bool = False

    @property
    def active(self) -> bool:
        return self.finished is None

    def elapsed(self, now: float | None = None) -> float:
        end = self.finished if self.finished is not None else (now or time.monotonic())
        return max(0.0, end - self.started)


def model_problem_of(run: Run) -> str:
    """The runtime's "model endpoint unreachable" message from a failed run, or ""."""
    from playground.protocol.runtime_errors import MODEL_UNREACHABLE_PREFIX

    error = run.last_error
    message = str(error.message or "") if error is not None else ""
    return message if message.startswith(MODEL_UNREACHABLE_PREFIX) else ""


def place_run_notices(
    items: list[ChatItem],
    created: list[int],
    runs: list[Run],
    anchors: Mapping[str, str] | None = None,
) -> list[ChatItem]:
    """Put each failed/cancelled/expired run's line after that run's last message, or
    after the message the run answers (``anchors``, the local thread index; runs from older
    versions kept it in their metadata), or (a run that wrote nothing) after the last
    message older than the run. ``created`` is each item's timestamp."""
    out = list(items)
    times: list[int | None] = list(created)
    for run in runs:
        found = notice_for_run(run)
        if found is None:
            continue
        text, tone = found
        notice = ChatItem(
            key=notice_key(run.id), role="notice", text=text, run_id=run.id, tone=tone
        )
        at = max((i for i, item in enumerate(out) if item.run_id == run.id), default=None)
        after = (anchors or {}).get(run.id) or str((run.metadata or {}).get(AFTER_MESSAGE_KEY, ""))
        if at is None and after:
            at = next((i for i, item in enumerate(out) if item.key == after), None)
        if at is None:
            started = int(run.created_at or 0)
            at = max(
                (i for i, t in enumerate(times) if t is not None and t <= started),
                default=len(out) - 1,
            )
        out.insert(at + 1, notice)
        times.insert(at + 1, None)
    return out

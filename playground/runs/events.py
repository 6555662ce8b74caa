"""The one event vocabulary of a followed run, the same whether it streams or polls.

Consumers (the chat and the inspector view models) read the fields by name: ``run``,
``step``, ``message``, ``reason``... Every event that concerns the run carries the
latest run snapshot, so a consumer can always show the current status.

Order guarantees: ``RunCreated`` comes first; every status change is reported once as
``RunStatusChanged``; ``RequiresAction`` follows the change to ``requires_action`` (once per
batch of tool calls); exactly one terminal event (:data:`TERMINAL_EVENTS`) ends the
sequence, and an expired run is always ``RunExpired``, never ``RunCancelled``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, assert_never

from playground.protocol import Message, RequiredToolCall, Run, RunStep


@dataclass(frozen=True, slots=True)
class RunCreated:
    """The first time the driver sees the run (also when attaching to an existing one)."""

    run: Run


@dataclass(frozen=True, slots=True)
class RunStatusChanged:
    run: Run
    previous_status: str


@dataclass(frozen=True, slots=True)
class StepCreated:
    step: RunStep


@dataclass(frozen=True, slots=True)
class StepUpdated:
    """The step's status or details changed (a delta arrived, outputs appeared...)."""

    step: RunStep


@dataclass(frozen=True, slots=True)
class MessageCreated:
    message: Message


@dataclass(frozen=True, slots=True)
class MessageDelta:
    """New text at the end of a message; ``message`` is the accumulated snapshot.

    ``text_delta`` is what was appended to the message's text since the last event. When a
    server rewrites earlier text (rare) ``text_delta`` is empty and the snapshot is the truth.
    """

    message_id: str
    text_delta: str
    message: Message


@dataclass(frozen=True, slots=True)
class MessageCompleted:
    """The message will not change again (``completed`` or ``incomplete``)."""

    message: Message


@dataclass(frozen=True, slots=True)
class RequiresAction:
    """The run waits for outputs of ALL ``tool_calls``, to be submitted together.

    ``action_type`` is ``submit_tool_outputs`` normally; Foundry's preview
    ``submit_tool_approval`` arrives with ``tool_calls`` empty and the approvals in
    ``run.required_action``. ``expires_at`` is unix seconds (or ``None``).
    """

    run: Run
    tool_calls: tuple[RequiredToolCall, ...]
    expires_at: int | None
    action_type: str = "submit_tool_outputs"


@dataclass(frozen=True, slots=True)
class RunCompleted:
    run: Run


@dataclass(frozen=True, slots=True)
class RunFailed:
    """``reason`` is plain words built from ``last_error``."""

    run: Run
    reason: str


@dataclass(frozen=True, slots=True)
class RunIncomplete:
    """``reason`` is plain words built from ``incomplete_details``."""

    run: Run
    reason: str


@dataclass(frozen=True, slots=True)
class RunExpired:
    run: Run


@dataclass(frozen=True, slots=True)
class RunCancelled:
    run: Run


RunEvent: TypeAlias = (
    RunCreated
    | RunStatusChanged
    | StepCreated
    | StepUpdated
    | MessageCreated
    | MessageDelta
    | MessageCompleted
    | RequiresAction
    | RunCompleted
    | RunFailed
    | RunIncomplete
    | RunExpired
    | RunCancelled
)

#: The events that end a run's sequence.
TERMINAL_EVENTS: tuple[type, ...] = (
    RunCompleted,
    RunFailed,
    RunIncomplete,
    RunExpired,
    RunCancelled,
)


def run_of(event: RunEvent) -> Run | None:
    """The run snapshot an event carries; events about steps and messages carry none."""
    match event:
        case (
            RunCreated(run=run)
            | RunStatusChanged(run=run)
            | RequiresAction(run=run)
            | RunCompleted(run=run)
            | RunFailed(run=run)
            | RunIncomplete(run=run)
            | RunExpired(run=run)
            | RunCancelled(run=run)
        ):
            return run
        case StepCreated() | StepUpdated() | MessageCreated() | MessageDelta() | MessageCompleted():
            return None
        case _:
            assert_never(event)


#: Labels put before the server's message. ``server_error`` has none when a message is
#: given: the spec allows only three codes, so the runtime reports a model it could not
#: reach as ``server_error`` too, and "internal error" would then mislead.
_ERROR_CODES = {
    "server_error": "The server could not finish the run",
    "rate_limit_exceeded": "The model's rate limit or quota was exceeded",
    "invalid_prompt": "The prompt was rejected",
}

_INCOMPLETE_REASONS = {
    "max_completion_tokens": "it reached the limit on completion tokens (max_completion_tokens)",
    "max_prompt_tokens": "it reached the limit on prompt tokens (max_prompt_tokens)",
    "content_filter": "the content filter stopped it",
    "run_expired": "the run expired",
    "run_cancelled": "the run was cancelled",
    "run_failed": "the run failed",
}


def failure_reason(run: Run) -> str:
    """Why a run failed, in words a person understands."""
    error = run.last_error
    if error is None:
        return "The run failed; the server did not say why."
    label = _ERROR_CODES.get(error.code or "")
    message = (error.message or "").strip()
    if label and message and error.code != "server_error":
        return f"{label}: {message}"
    if message and error.code == "server_error":
        return message
    if label:
        return f"{label}."
    if message:
        return message if not error.code else f"{message} ({error.code})"
    return f"The run failed ({error.code})." if error.code else "The run failed."


def incomplete_reason(run: Run) -> str:
    """Why a run ended incomplete, in words a person understands."""
    reason = run.incomplete_reason
    if not reason:
        return "The run ended before finishing; the server did not say why."
    words = _INCOMPLETE_REASONS.get(reason, f"of “{reason}”")
    return f"The run ended before finishing because {words}."

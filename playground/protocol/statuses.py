"""Status vocabularies as Literal aliases, with helpers that accept any string.

Status fields on the models are typed ``KnownX | str``: the Literal documents (and lets
type checkers see) the values we know, while a status a newer server invents still parses
instead of failing the whole object. Use the helpers below to ask questions about a status
rather than comparing against hard-coded sets all over the code base.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

RunStatus = Literal[
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "cancelled",
    "failed",
    "completed",
    "incomplete",
    "expired",
]
RunStepStatus = Literal["in_progress", "cancelled", "failed", "completed", "expired"]
MessageStatus = Literal["in_progress", "incomplete", "completed"]
VectorStoreStatus = Literal["expired", "in_progress", "completed"]
VectorStoreFileStatus = Literal["in_progress", "completed", "cancelled", "failed"]
FileBatchStatus = Literal["in_progress", "completed", "cancelled", "failed"]
FileStatus = Literal["uploaded", "pending", "running", "processed", "error", "deleting", "deleted"]

RUN_STATUSES: Final[frozenset[str]] = frozenset(get_args(RunStatus))
RUN_STEP_STATUSES: Final[frozenset[str]] = frozenset(get_args(RunStepStatus))
MESSAGE_STATUSES: Final[frozenset[str]] = frozenset(get_args(MessageStatus))

#: A run in one of these will not change again by itself.
TERMINAL_RUN_STATUSES: Final[frozenset[str]] = frozenset(
    {"cancelled", "failed", "completed", "incomplete", "expired"}
)
#: A run in one of these still holds its thread (no new run, no new message).
ACTIVE_RUN_STATUSES: Final[frozenset[str]] = frozenset(
    {"queued", "in_progress", "requires_action", "cancelling"}
)
#: The SDK's poll helper stops on these (terminal plus ``requires_action``).
POLL_STOP_RUN_STATUSES: Final[frozenset[str]] = TERMINAL_RUN_STATUSES | {"requires_action"}
TERMINAL_STEP_STATUSES: Final[frozenset[str]] = frozenset(
    {"cancelled", "failed", "completed", "expired"}
)


def is_known_run_status(status: str) -> bool:
    """True when ``status`` is one of the nine documented run statuses."""
    return status in RUN_STATUSES


def is_terminal_run_status(status: str) -> bool:
    """True when a run with this status is finished.

    An unknown status is treated as not terminal, so a client keeps polling (bounded by
    its own deadline) rather than abandoning a run it does not understand.
    """
    return status in TERMINAL_RUN_STATUSES

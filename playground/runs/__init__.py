"""The run driver: follow a run by streaming or polling and get one typed event vocabulary.

Start at :class:`~.driver.RunDriver`; the events are in :mod:`.events`; the
requires_action helpers in :mod:`.tool_outputs`. No Qt here: the UI's view models consume
these events.
"""

from __future__ import annotations

from .driver import RunDriver, RunSession
from .errors import CancelNotConfirmed, LocalFunctionError, RunDriverError, ToolOutputsError
from .events import (
    TERMINAL_EVENTS,
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    RequiresAction,
    RunCancelled,
    RunCompleted,
    RunCreated,
    RunEvent,
    RunExpired,
    RunFailed,
    RunIncomplete,
    RunStatusChanged,
    StepCreated,
    StepUpdated,
)
from .polling import PollInterval
from .tracker import RunTracker

__all__ = [
    "TERMINAL_EVENTS",
    "CancelNotConfirmed",
    "LocalFunctionError",
    "MessageCompleted",
    "MessageCreated",
    "MessageDelta",
    "PollInterval",
    "RequiresAction",
    "RunCancelled",
    "RunCompleted",
    "RunCreated",
    "RunDriver",
    "RunDriverError",
    "RunEvent",
    "RunExpired",
    "RunFailed",
    "RunIncomplete",
    "RunSession",
    "RunStatusChanged",
    "RunTracker",
    "StepCreated",
    "StepUpdated",
    "ToolOutputsError",
]

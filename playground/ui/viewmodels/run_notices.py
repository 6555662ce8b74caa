"""The "run was cancelled / failed / expired" lines, derived from the thread's run objects.

These lines are part of the thread's history: a reload, a restart or another machine must
show them too, so they are rebuilt from the runs the server keeps rather than remembered
from the events this window happened to see. The live path uses the same wording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.runs.events import failure_reason, incomplete_reason

if TYPE_CHECKING:
    from playground.protocol import Run

#: Run metadata older versions set: the message the run answers (its notice goes after it).
#: Still read for their runs; new runs keep this in the local thread index instead
#: (``ThreadIndex.anchor_run``), so the user's 16 metadata pairs stay the user's.
AFTER_MESSAGE_KEY = "playground_after_message"

#: Run statuses that end without the assistant's answer, and deserve a line in the chat.
NOTICE_STATUSES = ("failed", "cancelled", "expired", "incomplete")

EXPIRED_TEXT = "The run expired: the tool outputs were not submitted before its deadline."
CANCELLED_TEXT = "The run was cancelled."


def notice_key(run_id: str | None) -> str:
    return f"notice:{run_id}"


def notice_for_run(run: Run) -> tuple[str, str] | None:
    """``(text, tone)`` for a run that ended badly, or None."""
    status = str(run.status)
    if status == "cancelled":
        return CANCELLED_TEXT, "info"
    if status == "expired":
        return EXPIRED_TEXT, "error"
    if status == "failed":
        reason = failure_reason(run)
        text = reason if reason.startswith("The run failed") else f"The run failed: {reason}"
        return text, "error"
    if status == "incomplete":
        return incomplete_reason(run), "error"
    return None

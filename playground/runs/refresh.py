"""When a poller should read a run's steps and messages, not only the run.

Reading all three on every poll tripled the cost of following a run (a 3-second run took
43 requests). Most polls only learn "still in progress", so a poll reads the run alone and
asks this schedule whether anything else can have changed:

* the run reached a terminal status: read steps and messages together (the final text
  and the last step states must be reported before the terminal event);
* the schedule is *stale* (the first look at a run, or the first poll after a stream
  broke): the same full read, because nothing is known yet;
* the status changed (including to ``requires_action``): read the steps, because a
  transition usually means a step started or finished;
* a run that is working (not ``queued``, not waiting for tool outputs) is re-read about
  every :data:`~.constants.DETAIL_REFRESH_S` for live step progress and growing text,
  less often while those reads find nothing new.

A step read is followed by a message read only when a ``message_creation`` step is in
progress or changed (see :func:`messages_may_have_changed`), so a run thinking or running
tools costs one extra request per second at most.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from playground.protocol import MessageCreationDetails, RunStep, is_terminal_run_status

from .constants import DETAIL_REFRESH_GROWTH, DETAIL_REFRESH_MAX_S, DETAIL_REFRESH_S

#: Statuses in which nothing below the run moves: waiting to start, or for tool outputs.
_IDLE_STATUSES = frozenset({"queued", "requires_action"})


class DetailRead(enum.Enum):
    """What a poll reads besides the run."""

    NONE = "none"
    #: Steps, then messages only if a message is being written.
    STEPS = "steps"
    #: Steps and messages, both, at once.
    FULL = "full"


class DetailSchedule:
    """Decides, poll by poll, what else to read; times come from the driver's clock.

    The live cadence starts at :data:`~.constants.DETAIL_REFRESH_S` and grows by
    :data:`~.constants.DETAIL_REFRESH_GROWTH` while reads find nothing new (a model thinking
    for a long time), up to :data:`~.constants.DETAIL_REFRESH_MAX_S`; a read that finds
    something (a new step, more text) brings it back to the start.
    """

    def __init__(
        self,
        now: float,
        *,
        stale: bool = True,
        interval_s: float = DETAIL_REFRESH_S,
        growth: float = DETAIL_REFRESH_GROWTH,
        max_s: float = DETAIL_REFRESH_MAX_S,
    ) -> None:
        if interval_s <= 0 or growth < 1 or max_s < interval_s:
            raise ValueError("detail refresh needs 0 < interval <= max and growth >= 1")
        self._initial = interval_s
        self._growth = growth
        self._max = max_s
        self._interval = interval_s
        self._last_read = now
        self.stale = stale

    def mark_stale(self) -> None:
        """Something may have been missed (a stream broke): read everything next time."""
        self.stale = True

    def plan(self, status: str, changed: bool, now: float) -> DetailRead:
        """What to read along with a run now in ``status`` (``changed``: new status)."""
        if is_terminal_run_status(status):
            return DetailRead.FULL
        if self.stale and status != "queued":
            return DetailRead.FULL
        if changed:
            return DetailRead.STEPS
        if status in _IDLE_STATUSES:
            return DetailRead.NONE
        if now - self._last_read >= self._interval:
            return DetailRead.STEPS
        return DetailRead.NONE

    def read_done(self, read: DetailRead, now: float, *, found: bool) -> None:
        """Record a finished read; ``found``: it reported something new."""
        if read is DetailRead.NONE:
            return
        self._last_read = now
        if read is DetailRead.FULL:
            self.stale = False
        if found:
            self._interval = self._initial
        else:
            self._interval = min(self._interval * self._growth, self._max)

    @property
    def interval(self) -> float:
        """Seconds until the next live read is due (after the last one)."""
        return self._interval


def is_message_step(step: RunStep) -> bool:
    """A ``message_creation`` step (its message is the text the run writes)."""
    return isinstance(step.step_details, MessageCreationDetails)


def messages_may_have_changed(steps: Iterable[RunStep], changed_step_ids: set[str]) -> bool:
    """Whether a message of the run can differ from what was last read: one is being
    written (its step is in progress) or its step just appeared or changed (it started,
    or it finished and the final text is there)."""
    return any(
        str(step.status) == "in_progress" or step.id in changed_step_ids
        for step in steps
        if is_message_step(step)
    )

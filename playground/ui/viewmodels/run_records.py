"""The runs of a thread as the inspector records them, and what is computed from them.

Plain data and pure functions, no Qt: a :class:`RunRecord` per run (its latest snapshot,
its steps, the status changes seen), the timeline drawn from it, and the words for
durations, token usage and step kinds that the tree, the detail pane and the timeline share.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.protocol import Run, RunStep, ToolCallsDetails, Usage
from playground.protocol.limits import TERMINAL_RUN_STATUSES
from playground.ui.viewmodels.timestamps import clock_text, epoch

#: Statuses after which a run or step no longer changes.
TERMINAL_STATUSES = TERMINAL_RUN_STATUSES


@dataclass(frozen=True)
class StatusMark:
    """A run entered ``status`` at ``at`` (seconds since the epoch)."""

    status: str
    at: float


@dataclass
class RunRecord:
    """One run with its steps, in the order they were created."""

    run: Run
    steps: dict[str, RunStep] = field(default_factory=dict)
    transitions: list[StatusMark] = field(default_factory=list)
    #: Plain-words reason of a failed or incomplete run (from the driver).
    reason: str = ""


@dataclass(frozen=True)
class TimelineSegment:
    """A stretch of time on the run timeline (a status, or one step)."""

    label: str
    status: str
    start: float
    end: float
    step_id: str = ""


@dataclass(frozen=True)
class Timeline:
    start: float
    end: float
    statuses: list[TimelineSegment]
    steps: list[TimelineSegment]
    #: How the run ended ("completed", "failed"...); empty while it is still going. Drawn as
    #: a badge at the end of the status lane, so a finished run never reads "in progress".
    final_status: str = ""


def end_time(obj: Run | RunStep) -> float | None:
    for name in ("completed_at", "failed_at", "cancelled_at", "expired_at"):
        value = epoch(getattr(obj, name, None))
        if value is not None:
            return value
    return None


def start_time(obj: Run | RunStep) -> float | None:
    return epoch(getattr(obj, "started_at", None)) or epoch(obj.created_at)


def duration_s(obj: Run | RunStep, now: float | None = None) -> float | None:
    """Seconds from start to end (or to ``now`` while still going); None when unknown."""
    start = start_time(obj)
    if start is None:
        return None
    end = end_time(obj)
    if end is None:
        if str(obj.status) in TERMINAL_STATUSES or now is None:
            return None
        return max(0.0, now - start)
    return max(0.0, end - start)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def format_usage(usage: Usage | None) -> str:
    if usage is None:
        return ""
    return (
        f"{usage.total_tokens} tokens ({usage.prompt_tokens} prompt + "
        f"{usage.completion_tokens} completion)"
    )


def format_time(stamp: float | None) -> str:
    return clock_text(epoch(stamp))


def step_label(step: RunStep) -> str:
    """Short words for a step: "message", or the tool types it called."""
    details = step.step_details
    if isinstance(details, ToolCallsDetails):
        kinds = [str(getattr(call, "type", None) or "unknown") for call in details.tool_calls]
        return "tool calls: " + ", ".join(kinds) if kinds else "tool calls"
    kind = str(getattr(details, "type", None) or step.type or "unknown step")
    return "message" if kind == "message_creation" else kind.replace("_", " ")


def transitions_from_timestamps(run: Run) -> list[StatusMark]:
    """Status history of a loaded run, rebuilt from the timestamps the server keeps."""
    created, started = epoch(run.created_at), epoch(run.started_at)
    marks = [StatusMark("queued", created)] if created is not None else []
    if started is not None:
        marks.append(StatusMark("in_progress", started))
    end = end_time(run)
    if end is not None:
        marks.append(StatusMark(str(run.status), end))
    elif str(run.status) not in ("queued", "in_progress") and marks:
        marks.append(StatusMark(str(run.status), marks[-1].at))
    return marks


def build_timeline(record: RunRecord, now: float) -> Timeline:
    """Status stretches and step bars of one run on one time axis (epoch seconds)."""
    run = record.run
    marks = sorted(record.transitions, key=lambda m: m.at) or transitions_from_timestamps(run)
    start = marks[0].at if marks else (epoch(run.created_at) or now)
    finished = str(run.status) in TERMINAL_STATUSES
    end_of_run = end_time(run) or (marks[-1].at if finished and marks else now)
    statuses: list[TimelineSegment] = []
    for i, mark in enumerate(marks):
        if finished and i == len(marks) - 1 and mark.status in TERMINAL_STATUSES:
            break  # the terminal status is the end of the axis, not a stretch
        stop = marks[i + 1].at if i + 1 < len(marks) else end_of_run
        statuses.append(TimelineSegment(mark.status, mark.status, mark.at, max(stop, mark.at)))
    steps: list[TimelineSegment] = []
    for step in record.steps.values():
        s_start = epoch(step.created_at) or start
        s_end = end_time(step) or (end_of_run if finished else now)
        if finished:  # a step cannot outlast its finished run (a server's bad stamp can)
            s_start, s_end = min(s_start, end_of_run), min(s_end, end_of_run)
        steps.append(
            TimelineSegment(
                step_label(step), str(step.status), s_start, max(s_end, s_start), step.id
            )
        )
    axis_end = max([end_of_run, start] + [s.end for s in steps])
    final = str(run.status) if finished else ""
    return Timeline(start=start, end=axis_end, statuses=statuses, steps=steps, final_status=final)


def is_newer(current: Run | RunStep, loaded: Run | RunStep) -> bool:
    """Whether the live snapshot we hold is further along than a loaded one."""
    current_done = str(current.status) in TERMINAL_STATUSES
    loaded_done = str(loaded.status) in TERMINAL_STATUSES
    return current_done and not loaded_done

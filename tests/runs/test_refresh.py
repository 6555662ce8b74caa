"""The detail schedule: which polls also read steps and messages."""

from __future__ import annotations

import pytest

from playground.protocol import RunStep
from playground.runs.constants import DETAIL_REFRESH_MAX_S, DETAIL_REFRESH_S
from playground.runs.refresh import DetailRead, DetailSchedule, messages_may_have_changed

from .fake_server import message_step, tool_step


def test_terminal_statuses_read_everything() -> None:
    schedule = DetailSchedule(0.0, stale=False)
    for status in ("completed", "failed", "cancelled", "expired", "incomplete"):
        assert schedule.plan(status, changed=False, now=0.0) is DetailRead.FULL


def test_a_stale_schedule_reads_everything_once_the_run_has_started() -> None:
    schedule = DetailSchedule(0.0)
    assert schedule.plan("queued", changed=False, now=0.0) is DetailRead.NONE
    assert schedule.plan("in_progress", changed=False, now=0.0) is DetailRead.FULL
    schedule.read_done(DetailRead.FULL, 0.0, found=True)
    assert schedule.plan("in_progress", changed=False, now=0.1) is DetailRead.NONE
    schedule.mark_stale()
    assert schedule.plan("in_progress", changed=False, now=0.2) is DetailRead.FULL


def test_a_status_change_reads_the_steps() -> None:
    schedule = DetailSchedule(0.0, stale=False)
    assert schedule.plan("in_progress", changed=True, now=0.0) is DetailRead.STEPS
    assert schedule.plan("requires_action", changed=True, now=0.0) is DetailRead.STEPS
    assert schedule.plan("requires_action", changed=False, now=99.0) is DetailRead.NONE
    assert schedule.plan("queued", changed=False, now=99.0) is DetailRead.NONE


def test_live_reads_slow_down_while_nothing_is_found_and_snap_back() -> None:
    schedule = DetailSchedule(0.0, stale=False)
    assert schedule.plan("in_progress", False, DETAIL_REFRESH_S * 0.9) is DetailRead.NONE
    now = DETAIL_REFRESH_S
    intervals = []
    for _ in range(8):
        assert schedule.plan("in_progress", False, now) is DetailRead.STEPS
        schedule.read_done(DetailRead.STEPS, now, found=False)
        intervals.append(schedule.interval)
        now += schedule.interval
    assert intervals == sorted(intervals) and intervals[0] > DETAIL_REFRESH_S
    assert intervals[-1] == pytest.approx(DETAIL_REFRESH_MAX_S)
    schedule.read_done(DetailRead.STEPS, now, found=True)
    assert schedule.interval == pytest.approx(DETAIL_REFRESH_S)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="interval"):
        DetailSchedule(0.0, interval_s=0)


def _steps(*raw: dict[str, object]) -> list[RunStep]:
    return [RunStep.model_validate(r) for r in raw]


def test_messages_are_read_only_while_written_or_just_changed() -> None:
    writing = _steps(message_step("s1", "m1", "in_progress"))
    done = _steps(message_step("s1", "m1", "completed"))
    tools = _steps(tool_step("s2", "in_progress", ("c1", "f", "{}", None)))
    assert messages_may_have_changed(writing, set())
    assert not messages_may_have_changed(done, set())
    assert messages_may_have_changed(done, {"s1"})
    assert not messages_may_have_changed(tools, {"s2"})
    assert not messages_may_have_changed([], set())

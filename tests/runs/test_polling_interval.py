"""The poll interval policy on its own."""

from __future__ import annotations

import pytest

from playground.runs import PollInterval
from playground.runs.constants import POLL_HINT_MAX_S, POLL_INITIAL_S, POLL_MAX_S


def test_grows_by_half_to_the_cap_and_resets() -> None:
    interval = PollInterval()
    waits = [interval.next() for _ in range(12)]
    assert waits[:3] == pytest.approx([POLL_INITIAL_S, POLL_INITIAL_S * 1.5, POLL_INITIAL_S * 2.25])
    assert waits[-1] == POLL_MAX_S and max(waits) == POLL_MAX_S
    interval.reset()
    assert interval.next() == POLL_INITIAL_S


def test_server_hint_wins_and_is_clamped() -> None:
    interval = PollInterval()
    assert interval.next(500) == 0.5
    assert interval.next(10_000_000) == POLL_HINT_MAX_S
    assert interval.next(0) == POLL_INITIAL_S  # a zero hint is ignored
    assert interval.next(1) > 0


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        PollInterval(initial_s=0)

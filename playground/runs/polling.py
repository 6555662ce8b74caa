"""How long to wait between two polls of a run.

The server's ``openai-poll-after-ms`` hint wins when present. Without it the interval
adapts: it starts short so a quick run is seen finishing at once, grows by
:data:`~.constants.POLL_GROWTH` while nothing changes, and snaps back to the start when
something does (a new status, a new step), because change tends to come in bursts.
"""

from __future__ import annotations

from .constants import POLL_GROWTH, POLL_HINT_MAX_S, POLL_HINT_MIN_S, POLL_INITIAL_S, POLL_MAX_S


class PollInterval:
    """Adaptive poll interval; call :meth:`next` before each wait."""

    def __init__(
        self,
        initial_s: float = POLL_INITIAL_S,
        growth: float = POLL_GROWTH,
        max_s: float = POLL_MAX_S,
    ) -> None:
        if initial_s <= 0 or growth < 1 or max_s < initial_s:
            raise ValueError("poll interval needs 0 < initial <= max and growth >= 1")
        self._initial = initial_s
        self._growth = growth
        self._max = max_s
        self._current = initial_s

    def reset(self) -> None:
        """Something changed: poll quickly again."""
        self._current = self._initial

    def next(self, hint_ms: int | None = None) -> float:
        """Seconds to wait now; ``hint_ms`` is the server's ``openai-poll-after-ms``."""
        if hint_ms is not None and hint_ms > 0:
            return min(max(hint_ms / 1000.0, POLL_HINT_MIN_S), POLL_HINT_MAX_S)
        wait = self._current
        self._current = min(self._current * self._growth, self._max)
        return wait

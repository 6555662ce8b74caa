"""Server timestamps made safe to draw and format.

The wire says Unix seconds, but servers get it wrong: milliseconds (a realistic bug) made
the run timeline draw 2.5×10⁸ ticks per repaint, and a value like 10⁴⁰⁰ raised
``OverflowError`` in ``float()`` and the thread's runs vanished. Every timestamp the
inspector reads goes through :func:`epoch` first: milli-, micro- and nanoseconds are
scaled down to seconds, and anything still implausible counts as unknown.
"""

from __future__ import annotations

import math
import time

#: Later than this (the year 2286) cannot be seconds; it is scaled or dropped.
MAX_EPOCH_S = 10_000_000_000
#: Scale steps tried: milliseconds, microseconds, nanoseconds.
_SCALINGS = 3


def epoch(value: object) -> float | None:
    """``value`` as Unix seconds, or None when it is missing, zero or implausible."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value <= 0:
        return None
    for _ in range(_SCALINGS + 1):
        if value <= MAX_EPOCH_S:  # compared before float(): a huge int would overflow it
            return float(value)
        value = value / 1000 if isinstance(value, float) else value // 1000
    return None


def clock_text(seconds: float | None, fmt: str = "%H:%M:%S") -> str:
    """Local wall-clock text for a timestamp; ``""`` when unknown or out of the C range."""
    if seconds is None:
        return ""
    try:
        return time.strftime(fmt, time.localtime(seconds))
    except (OverflowError, OSError, ValueError):
        return ""

"""The run engine of the embedded runtime (see :class:`RunEngine`)."""

from playground.runtime.engine.engine import RunEngine
from playground.runtime.engine.events import STREAM_ENDING_EVENTS, EventHub, Subscription

__all__ = ["STREAM_ENDING_EVENTS", "EventHub", "RunEngine", "Subscription"]

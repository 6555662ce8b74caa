"""The run state machine: snapshots in, events out, with no I/O.

Both the stream reader and the poller feed it what they learn (a run, a step, a message,
or a stream delta); it remembers what it has already reported, so the same fact arriving
twice (the stream saw it, then the poller after a fallback) produces one event, and a fact
the stream missed is reported when the poller sees it. Message text is tracked as "what
has been reported", so the poller's full text becomes a delta of only the missing end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from playground.protocol import (
    Message,
    RequiredSubmitToolApproval,
    Run,
    RunStep,
    RunStepDelta,
    TextContent,
    apply_message_delta,
    apply_step_delta,
    is_terminal_run_status,
    to_wire,
)
from playground.protocol import (
    MessageDelta as WireMessageDelta,
)

from .events import (
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
    failure_reason,
    incomplete_reason,
)

_DONE_MESSAGE_STATUSES = frozenset({"completed", "incomplete"})


def _text(message: Message) -> str:
    return "".join(p.text.value for p in message.content if isinstance(p, TextContent))


def _step_signature(step: RunStep) -> str:
    """What makes two sightings of a step "the same": status plus details, not timestamps."""
    return str(step.status) + json.dumps(to_wire(step.step_details), sort_keys=True, default=str)


def batch_key(run: Run) -> tuple[str, ...]:
    """Identifies one batch of required tool calls (or approvals) of a run."""
    action = run.required_action
    if isinstance(action, RequiredSubmitToolApproval):
        return ("approval", *sorted(c.id for c in action.submit_tool_approval.tool_calls))
    return tuple(sorted(c.id for c in run.pending_tool_calls))


@dataclass
class _MessageState:
    snapshot: Message
    reported_text: str = ""
    completed: bool = False


@dataclass
class RunTracker:
    """Remembers what was reported about one run and turns new snapshots into events."""

    run: Run | None = None
    steps: dict[str, RunStep] = field(default_factory=dict)
    #: None after a delta: worked out again only when a full sighting must be compared.
    _step_signatures: dict[str, str | None] = field(default_factory=dict)
    _messages: dict[str, _MessageState] = field(default_factory=dict)
    #: Batches already reported with RequiresAction (a re-read must not report again).
    reported_batches: set[tuple[str, ...]] = field(default_factory=set)
    finished: bool = False

    # -- the run ------------------------------------------------------------------------

    @property
    def status(self) -> str | None:
        return str(self.run.status) if self.run is not None else None

    def on_run(self, run: Run) -> list[RunEvent]:
        """A run snapshot (stream ``thread.run.*`` or a poll)."""
        if self.finished:
            return []
        previous = self.run
        self.run = run
        events: list[RunEvent] = []
        status = str(run.status)
        if previous is None:
            events.append(RunCreated(run))
        elif str(previous.status) != status:
            events.append(RunStatusChanged(run, str(previous.status)))
        if status == "requires_action":
            key = batch_key(run)
            if key and key not in self.reported_batches:
                self.reported_batches.add(key)
                events.append(self._requires_action(run))
        if is_terminal_run_status(status):
            events += self._finish(run)
        return events

    @staticmethod
    def _requires_action(run: Run) -> RequiresAction:
        action = run.required_action
        if isinstance(action, RequiredSubmitToolApproval):
            return RequiresAction(run, (), run.expires_at, "submit_tool_approval")
        return RequiresAction(run, tuple(run.pending_tool_calls), run.expires_at)

    def _finish(self, run: Run) -> list[RunEvent]:
        self.finished = True
        # Messages without a status (v1) or left in progress are final once the run is.
        events: list[RunEvent] = [
            MessageCompleted(state.snapshot)
            for state in self._messages.values()
            if not state.completed
        ]
        for state in self._messages.values():
            state.completed = True
        status = str(run.status)
        if status == "completed":
            events.append(RunCompleted(run))
        elif status == "failed":
            events.append(RunFailed(run, failure_reason(run)))
        elif status == "incomplete":
            events.append(RunIncomplete(run, incomplete_reason(run)))
        elif status == "expired":
            events.append(RunExpired(run))
        else:
            events.append(RunCancelled(run))
        return events

    # -- steps --------------------------------------------------------------------------

    def on_step(self, step: RunStep) -> list[RunEvent]:
        """A full step snapshot (stream ``thread.run.step.*`` or a poll)."""
        signature = _step_signature(step)
        known = step.id in self.steps
        if known and self._signature_of(step.id) == signature:
            if not self.finished:
                self.steps[step.id] = step
            return []
        self.steps[step.id] = step
        self._step_signatures[step.id] = signature
        return [StepUpdated(step) if known else StepCreated(step)]

    def _signature_of(self, step_id: str) -> str:
        """The known step's signature; after deltas it is worked out once, here."""
        known = self._step_signatures.get(step_id)
        if known is None:
            known = self._step_signatures[step_id] = _step_signature(self.steps[step_id])
        return known

    def on_step_delta(self, delta: RunStepDelta) -> list[RunEvent]:
        """A delta always changes the step, so no signature is needed to report it.

        Working one out per delta (the whole step as JSON) made a 200 KB function argument
        cost 0.5 ms per 20-character delta, on the window's thread; the signature is
        computed again only when a full snapshot has to be compared with the result.
        """
        known = delta.id in self.steps
        if known and delta.delta.step_details is None:
            return []  # an empty delta changes nothing
        base = self.steps.get(delta.id) or RunStep(
            id=delta.id,
            run_id=self.run.id if self.run else "",
            thread_id=self.run.thread_id if self.run else "",
        )
        step = apply_step_delta(base, delta)
        self.steps[delta.id] = step
        self._step_signatures[delta.id] = None
        return [StepUpdated(step) if known else StepCreated(step)]

    # -- messages -----------------------------------------------------------------------

    def on_message(self, message: Message) -> list[RunEvent]:
        """A full message snapshot (stream ``thread.message.*`` or a poll)."""
        state = self._messages.get(message.id)
        events: list[RunEvent] = []
        if state is None:
            state = _MessageState(message)
            self._messages[message.id] = state
            events.append(MessageCreated(message))
        elif state.completed:
            return []
        else:
            old_text, new_text = _text(state.snapshot), _text(message)
            done = str(message.status) in _DONE_MESSAGE_STATUSES
            if len(new_text) < len(old_text) and old_text.startswith(new_text) and not done:
                # An older, shorter sighting (e.g. ``in_progress`` after deltas): keep ours.
                message = state.snapshot.model_copy(update={"status": message.status})
            state.snapshot = message
        events += self._text_events(state)
        if str(message.status) in _DONE_MESSAGE_STATUSES:
            state.completed = True
            events.append(MessageCompleted(state.snapshot))
        return events

    def on_message_delta(self, delta: WireMessageDelta) -> list[RunEvent]:
        state = self._messages.get(delta.id)
        if state is not None and state.completed:
            return []
        snapshot = apply_message_delta(state.snapshot if state else None, delta)
        if state is None:
            return self.on_message(snapshot)
        state.snapshot = snapshot
        return self._text_events(state)

    @staticmethod
    def _text_events(state: _MessageState) -> list[RunEvent]:
        text = _text(state.snapshot)
        if text == state.reported_text:
            return []
        if text.startswith(state.reported_text):
            delta = text[len(state.reported_text) :]
        else:
            delta = ""  # rewritten text: the snapshot is the truth
        state.reported_text = text
        return [MessageDelta(state.snapshot.id, delta, state.snapshot)]

    def message(self, message_id: str) -> Message | None:
        state = self._messages.get(message_id)
        return state.snapshot if state else None

"""A scripted Assistants server behind ``httpx.MockTransport`` for the run-driver tests.

The run follows a script of :class:`Stage` objects: each ``GET`` of the run returns the
current stage and moves to the next one, except that a ``requires_action`` stage waits for
``submit_tool_outputs`` and a ``cancel`` turns the run ``cancelling`` then ``cancelled``.
Steps and messages listed while a stage is current are that stage's. Streamed requests
(``stream: true``) are answered from :class:`StreamScript` objects in order; a script can
drop the connection mid-way, end without ``done``, or send garbage, and says which stage
the polled run is at afterwards. Time is a :class:`FakeClock` shared with the driver.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from playground.protocol import encode_stream_event

THREAD = "thread_1"
RUN = "run_1"
ASSISTANT = "asst_1"
T0 = 1_700_000_000


class FakeClock:
    """Monotonic and wall time that move only when the fake sleep moves them."""

    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = float(T0)
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.mono

    def time(self) -> float:
        return self.wall

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.mono += seconds
        self.wall += seconds
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would


# --- wire object builders ----------------------------------------------------------------


def run_obj(status: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": RUN,
        "object": "thread.run",
        "created_at": T0,
        "thread_id": THREAD,
        "assistant_id": ASSISTANT,
        "status": status,
        "required_action": None,
        "last_error": None,
        "expires_at": None,
        "incomplete_details": None,
        "model": "scripted",
        "tools": [],
        "metadata": {},
    }
    body.update(extra)
    return body


def calls(*specs: tuple[str, str, str]) -> dict[str, Any]:
    """``required_action`` for (call id, function name, arguments JSON) triples."""
    return {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {
            "tool_calls": [
                {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
                for cid, name, args in specs
            ]
        },
    }


def message_step(step_id: str, message_id: str, status: str) -> dict[str, Any]:
    return {
        "id": step_id,
        "object": "thread.run.step",
        "created_at": T0,
        "run_id": RUN,
        "thread_id": THREAD,
        "assistant_id": ASSISTANT,
        "type": "message_creation",
        "status": status,
        "step_details": {
            "type": "message_creation",
            "message_creation": {"message_id": message_id},
        },
    }


def tool_step(
    step_id: str, status: str, *specs: tuple[str, str, str, str | None]
) -> dict[str, Any]:
    """A tool_calls step for (call id, name, arguments, output) tuples."""
    return {
        "id": step_id,
        "object": "thread.run.step",
        "created_at": T0,
        "run_id": RUN,
        "thread_id": THREAD,
        "assistant_id": ASSISTANT,
        "type": "tool_calls",
        "status": status,
        "step_details": {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": cid,
                    "type": "function",
                    "function": {"name": name, "arguments": args, "output": output},
                }
                for cid, name, args, output in specs
            ],
        },
    }


def message(message_id: str, text: str, status: str) -> dict[str, Any]:
    return {
        "id": message_id,
        "object": "thread.message",
        "created_at": T0,
        "thread_id": THREAD,
        "run_id": RUN,
        "assistant_id": ASSISTANT,
        "role": "assistant",
        "status": status,
        "content": [{"type": "text", "text": {"value": text, "annotations": []}}] if text else [],
        "attachments": [],
        "metadata": {},
    }


def text_delta(message_id: str, text: str) -> dict[str, Any]:
    return {
        "id": message_id,
        "object": "thread.message.delta",
        "delta": {"content": [{"index": 0, "type": "text", "text": {"value": text}}]},
    }


# --- the script ----------------------------------------------------------------------------


@dataclass
class Stage:
    """The run (and its steps and messages) as one GET sees it."""

    status: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)  # extra run fields


@dataclass
class StreamScript:
    """One streamed answer: events, how it ends, and the polled stage afterwards."""

    events: list[tuple[str, dict[str, Any] | str]]
    end: str = "done"  # "done" | "drop" | "eof" (no done) | "garbage"
    then_stage: int | None = None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any


class ScriptedServer:
    def __init__(
        self,
        clock: FakeClock,
        stages: list[Stage],
        *,
        streams: list[StreamScript] | None = None,
        poll_after_ms: int | None = None,
    ) -> None:
        self.clock = clock
        self.stages = stages
        self.streams = list(streams or [])
        self.poll_after_ms = poll_after_ms
        self.index = 0
        self.shown = 0  # the stage the last GET returned; lists show its steps/messages
        self.created = False
        self.cancel_requested = False
        self.cancelled = False
        self.requests: list[Request] = []
        self.submissions: list[Any] = []
        #: False: answer ``stream: true`` with plain JSON, like a server that cannot stream.
        self.can_stream = True

    # -- helpers for tests ------------------------------------------------------------------

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for r in self.requests if r.method == method and re.fullmatch(pattern, r.path))

    @property
    def run_gets(self) -> int:
        return self.count("GET", rf"/v1/threads/{THREAD}/runs/{RUN}")

    # -- state ------------------------------------------------------------------------------

    def _stage(self) -> Stage:
        return self.stages[min(self.index, len(self.stages) - 1)]

    def _current_run(self) -> dict[str, Any]:
        stage = self._stage()
        if self.cancelled:
            return run_obj("cancelled", cancelled_at=int(self.clock.wall))
        if self.cancel_requested:
            return run_obj("cancelling")
        expires = stage.run.get("expires_at")
        if stage.status == "requires_action" and expires and self.clock.wall > expires:
            return run_obj("expired", **{**stage.run, "required_action": None})
        return run_obj(stage.status, **stage.run)

    def _advance(self) -> None:
        if self.cancel_requested:
            self.cancelled = True
            return
        if self._stage().status != "requires_action" and self.index < len(self.stages) - 1:
            self.index += 1

    # -- HTTP -------------------------------------------------------------------------------

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        raw = await request.aread()
        body: Any = json.loads(raw) if raw else {}
        path = request.url.path
        self.requests.append(
            Request(request.method, path, dict(request.url.params.multi_items()), body)
        )
        runs = f"/v1/threads/{THREAD}/runs"
        run = f"{runs}/{RUN}"
        if request.method == "POST" and path == runs:
            self.created = True
            if body.get("stream") and self.can_stream:
                return self._stream()
            return httpx.Response(200, json=self._current_run())
        if request.method == "GET" and path == runs:
            data = [self._current_run()] if self.created else []
            return httpx.Response(200, json={"object": "list", "data": data, "has_more": False})
        if request.method == "GET" and path == run:
            answer = self._current_run()
            self.shown = min(self.index, len(self.stages) - 1)
            self._advance()
            headers = {}
            if self.poll_after_ms is not None:
                headers["openai-poll-after-ms"] = str(self.poll_after_ms)
            return httpx.Response(200, json=answer, headers=headers)
        if request.method == "GET" and path == f"{run}/steps":
            return self._list(self.stages[self.shown].steps)
        if request.method == "GET" and path == f"/v1/threads/{THREAD}/messages":
            wanted = request.url.params.get("run_id")
            shown = self.stages[self.shown].messages
            return self._list([m for m in shown if m["run_id"] == wanted])
        if request.method == "POST" and path == f"{run}/submit_tool_outputs":
            current = self._current_run()
            if current["status"] != "requires_action":
                return _error(400, f"Run {RUN} is {current['status']}, not requires_action.")
            self.submissions.append(body)
            self.index += 1
            if body.get("stream"):
                return self._stream()
            return httpx.Response(200, json=run_obj("queued"))
        if request.method == "POST" and path == f"{run}/cancel":
            current = self._current_run()
            if current["status"] in ("completed", "failed", "incomplete", "expired", "cancelled"):
                return _error(400, f"Cannot cancel run with status '{current['status']}'.")
            self.cancel_requested = True
            return httpx.Response(200, json=run_obj("cancelling"))
        return _error(404, f"No route for {request.method} {path}")

    def _list(self, items: list[dict[str, Any]]) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "object": "list",
                "data": items,
                "first_id": items[0]["id"] if items else None,
                "last_id": items[-1]["id"] if items else None,
                "has_more": False,
            },
        )

    def _stream(self) -> httpx.Response:
        script = self.streams.pop(0)
        if script.then_stage is not None:
            self.index = self.shown = script.then_stage

        async def body() -> AsyncIterator[bytes]:
            for name, data in script.events:
                yield encode_stream_event(name, data).encode()
            if script.end == "done":
                yield b"event: done\ndata: [DONE]\n\n"
            elif script.end == "drop":
                raise httpx.ReadError("connection reset by peer")
            elif script.end == "garbage":
                yield b"event: thread.run.step.created\ndata: {not json\n\n"

        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())


def _error(status: int, text: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "error": {"message": text, "type": "invalid_request_error", "param": None, "code": None}
        },
    )

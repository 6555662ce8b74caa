"""``/threads/{id}/runs``: start, follow, steer and stop runs (polling or streaming).

Creating a run is never re-sent after an ambiguous failure: the error says the run may
exist (``request_may_have_succeeded`` on connection errors, or a 5xx), and the driver
can list the thread's runs to find it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ...protocol import (
    CreateRun,
    CreateThreadAndRun,
    ModifyRun,
    Run,
    SubmitToolOutputs,
    ToolOutput,
)
from ..errors import UnsupportedFeatureError
from ..pagination import AsyncPager, list_params
from ..streaming import RunStream
from ..transport import Call
from ..wire_extras import Fetched
from .base import Resource, include_params, request_body, seg

_SSE = (("Accept", "text/event-stream"),)


class Runs(Resource):
    # --- create ------------------------------------------------------------------

    async def create(
        self,
        thread_id: str,
        request: CreateRun | Mapping[str, Any],
        *,
        include: Iterable[str] | None = None,
    ) -> Run:
        body = request_body(request, CreateRun)
        body.pop("stream", None)
        call = Call(
            "POST",
            self._runs(thread_id),
            params=include_params(include),
            json=body,
            idempotent=False,
        )
        return await self._call(call, Run, "run")

    async def create_thread_and_run(self, request: CreateThreadAndRun | Mapping[str, Any]) -> Run:
        body = request_body(request, CreateThreadAndRun)
        body.pop("stream", None)
        return await self._post("/threads/runs", body, Run, "run", idempotent=False)

    def stream(
        self,
        thread_id: str,
        request: CreateRun | Mapping[str, Any],
        *,
        include: Iterable[str] | None = None,
    ) -> RunStream:
        """Create a run and follow it live (``async for event in ...``)."""
        body = request_body(request, CreateRun) | {"stream": True}
        call = self._stream_call(self._runs(thread_id), body, include_params(include))
        return RunStream(self._t, call, thread_id=thread_id)

    def create_thread_and_run_stream(
        self, request: CreateThreadAndRun | Mapping[str, Any]
    ) -> RunStream:
        body = request_body(request, CreateThreadAndRun) | {"stream": True}
        return RunStream(self._t, self._stream_call("/threads/runs", body), thread_id=None)

    # --- read --------------------------------------------------------------------

    async def retrieve(self, thread_id: str, run_id: str) -> Run:
        return await self._get(self._run(thread_id, run_id), Run, "run")

    async def retrieve_with_meta(self, thread_id: str, run_id: str) -> Fetched[Run]:
        """The run plus the server's ``openai-poll-after-ms`` hint, for pollers."""
        return await self._fetch(Call("GET", self._run(thread_id, run_id)), Run, "run")

    def list(
        self,
        thread_id: str,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[Run]:
        params = list_params(limit=limit, order=order, after=after, before=before)
        return self._pager(self._runs(thread_id), Run, "runs", params)

    # --- change ------------------------------------------------------------------

    async def update(
        self, thread_id: str, run_id: str, request: ModifyRun | Mapping[str, Any]
    ) -> Run:
        body = request_body(request, ModifyRun)
        return await self._post(self._run(thread_id, run_id), body, Run, "run")

    async def cancel(self, thread_id: str, run_id: str) -> Run:
        """Ask the run to stop; repeating the request is harmless."""
        return await self._post(self._run(thread_id, run_id) + "/cancel", None, Run, "run")

    async def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        outputs: SubmitToolOutputs | Sequence[ToolOutput] | Mapping[str, Any],
    ) -> Run:
        """Answer every pending tool call at once (not re-sent after an ambiguous failure)."""
        body = self._outputs(outputs)
        body.pop("stream", None)
        path = self._run(thread_id, run_id) + "/submit_tool_outputs"
        return await self._post(path, body, Run, "run", idempotent=False)

    def submit_tool_outputs_stream(
        self,
        thread_id: str,
        run_id: str,
        outputs: SubmitToolOutputs | Sequence[ToolOutput] | Mapping[str, Any],
    ) -> RunStream:
        body = self._outputs(outputs) | {"stream": True}
        call = self._stream_call(self._run(thread_id, run_id) + "/submit_tool_outputs", body)
        stream = RunStream(self._t, call, thread_id=thread_id)
        stream.run_id = run_id
        return stream

    # --- helpers -----------------------------------------------------------------

    def _stream_call(
        self, path: str, body: dict[str, Any], params: tuple[tuple[str, str], ...] = ()
    ) -> Call:
        if not self._t.dialect.supports_streaming:
            raise UnsupportedFeatureError(
                "This server or API version cannot stream runs; the run will be polled instead."
            )
        return Call(
            "POST", path, params=params, json=body, idempotent=False, stream=True, headers=_SSE
        )

    @staticmethod
    def _outputs(
        outputs: SubmitToolOutputs | Sequence[ToolOutput] | Mapping[str, Any],
    ) -> dict[str, Any]:
        if isinstance(outputs, Sequence) and not isinstance(outputs, str | bytes):
            outputs = SubmitToolOutputs(tool_outputs=list(outputs))
        return request_body(outputs, SubmitToolOutputs)

    @staticmethod
    def _runs(thread_id: str) -> str:
        return f"/threads/{seg(thread_id, 'thread id')}/runs"

    @classmethod
    def _run(cls, thread_id: str, run_id: str) -> str:
        return f"{cls._runs(thread_id)}/{seg(run_id, 'run id')}"

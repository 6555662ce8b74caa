"""``/threads/{id}/runs/{id}/steps``: what a run did, step by step."""

from __future__ import annotations

from collections.abc import Iterable

from ...protocol import RunStep
from ..pagination import AsyncPager, list_params
from .base import Resource, include_params, seg


class Steps(Resource):
    async def retrieve(
        self, thread_id: str, run_id: str, step_id: str, *, include: Iterable[str] | None = None
    ) -> RunStep:
        path = f"{self._steps(thread_id, run_id)}/{seg(step_id, 'step id')}"
        return await self._get(path, RunStep, "run step", include_params(include))

    def list(
        self,
        thread_id: str,
        run_id: str,
        *,
        include: Iterable[str] | None = None,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[RunStep]:
        """Steps of a run; pass ``include=[FILE_SEARCH_CONTENT]`` for file-search text."""
        params = list_params(limit=limit, order=order, after=after, before=before)
        path = self._steps(thread_id, run_id)
        return self._pager(path, RunStep, "run steps", params, include_params(include))

    @staticmethod
    def _steps(thread_id: str, run_id: str) -> str:
        return f"/threads/{seg(thread_id, 'thread id')}/runs/{seg(run_id, 'run id')}/steps"

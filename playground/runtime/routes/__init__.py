"""Every HTTP route of the runtime, relative to a mount point (``/v1`` or ``/openai``)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from . import assistants, files, messages, models, runs, threads, vector_stores


def api_routes() -> list[BaseRoute]:
    # Runs first: "/threads/runs" must win over "/threads/{thread_id}".
    return [
        *runs.routes,
        *assistants.routes,
        *threads.routes,
        *messages.routes,
        *files.routes,
        *vector_stores.routes,
        *models.routes,
    ]

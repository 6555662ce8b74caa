"""Fixtures for the assistant, function and files tests (imported by those modules).

A real runtime process with no model behind it: CRUD and files need only the configured
model name for ``/models``. The environment itself comes from ``tests.ui.support``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.ui.support import MODEL, Env, connected_env


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeServer]:
    data = tmp_path_factory.mktemp("assistant-runtime") / "data"
    # A model endpoint nobody calls: CRUD needs only the configured model name for /models.
    with start_runtime(data, model_base_url="http://127.0.0.1:9/v1", model=MODEL) as server:
        yield server


@pytest.fixture
async def env(qapp: object, runtime: RuntimeServer) -> AsyncIterator[Env]:
    """A Session connected to the real runtime (before any view model exists)."""
    async with connected_env(runtime) as made:
        yield made

"""Fixtures and data for the inspector, outputs and HTTP-log tests.

A real runtime process backed by the scripted model (only the model is scripted, as
everywhere else); the environment itself comes from ``tests.ui.support``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.helpers.images import bomb_png, png_bytes
from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.support import MODEL, Env, connected_env

__all__ = ["bomb_png", "png_bytes"]


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLM]:
    with ScriptedLLM() as server:
        yield server


@pytest.fixture(scope="module")
def runtime(llm: ScriptedLLM, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeServer]:
    data = tmp_path_factory.mktemp("inspector-runtime") / "data"
    with start_runtime(data, model_base_url=llm.base_url, model=MODEL) as server:
        yield server


@pytest.fixture
async def env(qapp: object, runtime: RuntimeServer) -> AsyncIterator[Env]:
    """A connected Session on the real runtime; ``env.logged`` collects its requests."""
    async with connected_env(runtime) as made:
        yield made


async def upload(env: Env, name: str, data: bytes) -> str:
    file = await env.client.files.upload(data, filename=name, purpose="assistants")
    return file.id

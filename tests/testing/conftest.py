"""One real runtime (subprocess, scripted model) per module, and a client + driver on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from playground.api import AssistantsClient, OpenAIDialect
from playground.runs import RunDriver
from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM


@dataclass
class Rig:
    runtime: RuntimeServer
    llm: ScriptedLLM
    client: AssistantsClient
    driver: RunDriver


@pytest.fixture(scope="module")
def runtime(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RuntimeServer, ScriptedLLM]]:
    data: Path = tmp_path_factory.mktemp("runtime") / "data"
    with ScriptedLLM() as llm, start_runtime(data, model_base_url=llm.base_url) as rt:
        yield rt, llm


@pytest.fixture
async def rig(runtime: tuple[RuntimeServer, ScriptedLLM]) -> AsyncIterator[Rig]:
    rt, llm = runtime
    async with httpx.AsyncClient(timeout=60) as http:
        client = AssistantsClient(http, OpenAIDialect(rt.api_base, rt.token))
        yield Rig(rt, llm, client, RunDriver(client))

"""Fixtures for runtime tests: the real server process, plain httpx and the openai SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers.runtime_process import RuntimeServer, http_client, sdk_client, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeServer]:
    """One server with no model at all (runs fail plainly) shared by a test module.

    ``--no-local-model`` keeps the offline default out, so runs fail fast and the same way
    whether or not llama-cpp-python is installed.
    """
    with start_runtime(
        tmp_path_factory.mktemp("runtime") / "data", extra_args=["--no-local-model"]
    ) as server:
        yield server


@pytest.fixture(scope="module")
def module_llm() -> Iterator[ScriptedLLM]:
    """A scripted model shared by a test module (queue replies per test)."""
    with ScriptedLLM() as llm:
        yield llm


@pytest.fixture(scope="module")
def llm_runtime(
    tmp_path_factory: pytest.TempPathFactory, module_llm: ScriptedLLM
) -> Iterator[RuntimeServer]:
    """One server whose model is the module's scripted LLM."""
    with start_runtime(
        tmp_path_factory.mktemp("llm-runtime") / "data", model_base_url=module_llm.base_url
    ) as server:
        yield server


@pytest.fixture
def http(runtime: RuntimeServer) -> Iterator[httpx.Client]:
    with http_client(runtime) as client:
        yield client


@pytest.fixture
def sdk(runtime: RuntimeServer):  # type: ignore[no-untyped-def]
    client = sdk_client(runtime)
    yield client
    client.close()


@pytest.fixture
def client(llm_runtime: RuntimeServer, module_llm: ScriptedLLM) -> Iterator[Any]:
    """The official SDK on the scripted-model runtime, with no reply left queued by an
    earlier test. (``test_core_runs`` overrides it with plain httpx.)"""
    assert module_llm.pending == 0
    sdk = sdk_client(llm_runtime)
    yield sdk
    sdk.close()

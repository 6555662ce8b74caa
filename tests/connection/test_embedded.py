"""The embedded runtime's process manager: start with a fresh token, stop, failures in words,
which model answers (offline default, none, an endpoint), and listeners.

These run on a plain asyncio loop, without Qt: the manager is shared by the window, the
connector and the headless ``test`` command, so it must work where no QApplication exists.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from playground.connection.embedded import (
    EmbeddedRuntime,
    EmbeddedRuntimeError,
    EmbeddedSettings,
    ModelSource,
    RuntimeState,
    model_source_of,
)
from playground.runtime.model.llama_local import local_model_unavailable_reason

#: What this machine's runtime uses when nothing is configured.
DEFAULT_SOURCE = (
    ModelSource.OFFLINE if local_model_unavailable_reason() is None else ModelSource.NONE
)


def _get(url: str, token: str | None) -> int:
    request = urllib.request.Request(url, headers={"OpenAI-Beta": "assistants=v2"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    request.add_header("OpenAI-Beta", "assistants=v2")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.loads(response.read())
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


async def test_starts_with_fresh_token_and_stops(tmp_path: Path) -> None:
    runtime = EmbeddedRuntime()
    states: list[str] = []
    runtime.add_state_listener(states.append)
    base = await runtime.ensure_started(EmbeddedSettings(data_dir=tmp_path / "rt"))
    try:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/v1")
        token = runtime.token
        assert token and len(token) >= 20
        # With nothing configured the runtime names its default model on startup.
        assert runtime.model_source is DEFAULT_SOURCE, runtime.model_description
        # The token is not on the command line (other users can read argv).
        assert token not in " ".join(EmbeddedSettings(data_dir=tmp_path / "rt").command())
        status = await asyncio.to_thread(_get, base + "/assistants", token)
        assert status == 200
        assert await asyncio.to_thread(_get, base + "/assistants", "wrong") == 401
        pid = runtime.pid
        assert pid is not None
        # A second ensure_started reuses the running process.
        assert await runtime.ensure_started(EmbeddedSettings(data_dir=tmp_path / "rt")) == base
        assert runtime.pid == pid
    finally:
        await runtime.stop()
    assert runtime.state is RuntimeState.STOPPED
    assert states[:2] == ["starting", "running"] and states[-1] == "stopped"
    assert runtime.pid is None
    assert runtime.model_source is ModelSource.UNKNOWN


async def test_two_starts_get_different_tokens(tmp_path: Path) -> None:
    runtime = EmbeddedRuntime()
    settings = EmbeddedSettings(data_dir=tmp_path / "rt")
    await runtime.ensure_started(settings)
    first = runtime.token
    await runtime.restart(settings)
    try:
        assert runtime.token and runtime.token != first
    finally:
        await runtime.stop()


async def test_failure_to_start_is_reported_in_words(tmp_path: Path) -> None:
    runtime = EmbeddedRuntime()
    failures: list[str] = []
    runtime.add_failure_listener(failures.append)
    bad = EmbeddedSettings(data_dir=tmp_path / "rt", python=str(tmp_path / "no-such-python"))
    with pytest.raises(EmbeddedRuntimeError) as info:
        await runtime.ensure_started(bad)
    assert "could not be launched" in info.value.message
    assert runtime.state is RuntimeState.FAILED
    assert failures and failures[-1] == runtime.error


async def test_child_that_exits_early_shows_its_stderr(tmp_path: Path) -> None:
    runtime = EmbeddedRuntime()
    script = tmp_path / "fake_python.sh"
    script.write_text("#!/bin/sh\necho 'model endpoint refused the connection' >&2\nexit 3\n")
    script.chmod(0o755)
    with pytest.raises(EmbeddedRuntimeError) as info:
        await runtime.ensure_started(EmbeddedSettings(data_dir=tmp_path / "rt", python=str(script)))
    assert "exit code 3" in info.value.message
    assert "model endpoint refused the connection" in info.value.message


async def test_unexpected_exit_is_noticed(tmp_path: Path) -> None:
    runtime = EmbeddedRuntime()
    await runtime.ensure_started(EmbeddedSettings(data_dir=tmp_path / "rt"))
    failed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_failed(reason: str) -> None:
        if not failed.done():
            failed.set_result(reason)

    runtime.add_failure_listener(on_failed)
    pid = runtime.pid
    assert pid is not None
    os.kill(pid, 9)
    async with asyncio.timeout(20):
        reason = await failed
    assert "stopped unexpectedly" in reason
    assert runtime.state is RuntimeState.FAILED
    await runtime.stop()


def test_settings_repr_hides_the_model_key(tmp_path: Path) -> None:
    settings = EmbeddedSettings(
        data_dir=tmp_path,
        model_base_url="http://127.0.0.1:1/v1",
        model="m",
        model_api_key="sk-SECRET-123",
    )
    assert "sk-SECRET-123" not in repr(settings)
    assert "sk-SECRET-123" not in " ".join(settings.command())
    assert settings.environment()["PLAYGROUND_RUNTIME_MODEL_API_KEY"] == "sk-SECRET-123"


async def test_no_local_model_setting_is_reported_as_no_model(tmp_path: Path) -> None:
    runtime = EmbeddedRuntime()
    settings = EmbeddedSettings(data_dir=tmp_path / "rt", use_local_model=False)
    assert settings.command()[-1] == "--no-local-model"
    await runtime.ensure_started(settings)
    try:
        assert runtime.model_source is ModelSource.NONE
        assert runtime.model_description and "--no-local-model" in runtime.model_description
    finally:
        await runtime.stop()


async def test_a_model_endpoint_is_named_with_its_url(tmp_path: Path) -> None:
    runtime = EmbeddedRuntime()
    # Nothing listens on port 9: the runtime only contacts the endpoint when a run starts.
    settings = EmbeddedSettings(
        data_dir=tmp_path / "rt", model_base_url="http://127.0.0.1:9/v1", model="llama3.2"
    )
    await runtime.ensure_started(settings)
    try:
        assert runtime.model_source is ModelSource.ENDPOINT
        assert runtime.model_description == "llama3.2 at http://127.0.0.1:9/v1"
    finally:
        await runtime.stop()


def test_model_lines_are_classified_by_their_first_word() -> None:
    assert model_source_of("offline SmolLM2-135M-Instruct (llama.cpp)") is ModelSource.OFFLINE
    assert model_source_of("none (llama-cpp-python is not installed)") is ModelSource.NONE
    assert model_source_of("none") is ModelSource.NONE
    # A model whose name merely starts with those letters is still an endpoint.
    assert model_source_of("nonesuch-7b at http://h/v1") is ModelSource.ENDPOINT
    assert model_source_of("offline-llm at http://h/v1") is ModelSource.ENDPOINT
    assert model_source_of(None) is ModelSource.UNKNOWN


def test_a_token_in_our_environment_is_not_passed_to_the_runtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The runtime would take it and not announce a token, and the window would fail to start.
    monkeypatch.setenv("ASSISTANTS_PLAYGROUND_TOKEN", "inherited-token")
    settings = EmbeddedSettings(data_dir=tmp_path / "rt")
    assert "ASSISTANTS_PLAYGROUND_TOKEN" not in settings.environment()
    assert "inherited-token" not in " ".join(settings.command())


async def test_a_failing_listener_neither_stops_the_others_nor_strands_the_child(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = EmbeddedRuntime()

    def broken(_state: RuntimeState) -> None:
        raise RuntimeError("a listener bug")

    heard: list[RuntimeState] = []
    runtime.add_state_listener(broken)
    runtime.add_state_listener(heard.append)
    await runtime.ensure_started(EmbeddedSettings(data_dir=tmp_path / "rt", use_local_model=False))
    pid = runtime.pid
    assert pid is not None and runtime.is_running
    await runtime.stop()
    assert heard == [RuntimeState.STARTING, RuntimeState.RUNNING, RuntimeState.STOPPED]
    assert runtime.pid is None and not _alive(pid)
    assert "A listener of the embedded runtime failed" in caplog.text


async def test_a_second_runtime_on_the_same_folder_says_who_holds_it(tmp_path: Path) -> None:
    first, second = EmbeddedRuntime(), EmbeddedRuntime()
    settings = EmbeddedSettings(data_dir=tmp_path / "rt")
    await first.ensure_started(settings)
    try:
        with pytest.raises(EmbeddedRuntimeError) as refused:
            await second.ensure_started(settings)
        message = refused.value.message
        assert message.startswith("Another runtime is using this data folder")
        # The runtime's own words follow: which folder, and which process holds it.
        assert f"{tmp_path / 'rt'} is in use by another runtime (process" in message
    finally:
        await second.stop()
        await first.stop()

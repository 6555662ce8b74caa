"""The embedded runtime child process: start with a fresh token, stop, and failures in words."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from playground.ui.embedded import (
    EmbeddedRuntime,
    EmbeddedRuntimeError,
    EmbeddedSettings,
    RuntimeState,
)


def _get(url: str, token: str | None) -> int:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
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
    runtime.state_changed.connect(states.append)
    base = await runtime.ensure_started(EmbeddedSettings(data_dir=tmp_path / "rt"))
    try:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/v1")
        token = runtime.token
        assert token and len(token) >= 20
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
    runtime.failed.connect(failures.append)
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

    runtime.failed.connect(on_failed)
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

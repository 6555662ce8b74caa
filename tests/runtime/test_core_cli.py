"""The server process: port 0, generated token, loopback refusal, token auth, clean exit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.helpers.runtime_process import start_runtime, stop


def test_port_zero_prints_listening_line_and_generated_token(tmp_path: Path) -> None:
    with start_runtime(tmp_path / "data", token=None) as server:
        listening = [line for line in server.stdout_lines if line.startswith("listening on ")]
        assert len(listening) == 1
        assert re.fullmatch(r"listening on http://127\.0\.0\.1:\d+", listening[0])
        assert not server.base_url.endswith(":0")
        tokens = [line for line in server.stdout_lines if line.startswith("token: ")]
        assert len(tokens) == 1 and len(server.token) >= 32
        ok = httpx.get(server.api_base + "/assistants", headers=server.headers)
        assert ok.status_code == 200
        assert ok.json()["object"] == "list"
        code = stop(server.process)
    assert code == 0


def test_refuses_non_loopback_host_without_allow_remote(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "playground.runtime",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "d"),
            "--token",
            "t",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "not a loopback address" in result.stderr
    assert "listening on" not in result.stdout


def test_missing_api_key_env_is_a_plain_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "playground.runtime",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "d"),
            "--model-base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
            "--model-api-key-env",
            "PLAYGROUND_TEST_UNSET_KEY_VAR",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "PLAYGROUND_TEST_UNSET_KEY_VAR" in result.stderr


def test_requests_without_or_with_wrong_token_get_401(runtime) -> None:  # type: ignore[no-untyped-def]
    url = runtime.api_base + "/assistants"
    missing = httpx.get(url)
    wrong = httpx.get(url, headers={"Authorization": "Bearer nope"})
    azure_wrong = httpx.get(
        runtime.azure_base + "/assistants?api-version=2024-05-01-preview", headers={"api-key": "x"}
    )
    for response in (missing, wrong, azure_wrong):
        assert response.status_code == 401
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}
    assert missing.json()["error"]["code"] == "missing_api_key"
    assert wrong.json()["error"]["code"] == "invalid_api_key"
    good = httpx.get(
        runtime.azure_base + "/assistants?api-version=2024-05-01-preview",
        headers={"api-key": runtime.token},
    )
    assert good.status_code == 200

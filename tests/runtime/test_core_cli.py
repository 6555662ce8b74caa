"""The server process: port 0, generated token, loopback refusal, token auth, clean exit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers.runtime_process import server_command, start_runtime, stop, wait_until


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


_MIDDLE_PARENT = """
import subprocess, sys, time
child = subprocess.Popen(sys.argv[1:], stdout=sys.stdout, stderr=sys.stderr)
print(f"child pid: {child.pid}", flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for init to reap it counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to watch the orphan")
def test_exit_with_parent_shuts_down_when_the_parent_is_killed(tmp_path: Path) -> None:
    stderr_path = tmp_path / "runtime.stderr.log"
    command = server_command(tmp_path / "d", extra_args=["--exit-with-parent", "--no-local-model"])
    command += ["--log-level", "info"]
    with stderr_path.open("w") as stderr_file:
        middle = subprocess.Popen(
            [sys.executable, "-c", _MIDDLE_PARENT, *command],
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
    child_pid = 0
    try:
        assert middle.stdout is not None
        # Bounded: the runtime prints ``listening on`` within its startup; readline ends at EOF.
        for line in middle.stdout:
            if line.startswith("child pid: "):
                child_pid = int(line.split(": ", 1)[1])
            if line.startswith("listening on "):
                break
        assert child_pid and _alive(child_pid)
        middle.kill()
        middle.wait(timeout=10)
        wait_until(lambda: not _alive(child_pid), timeout=10)
        log = stderr_path.read_text(errors="replace")
        assert "Traceback" not in log
        assert "Shutting down" in log or "parent process" in log  # a graceful stop
    finally:
        if middle.poll() is None:
            middle.kill()
            middle.wait(timeout=10)
        if child_pid and _alive(child_pid):
            os.kill(child_pid, signal.SIGKILL)


def test_exit_with_parent_is_off_by_default() -> None:
    from playground.runtime.__main__ import parse_args

    assert parse_args(["--data-dir", "x"]).exit_with_parent is False
    assert parse_args(["--data-dir", "x", "--exit-with-parent"]).exit_with_parent is True


def test_a_second_runtime_on_the_same_data_folder_stops_at_once(tmp_path: Path) -> None:
    """Two runtimes on one SQLite folder would undo each other's runs: the second refuses."""
    data = tmp_path / "data"
    with start_runtime(data, extra_args=["--no-local-model"]) as first:
        second = subprocess.run(
            [*server_command(data), "--no-local-model"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 3, second.stderr
        assert "listening on" not in second.stdout
        assert f"The data folder {data} is in use by another runtime" in second.stderr
        assert f"(process {first.process.pid})" in second.stderr
        # The first one is untouched by the attempt.
        assert httpx.get(first.api_base + "/assistants", headers=first.headers).status_code == 200
    # Stopped, it lets the next one in.
    with start_runtime(data, extra_args=["--no-local-model"]) as again:
        assert httpx.get(again.api_base + "/assistants", headers=again.headers).status_code == 200


def test_a_killed_runtime_leaves_no_stale_lock(tmp_path: Path) -> None:
    """The lock is the kernel's: SIGKILL releases it, so a crash never locks a folder out."""
    data = tmp_path / "data"
    with start_runtime(data, extra_args=["--no-local-model"]) as first:
        first.process.kill()
        first.process.wait()
        with start_runtime(data, extra_args=["--no-local-model"]) as second:
            ok = httpx.get(second.api_base + "/assistants", headers=second.headers)
            assert ok.status_code == 200

"""``python -m playground`` as a person starts it: the window, the runtime, a clean exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from playground.runtime.model.llama_local import local_model_unavailable_reason

ROOT = Path(__file__).resolve().parents[2]


def _runtime_processes(home: Path) -> list[str]:
    """Command lines of live runtime processes using this test's data folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "playground.runtime" in cmd and str(home) in cmd:
            found.append(cmd)
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to look for leftovers")
def test_start_connect_and_exit_cleanly(playground_home: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "ASSISTANTS_PLAYGROUND_HOME": str(playground_home),
    }
    env.pop("PLAYGROUND_MODEL_BASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "playground", "--smoke-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "smoke test: connected: Connected to the embedded runtime at http://127.0.0.1:"
        in done.stdout
    )
    # With nothing configured the offline model answers (or, where it is not installed, the
    # window says what to install); either way the person is told in words.
    if local_model_unavailable_reason() is None:
        assert "A tiny offline model (SmolLM2-135M) is answering" in done.stdout
    else:
        assert "no model endpoint set" in done.stdout and "make local-model" in done.stdout
    assert "Traceback" not in done.stderr
    # The app created its profile and the runtime's folder, and left no server behind.
    assert (playground_home / "data" / "playground.sqlite3").is_file()
    assert _runtime_processes(playground_home) == []


def _runtime_pids(home: Path) -> list[int]:
    """Live (not zombie) runtime processes whose command line names this test's folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if "playground.runtime" in cmd and str(home) in cmd and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def _start_app(home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ASSISTANTS_PLAYGROUND_HOME": str(home)}
    env.pop("PLAYGROUND_MODEL_BASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "playground"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _runtime_started(home: Path) -> bool:
    """The app has launched its runtime child (the process and its log file exist)."""
    return bool(_runtime_pids(home)) and any(home.rglob("runtime.stderr.log"))


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the runtime")
def test_sigterm_to_the_app_stops_the_runtime(playground_home: Path) -> None:
    app = _start_app(playground_home)
    try:
        _wait_for(lambda: _runtime_started(playground_home), 60, "the runtime to start")
        app.send_signal(signal.SIGTERM)
        code = app.wait(timeout=20)
        # 0, not -SIGTERM: the app handled the signal and went through its normal shutdown.
        assert code == 0, app.stderr.read() if app.stderr else ""
        _wait_for(lambda: not _runtime_pids(playground_home), 10, "the runtime to stop")
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
        for pid in _runtime_pids(playground_home):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the runtime")
def test_runtime_exits_by_itself_when_the_app_is_killed(playground_home: Path) -> None:
    app = _start_app(playground_home)
    try:
        _wait_for(lambda: _runtime_started(playground_home), 60, "the runtime to start")
        orphans = _runtime_pids(playground_home)
        app.kill()  # SIGKILL: no handler, no atexit; only the runtime's own watch can help
        assert app.wait(timeout=10) == -signal.SIGKILL
        assert orphans and all(pid not in (app.pid,) for pid in orphans)
        _wait_for(lambda: not _runtime_pids(playground_home), 10, "the orphaned runtime to exit")
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
        for pid in _runtime_pids(playground_home):
            os.kill(pid, signal.SIGKILL)


def test_without_a_display_the_app_says_so_and_exits_2(tmp_path: Path) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["ASSISTANTS_PLAYGROUND_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-m", "playground"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if not sys.platform.startswith("linux"):
        pytest.skip("the no-display check is for Linux")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "No display found" in done.stderr
    assert "QT_QPA_PLATFORM=offscreen" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "home").exists()

"""``python -m playground`` as a person starts it: the window, the runtime, a clean exit."""

from __future__ import annotations

import os
import subprocess
import sys
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

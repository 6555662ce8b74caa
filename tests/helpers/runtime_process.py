"""Start the runtime as a REAL subprocess on 127.0.0.1 for tests.

    with start_runtime(tmp_path / "data") as rt:
        httpx.get(rt.api_base + "/assistants", headers=rt.headers)

The helper reads the ``listening on http://HOST:PORT`` line the server prints once it
is ready, and at the end sends SIGTERM (SIGKILL only if it does not exit in time).
The server's stderr goes to ``<data_dir>.stderr.log`` so a failing test can show it.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

LISTENING_PREFIX = "listening on "
DEFAULT_TOKEN = "test-token-0123456789"


@dataclass
class RuntimeServer:
    """A running server: where it is and how to authenticate."""

    base_url: str
    token: str
    data_dir: Path
    process: subprocess.Popen[str]
    stderr_path: Path
    stdout_lines: list[str] = field(default_factory=list)

    @property
    def api_base(self) -> str:
        """OpenAI-style base (``.../v1``), as ``OpenAI(base_url=...)`` expects."""
        return self.base_url + "/v1"

    @property
    def azure_base(self) -> str:
        return self.base_url + "/openai"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "OpenAI-Beta": "assistants=v2"}

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""


def server_command(
    data_dir: Path,
    *,
    token: str | None = DEFAULT_TOKEN,
    host: str = "127.0.0.1",
    port: int = 0,
    model_base_url: str | None = None,
    model: str | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    cmd = [sys.executable, "-m", "playground.runtime", "--host", host, "--port", str(port)]
    cmd += ["--data-dir", str(data_dir)]
    if token is not None:
        cmd += ["--token", token]
    if model_base_url is not None:
        cmd += ["--model-base-url", model_base_url, "--model", model or "scripted-model"]
    return cmd + list(extra_args)


def _pump(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line.rstrip("\n"))
    lines.put(None)


@contextmanager
def start_runtime(
    data_dir: Path,
    *,
    token: str | None = DEFAULT_TOKEN,
    model_base_url: str | None = None,
    model: str | None = None,
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    startup_timeout: float = 60.0,
) -> Iterator[RuntimeServer]:
    """Run the server until the block ends; raises RuntimeError if it never gets ready."""
    data_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = data_dir.with_name(data_dir.name + ".stderr.log")
    cmd = server_command(
        data_dir, token=token, model_base_url=model_base_url, model=model, extra_args=extra_args
    )
    with stderr_path.open("a") as stderr_file:
        process = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=Path(__file__).resolve().parents[2],
        )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    base_url = None
    generated_token = None
    deadline = time.monotonic() + startup_timeout
    try:
        while base_url is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"runtime did not start in {startup_timeout} s: {seen}")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(
                    f"runtime exited with {process.wait()} before listening: "
                    f"{stderr_path.read_text(errors='replace')[-3000:]}"
                )
            seen.append(line)
            if line.startswith("token: "):
                generated_token = line[len("token: ") :]
            if line.startswith(LISTENING_PREFIX):
                base_url = line[len(LISTENING_PREFIX) :].strip()
        yield RuntimeServer(
            base_url=base_url,
            token=token or generated_token or "",
            data_dir=data_dir,
            process=process,
            stderr_path=stderr_path,
            stdout_lines=seen,
        )
    finally:
        stop(process)


def stop(process: subprocess.Popen[str], timeout: float = 15.0) -> int:
    """SIGTERM, wait, and SIGKILL as a last resort; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def wait_until(check: object, *, timeout: float = 20.0, interval: float = 0.05) -> object:
    """Call ``check()`` until it returns something truthy; returns that value.

    For conditions in another process (the server) that a test cannot await directly.
    """
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = check()  # type: ignore[operator]
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last value: {last!r})")


def http_client(server: RuntimeServer) -> httpx.Client:
    """A plain httpx client on the server's OpenAI-style base with the token set."""
    return httpx.Client(base_url=server.api_base, headers=server.headers, timeout=30)


def sdk_client(server: RuntimeServer, **kwargs: Any) -> Any:
    """The official ``openai`` SDK pointed at the server (its beta-API warnings silenced)."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import openai

    return openai.OpenAI(base_url=server.api_base, api_key=server.token, max_retries=0, **kwargs)

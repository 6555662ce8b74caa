"""Start the embedded runtime on demand without Qt, for the headless ``test`` command.

The window's :class:`playground.ui.embedded.EmbeddedRuntime` is a QObject (it reports its
state through signals), so the command line cannot use it. This launcher speaks the same
start-up contract with the same child: ``python -m playground.runtime --port 0``, the token
read from the child's stdout (a pipe only we read, never a command line), the model key in
the child's environment, ``--exit-with-parent`` so no server outlives a killed CI job. It
uses the same data folder as the window, so the assistants a person built there are the
ones a suite tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import RuntimeStartError

LISTENING_PREFIX = "listening on "
TOKEN_PREFIX = "token: "
MODEL_PREFIX = "model: "
#: The same variable names the window uses, so ``make run``-style settings apply here too.
MODEL_KEY_ENV = "PLAYGROUND_RUNTIME_MODEL_API_KEY"
DEFAULT_MODEL_URL_ENV = "PLAYGROUND_MODEL_BASE_URL"
DEFAULT_MODEL_NAME_ENV = "PLAYGROUND_MODEL"
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RuntimeLaunch:
    data_dir: Path
    model_base_url: str | None = None
    model: str | None = None
    model_api_key: str | None = None
    startup_timeout_s: float = STARTUP_TIMEOUT_S

    def __repr__(self) -> str:  # never show the key
        return (
            f"RuntimeLaunch(data_dir={str(self.data_dir)!r}, "
            f"model_base_url={self.model_base_url!r}, model={self.model!r})"
        )

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "playground.runtime", "--host", "127.0.0.1", "--port", "0"]
        cmd += ["--data-dir", str(self.data_dir), "--exit-with-parent"]
        if self.model_base_url:
            cmd += ["--model-base-url", self.model_base_url, "--model", self.model or "default"]
            if self.model_api_key:
                cmd += ["--model-api-key-env", MODEL_KEY_ENV]
        return cmd

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop(MODEL_KEY_ENV, None)
        if self.model_base_url and self.model_api_key:
            env[MODEL_KEY_ENV] = self.model_api_key
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env


def default_model_settings() -> tuple[str | None, str | None]:
    url = os.environ.get(DEFAULT_MODEL_URL_ENV, "").strip() or None
    name = os.environ.get(DEFAULT_MODEL_NAME_ENV, "").strip() or None
    return url, name


@dataclass(frozen=True)
class RunningRuntime:
    api_base: str  # http://127.0.0.1:PORT/v1
    token: str
    model: str  # what the runtime said answers its runs


class HeadlessRuntime:
    """One runtime child for the duration of an ``async with`` block."""

    def __init__(self, launch: RuntimeLaunch) -> None:
        self._launch = launch
        self._process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningRuntime:
        launch = self._launch
        try:
            launch.data_dir.mkdir(parents=True, exist_ok=True)
            log = (launch.data_dir / "runtime.stderr.log").open("ab")
        except OSError as exc:
            raise RuntimeStartError(
                f"The runtime's data folder {launch.data_dir} is not usable ({exc.strerror})."
            ) from None
        try:
            self._process = await asyncio.create_subprocess_exec(
                *launch.command(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                env=launch.environment(),
            )
        except OSError as exc:
            raise RuntimeStartError(f"The runtime could not be launched ({exc}).") from None
        finally:
            log.close()
        try:
            async with asyncio.timeout(launch.startup_timeout_s):
                running = await self._banner(self._process)
        except TimeoutError:
            await self.__aexit__()
            raise RuntimeStartError(
                f"The runtime did not become ready within {launch.startup_timeout_s:.0f} s "
                f"(see {launch.data_dir / 'runtime.stderr.log'})."
            ) from None
        except RuntimeStartError:
            await self.__aexit__()
            raise
        self._drain = asyncio.get_running_loop().create_task(self._drain_stdout(self._process))
        return running

    async def __aexit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if self._drain is not None:
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain
            self._drain = None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            async with asyncio.timeout(STOP_TIMEOUT_S):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def _banner(self, process: asyncio.subprocess.Process) -> RunningRuntime:
        assert process.stdout is not None
        token = model = ""
        while True:
            raw = await process.stdout.readline()
            if not raw:
                code = await process.wait()
                raise RuntimeStartError(
                    f"The runtime stopped before it was ready (exit code {code}; see "
                    f"{self._launch.data_dir / 'runtime.stderr.log'})."
                )
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith(TOKEN_PREFIX):
                token = line[len(TOKEN_PREFIX) :].strip()
            elif line.startswith(MODEL_PREFIX):
                model = line[len(MODEL_PREFIX) :].strip()
            elif line.startswith(LISTENING_PREFIX):
                if not token:
                    raise RuntimeStartError("The runtime did not announce its access token.")
                base = line[len(LISTENING_PREFIX) :].strip().rstrip("/")
                return RunningRuntime(base + "/v1", token, model)

    @staticmethod
    async def _drain_stdout(process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while await process.stdout.readline():
            pass

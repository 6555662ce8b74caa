"""The embedded runtime as a child process of the window (or of the headless ``test`` command).

The hosted Assistants APIs are gone, so by default the playground talks to its own local
server. It runs as a separate process (``python -m playground.runtime``) so a crash or a
stuck kernel in the server never freezes the window, and so the window can paint before the
server has finished importing. The server generates a fresh token and prints it on stdout —
a pipe only we read — so the token never appears on a command line other users can see; the
model key travels in the child's environment for the same reason.

Stopping: SIGTERM, a grace period, then SIGKILL. ``stop_now()`` is the synchronous last resort
for interpreter exit (``atexit``), so no server outlives the app even when the event loop is
already gone.

Qt-free on purpose: the window, the connector (composition code, which must not import
``ui``) and the headless ``test`` command all start the same child the same way. State
changes and failures reach listeners as plain callbacks, called on the event loop's thread
(the window's qasync loop runs on the Qt thread, so a listener may touch widgets).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from playground.folder_lock import EXIT_FOLDER_IN_USE, folder_in_use

log = logging.getLogger(__name__)
_T = TypeVar("_T")

LISTENING_PREFIX = "listening on "
#: The headline when the data folder's lock is held (the runtime's own words, naming the
#: folder and the process, follow it).
FOLDER_BUSY = (
    "Another runtime is using this data folder: a playground window or an "
    "`assistants-playground test` run. Close it or let it finish, then start again."
)
TOKEN_PREFIX = "token: "
#: The runtime says which model answers runs before it says ``listening on``:
#: ``model: offline NAME (llama.cpp)``, ``model: none (why)`` or ``model: NAME at URL``.
MODEL_PREFIX = "model: "
#: ``code interpreter: sandboxed (...)``, ``unsafe (...)`` or ``off (...)`` (issue 9).
CODE_INTERPRETER_PREFIX = "code interpreter: "
UNSAFE_CODE_INTERPRETER_WORD = "unsafe"
_OFFLINE_WORD = "offline "
_NONE_WORD = "none"
#: Environment variable that carries the model key to the child (never argv).
MODEL_KEY_ENV = "PLAYGROUND_RUNTIME_MODEL_API_KEY"
#: Where ``make run`` finds a default model endpoint when the profile has none.
DEFAULT_MODEL_URL_ENV = "PLAYGROUND_MODEL_BASE_URL"
#: The runtime takes its token from this variable when set (``playground.runtime.config``);
#: the window wants a fresh, announced token, so it never passes one on.
RUNTIME_TOKEN_ENV = "ASSISTANTS_PLAYGROUND_TOKEN"
DEFAULT_MODEL_NAME_ENV = "PLAYGROUND_MODEL"
DEFAULT_STARTUP_TIMEOUT_S = 60.0
DEFAULT_STOP_TIMEOUT_S = 10.0
_STDERR_TAIL_LINES = 12


class EmbeddedRuntimeError(Exception):
    """The runtime could not start; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuntimeState(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    FAILED = "failed"


class ModelSource(StrEnum):
    """Which kind of model answers the running runtime's runs."""

    ENDPOINT = "endpoint"  # a configured Chat Completions endpoint
    OFFLINE = "offline"  # the tiny bundled SmolLM2, run in-process
    NONE = "none"  # nothing: runs fail saying what to install or configure
    UNKNOWN = "unknown"  # not running, or a runtime that does not announce its model


def model_source_of(description: str | None) -> ModelSource:
    """Classify the text after ``model: `` by its first word (see the runtime's model_choice)."""
    if description is None:
        return ModelSource.UNKNOWN
    if description.startswith(_OFFLINE_WORD):
        return ModelSource.OFFLINE
    if description == _NONE_WORD or description.startswith(_NONE_WORD + " "):
        return ModelSource.NONE
    return ModelSource.ENDPOINT


@dataclass(frozen=True)
class EmbeddedSettings:
    """How to start the runtime. ``model_api_key`` goes to the child's environment only."""

    data_dir: Path
    model_base_url: str | None = None
    model: str | None = None
    model_api_key: str | None = None
    python: str = sys.executable
    startup_timeout_s: float = DEFAULT_STARTUP_TIMEOUT_S
    #: Without a model endpoint, let the runtime answer with its bundled offline model.
    use_local_model: bool = True
    #: Run code without isolation where no sandbox works (the window then shows red).
    unsafe_code_interpreter: bool = False

    def __repr__(self) -> str:  # never show the key in tracebacks or logs
        return (
            f"EmbeddedSettings(data_dir={str(self.data_dir)!r}, "
            f"model_base_url={self.model_base_url!r}, model={self.model!r}, "
            f"model_api_key={'***' if self.model_api_key else None})"
        )

    def command(self) -> list[str]:
        cmd = [self.python, "-m", "playground.runtime", "--host", "127.0.0.1", "--port", "0"]
        cmd += ["--data-dir", str(self.data_dir)]
        # If the window is killed before it can stop the runtime, the runtime stops itself.
        cmd.append("--exit-with-parent")
        if self.model_base_url:
            cmd += ["--model-base-url", self.model_base_url, "--model", self.model or "default"]
            if self.model_api_key:
                cmd += ["--model-api-key-env", MODEL_KEY_ENV]
        if not self.use_local_model:
            cmd.append("--no-local-model")
        if self.unsafe_code_interpreter:
            cmd.append("--unsafe-code-interpreter")
        return cmd

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop(MODEL_KEY_ENV, None)
        env.pop(RUNTIME_TOKEN_ENV, None)
        if self.model_base_url and self.model_api_key:
            env[MODEL_KEY_ENV] = self.model_api_key
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env


def default_model_settings() -> tuple[str | None, str | None]:
    """Model endpoint and name from the environment (``make run`` with a local server)."""
    url = os.environ.get(DEFAULT_MODEL_URL_ENV, "").strip() or None
    name = os.environ.get(DEFAULT_MODEL_NAME_ENV, "").strip() or None
    return url, name


#: Told every state the runtime enters (a :class:`RuntimeState`, which is also a ``str``).
StateListener = Callable[[RuntimeState], None]
#: Told why the runtime failed, in plain words (at start, or when the process died).
FailureListener = Callable[[str], None]


class EmbeddedRuntime:
    """Starts, watches and stops one runtime child process.

    Listeners (:meth:`add_state_listener`, :meth:`add_failure_listener`) replace the Qt
    signals this class had when it lived in ``ui``: the composition root subscribes the
    window, tests subscribe a list, the headless command subscribes nothing.
    """

    def __init__(self) -> None:
        self._state_listeners: list[StateListener] = []
        self._failure_listeners: list[FailureListener] = []
        self._process: asyncio.subprocess.Process | None = None
        self._base_url: str | None = None
        self._token: str | None = None
        self._model_description: str | None = None
        self._code_interpreter: str | None = None
        self._state = RuntimeState.STOPPED
        self._error = ""
        self._stderr_path: Path | None = None
        self._watch: asyncio.Task[None] | None = None
        self._drain: asyncio.Task[None] | None = None
        self._stopping = False
        self._lock = asyncio.Lock()

    # -- listeners ------------------------------------------------------------------------

    def add_state_listener(self, listener: StateListener) -> None:
        """Call ``listener`` with each state entered from now on."""
        self._state_listeners.append(listener)

    def add_failure_listener(self, listener: FailureListener) -> None:
        """Call ``listener`` with the reason each time a start fails or the process dies."""
        self._failure_listeners.append(listener)

    # -- state ----------------------------------------------------------------------------

    @property
    def state(self) -> RuntimeState:
        return self._state

    @property
    def error(self) -> str:
        """Why the last start failed (or the process died), in plain words."""
        return self._error

    @property
    def base_url(self) -> str | None:
        """``http://127.0.0.1:PORT`` once running."""
        return self._base_url

    @property
    def api_base(self) -> str | None:
        """The OpenAI-style base (``.../v1``) clients use."""
        return self._base_url + "/v1" if self._base_url else None

    @property
    def token(self) -> str | None:
        return self._token

    @property
    def model_description(self) -> str | None:
        """What the runtime said answers its runs (the text after ``model: ``), once running."""
        return self._model_description

    @property
    def code_interpreter_unsafe(self) -> bool:
        """True while the runtime runs model-written code WITHOUT a sandbox."""
        return (self._code_interpreter or "").startswith(UNSAFE_CODE_INTERPRETER_WORD)

    @property
    def code_interpreter_description(self) -> str | None:
        """What the runtime said about its code sandbox (after ``code interpreter: ``)."""
        return self._code_interpreter

    @property
    def model_source(self) -> ModelSource:
        return model_source_of(self._model_description)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def is_running(self) -> bool:
        return self._state is RuntimeState.RUNNING

    # -- start / stop ---------------------------------------------------------------------

    async def ensure_started(self, settings: EmbeddedSettings) -> str:
        """Start unless already running; returns the OpenAI-style base URL."""
        async with self._lock:
            if self._state is RuntimeState.RUNNING and self.api_base:
                return self.api_base
            return await self._start(settings)

    async def restart(self, settings: EmbeddedSettings) -> str:
        """Stop and start again (e.g. the model endpoint changed)."""
        async with self._lock:
            await self._stop(DEFAULT_STOP_TIMEOUT_S)
            return await self._start(settings)

    async def stop(self, timeout_s: float = DEFAULT_STOP_TIMEOUT_S) -> None:
        async with self._lock:
            await self._stop(timeout_s)

    def stop_now(self) -> None:
        """Synchronous stop when no loop may be running (a crash path, interpreter exit)."""
        process = self._process
        if process is not None:
            self._stopping = True
            _terminate_sync(process.pid)
            _LIVE_PIDS.discard(process.pid)

    # -- internals ------------------------------------------------------------------------

    async def _start(self, settings: EmbeddedSettings) -> str:
        self._set_state(RuntimeState.STARTING)
        self._stopping = False
        self._base_url = self._token = self._model_description = self._code_interpreter = None
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return self._fail(
                f"The runtime's data folder {settings.data_dir} cannot be created ({exc.strerror})."
            )
        self._stderr_path = settings.data_dir / "runtime.stderr.log"
        try:
            stderr_file = self._stderr_path.open("ab")
        except OSError as exc:
            return self._fail(f"The runtime's log file cannot be written ({exc.strerror}).")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *settings.command(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr_file,
                env=settings.environment(),
            )
        except OSError as exc:
            return self._fail(f"The runtime could not be launched: {exc.strerror or exc}.")
        finally:
            stderr_file.close()
        _LIVE_PIDS.add(self._process.pid)
        try:
            async with asyncio.timeout(settings.startup_timeout_s):
                await self._read_banner(self._process)
        except TimeoutError:
            await self._kill(self._process)
            return self._fail(
                f"The runtime did not become ready within {settings.startup_timeout_s:.0f} s."
                + self._stderr_tail()
            )
        except EmbeddedRuntimeError as exc:
            await self._kill(self._process)
            message = exc.message
            if self._process.returncode == EXIT_FOLDER_IN_USE and folder_in_use(settings.data_dir):
                message = FOLDER_BUSY
            return self._fail(message + self._stderr_tail())
        self._drain = asyncio.get_running_loop().create_task(self._drain_stdout(self._process))
        self._watch = asyncio.get_running_loop().create_task(self._watch_exit(self._process))
        self._set_state(RuntimeState.RUNNING)
        log.info("Embedded runtime listening on %s (pid %s)", self._base_url, self._process.pid)
        assert self.api_base is not None
        return self.api_base

    async def _read_banner(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while self._base_url is None:
            raw = await process.stdout.readline()
            if not raw:
                code = await process.wait()
                raise EmbeddedRuntimeError(
                    f"The runtime stopped before it was ready (exit code {code})."
                )
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith(TOKEN_PREFIX):
                self._token = line[len(TOKEN_PREFIX) :].strip()
            elif line.startswith(MODEL_PREFIX):
                self._model_description = line[len(MODEL_PREFIX) :].strip()
            elif line.startswith(CODE_INTERPRETER_PREFIX):
                self._code_interpreter = line[len(CODE_INTERPRETER_PREFIX) :].strip()
            elif line.startswith(LISTENING_PREFIX):
                self._base_url = line[len(LISTENING_PREFIX) :].strip().rstrip("/")
        if not self._token:
            raise EmbeddedRuntimeError("The runtime did not announce its access token.")

    async def _drain_stdout(self, process: asyncio.subprocess.Process) -> None:
        # Keep reading so a chatty child can never block on a full pipe.
        assert process.stdout is not None
        while await process.stdout.readline():
            pass

    async def _watch_exit(self, process: asyncio.subprocess.Process) -> None:
        code = await process.wait()
        _LIVE_PIDS.discard(process.pid)
        if self._stopping or process is not self._process:
            return
        self._base_url = self._model_description = self._code_interpreter = None
        self._fail_quietly(
            f"The embedded runtime stopped unexpectedly (exit code {code})." + self._stderr_tail()
        )

    async def _stop(self, timeout_s: float) -> None:
        process = self._process
        self._stopping = True
        for task in (self._watch, self._drain):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._watch = self._drain = None
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                async with asyncio.timeout(timeout_s):
                    await process.wait()
            except TimeoutError:
                log.warning("The runtime did not stop within %s s; killing it.", timeout_s)
                await self._kill(process)
        if process is not None:
            _LIVE_PIDS.discard(process.pid)
        self._process = None
        self._base_url = self._token = self._model_description = self._code_interpreter = None
        if self._state is not RuntimeState.FAILED:
            self._set_state(RuntimeState.STOPPED)

    @staticmethod
    async def _kill(process: asyncio.subprocess.Process) -> None:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        _LIVE_PIDS.discard(process.pid)

    def _stderr_tail(self) -> str:
        if self._stderr_path is None:
            return ""
        try:
            with self._stderr_path.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - 8192))
                text = handle.read().decode("utf-8", "replace")
        except OSError:
            return ""
        lines = deque((ln for ln in text.splitlines() if ln.strip()), maxlen=_STDERR_TAIL_LINES)
        if not lines:
            return ""
        return "\n\nThe runtime said:\n" + "\n".join(lines)

    def _fail(self, message: str) -> str:
        self._fail_quietly(message)
        raise EmbeddedRuntimeError(message)

    def _fail_quietly(self, message: str) -> None:
        self._error = message
        self._set_state(RuntimeState.FAILED)
        log.warning("Embedded runtime: %s", message)
        _tell(self._failure_listeners, message)

    def _set_state(self, state: RuntimeState) -> None:
        if state is not RuntimeState.FAILED:
            self._error = ""
        self._state = state
        _tell(self._state_listeners, state)


def _tell(listeners: list[Callable[[_T], None]], value: _T) -> None:
    """Call every listener; one that raises is logged and the rest still hear.

    A listener runs in the middle of starting or stopping a child process: its error must
    not leave a process running that nobody tracks, nor hide the failure it was told about.
    """
    for listener in list(listeners):
        try:
            listener(value)
        except Exception:
            log.exception("A listener of the embedded runtime failed")


# Children still running; the atexit hook below stops them if the app exits without a clean
# shutdown (an exception in main, a closed loop), so no server outlives the window.
_LIVE_PIDS: set[int] = set()


def _terminate_sync(pid: int, grace_s: float = 3.0) -> None:
    """SIGTERM, wait up to ``grace_s`` without an event loop, then SIGKILL."""
    import signal
    import time

    try:
        os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return  # already reaped (by asyncio's child watcher)
        if done != 0:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


@atexit.register
def _stop_leftover_children() -> None:
    for pid in list(_LIVE_PIDS):
        _terminate_sync(pid)
    _LIVE_PIDS.clear()

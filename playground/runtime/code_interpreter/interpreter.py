"""The code interpreter: one sandboxed kernel per session (= thread id).

Sessions own a folder under ``root_dir`` that stands for ``/mnt/data``. Kernels are
started lazily (taken from a warm spare), replaced after they die or stop answering,
and shut down after ``Limits.idle_timeout_seconds`` without use; the folder stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .kernel import SandboxedKernel
from .limits import Limits
from .pool import KernelPool
from .result import ExecutionResult
from .sandbox import Isolation, kernel_argv, kernel_env, network_isolation
from .workdir import changed_files, check_session_id, safe_file_name, snapshot

log = logging.getLogger(__name__)

FRESH_KERNEL_NOTE = (
    "[Note: the previous Python kernel of this session {why}, so this code ran in a "
    "fresh kernel; variables and imports from earlier cells are gone, files are kept.]\n"
)
_NO_ISOLATION = Isolation((), "network isolation is switched off by configuration")


@dataclass
class _Session:
    workdir: Path
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    kernel: SandboxedKernel | None = None
    last_used: float = field(default_factory=time.monotonic)
    lost_kernel: str | None = None  # why the last kernel went away, if it did


class CodeInterpreter:
    """Runs Python for assistants, one Jupyter kernel per session, within ``limits``."""

    def __init__(self, root_dir: Path, *, limits: Limits | None = None) -> None:
        # Absolute, because the kernel chdirs from its spare folder to this path.
        self._root = Path(root_dir).absolute()
        self._limits = limits or Limits()
        self._sessions: dict[str, _Session] = {}
        self._pool: KernelPool | None = None
        self._reaper: asyncio.Task[None] | None = None
        self._socket_dir: Path | None = None
        self._closed = False
        self._isolation = network_isolation() if self._limits.no_network else None

    # -- public interface -------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        return self._limits

    @property
    def sandbox_description(self) -> str:
        """Plain words on what isolation is in force, for logs and the tool description."""
        if self._isolation is None:
            return "network isolation is switched off by configuration"
        return self._isolation.description

    @property
    def maps_mnt_data(self) -> bool:
        """Whether literal ``/mnt/data/...`` paths reach the session folder."""
        return self._isolation is not None and self._isolation.active and not _under_mnt(self._root)

    def describe_environment(self) -> str:
        """Plain facts about the sandbox for the model's tool description."""
        limits = self._limits
        where = (
            "Files are in /mnt/data, which is also the current directory"
            if self.maps_mnt_data
            else "Files are in the current directory (it stands for /mnt/data; use relative paths)"
        )
        network = (
            "There is no internet access."
            if self._isolation is not None and self._isolation.active
            else "Do not rely on internet access."
        )
        memory = (
            f" Memory is limited to {limits.memory_bytes // (1024 * 1024)} MiB."
            if limits.memory_bytes
            else ""
        )
        return (
            "Python code runs in a stateful Jupyter kernel (variables persist between calls). "
            f"{where}; save files there to return them to the user. {network} "
            f"Each execution may take at most {limits.wall_seconds:g} s.{memory} "
            "Use matplotlib and plt.show() to produce images."
        )

    def workdir(self, session_id: str) -> Path:
        """The folder that stands for ``/mnt/data`` in this session (created on demand)."""
        path = self._root / check_session_id(session_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def add_file(self, session_id: str, name: str, data: bytes) -> Path:
        """Copy a file into the session folder; returns where it landed."""
        target = self.workdir(session_id) / safe_file_name(name)
        await asyncio.to_thread(target.write_bytes, data)
        return target

    async def warm_up(self) -> None:
        """Start the spare kernel now and wait until it is ready.

        Optional: the server may call it on start so the first thread's first cell does
        not pay for a kernel start. Without it, the spare starts on first use.
        """
        self._ensure_started()
        if self._pool is not None:
            await self._pool.wait_warm()

    def kernel_pid(self, session_id: str) -> int | None:
        """Process id of the session's kernel, if one is running (for diagnostics)."""
        session = self._sessions.get(session_id)
        if session is None or session.kernel is None:
            return None
        return session.kernel.pid

    async def execute(self, session_id: str, code: str) -> ExecutionResult:
        """Run ``code`` in the session's kernel and report logs, images and new files."""
        check_session_id(session_id)
        if self._closed:
            return ExecutionResult(error="The code interpreter has been shut down.")
        if not isinstance(code, str):
            return ExecutionResult(error="The code to run must be text.")
        self._ensure_started()
        session = self._session(session_id)
        async with session.lock:
            session.last_used = time.monotonic()
            note = ""
            if session.kernel is not None and not await session.kernel.is_alive():
                await self._drop_kernel(session)
                session.lost_kernel = "stopped unexpectedly"
            if session.kernel is None:
                try:
                    session.kernel = await self._start_kernel_for(session_id, session)
                except Exception as exc:
                    return ExecutionResult(error=str(exc), logs=f"{exc}\n")
                if session.lost_kernel:
                    note = FRESH_KERNEL_NOTE.format(why=session.lost_kernel)
                    session.lost_kernel = None
            before = await asyncio.to_thread(snapshot, session.workdir)
            outcome = await session.kernel.execute(code, time_limit=self._limits.wall_seconds)
            after = await asyncio.to_thread(snapshot, session.workdir)
            if outcome.died or outcome.needs_restart:
                await self._drop_kernel(session)
                session.lost_kernel = (
                    "stopped unexpectedly" if outcome.died else "was restarted after a timeout"
                )
            session.last_used = time.monotonic()
            return ExecutionResult(
                logs=note + outcome.logs,
                images=outcome.images,
                new_files=changed_files(before, after),
                error=outcome.error,
                timed_out=outcome.timed_out,
            )

    async def shutdown_session(self, session_id: str) -> None:
        """Stop the session's kernel; its folder and files stay."""
        session = self._sessions.pop(session_id, None)
        if session is None:
            return
        async with session.lock:
            await self._drop_kernel(session)

    async def aclose(self) -> None:
        """Stop every kernel (spare included) and the idle reaper; no process survives."""
        if self._closed:
            return
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        sessions = list(self._sessions.values())
        self._sessions.clear()
        for session in sessions:
            await self._drop_kernel(session)
        if self._pool is not None:
            await self._pool.aclose()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    # -- internals --------------------------------------------------------------------

    def _ensure_started(self) -> None:
        """Create the pool and the idle reaper on first use (needs a running loop)."""
        if self._pool is not None or self._closed:
            return
        self._root.mkdir(parents=True, exist_ok=True)
        for name in (".home", ".spare"):
            (self._root / name).mkdir(exist_ok=True)
        self._socket_dir = _socket_dir(self._root)
        self._pool = KernelPool(self._new_kernel, keep_spare=self._limits.prewarm)
        self._pool.warm()
        self._reaper = asyncio.create_task(self._reap_idle(), name="code-interpreter-reaper")
        log.info("code interpreter sandbox: %s", self.sandbox_description)

    async def _new_kernel(self) -> SandboxedKernel:
        assert self._socket_dir is not None
        isolation = self._isolation
        kernel = SandboxedKernel(
            argv=kernel_argv(self._limits, isolation or _NO_ISOLATION),
            env=kernel_env(self._root / ".home"),
            cwd=self._root / ".spare",
            socket_dir=self._socket_dir,
            limits=self._limits,
            maps_mnt_data=self.maps_mnt_data,
            stderr_log=self._root / ".home" / "kernels.log",
        )
        await kernel.start()
        return kernel

    async def _start_kernel_for(self, session_id: str, session: _Session) -> SandboxedKernel:
        assert self._pool is not None
        kernel = await self._pool.take()
        try:
            await kernel.bind(session_id, session.workdir)
        except BaseException:
            await asyncio.shield(kernel.stop())
            raise
        return kernel

    def _session(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            session = _Session(workdir=self.workdir(session_id))
            self._sessions[session_id] = session
        return session

    async def _drop_kernel(self, session: _Session) -> None:
        kernel, session.kernel = session.kernel, None
        if kernel is not None:
            await kernel.stop()

    async def _reap_idle(self) -> None:
        """Stop kernels unused for longer than the idle timeout."""
        while True:
            await asyncio.sleep(self._limits.idle_check_seconds)
            now = time.monotonic()
            for session in list(self._sessions.values()):
                idle = now - session.last_used
                if (
                    session.kernel is not None
                    and idle >= self._limits.idle_timeout_seconds
                    and not session.lock.locked()
                ):
                    async with session.lock:
                        await self._drop_kernel(session)
                        session.lost_kernel = "was shut down after being idle"


def _socket_dir(root: Path) -> Path:
    """Where kernel sockets live: inside the data dir when the path is short enough.

    Unix socket paths are limited to about 100 bytes (names add ~25), so long data-dir
    paths fall back to a fresh short temp folder.
    """
    preferred = root / ".sock"
    if len(str(preferred).encode()) <= 75:
        preferred.mkdir(exist_ok=True)
        return preferred
    return Path(tempfile.mkdtemp(prefix="pgci-"))


def _under_mnt(path: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to("/mnt")
    except OSError:
        return True

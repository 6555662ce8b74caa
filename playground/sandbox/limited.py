"""Run untrusted work in a child process with a time and a memory limit.

Some checks cannot be bounded in-process: Python's ``re`` cannot be interrupted (a schema
``pattern`` like ``^(a+)+$`` froze the UI for 32 s, doubling per character) and image
decoders hold the GIL (an SVG ``<use>`` bomb froze the window for 95 s). So the work runs in
``sys.executable -m MODULE`` — which the PyInstaller bundle answers too — reading its input
on stdin and writing its answer on stdout; the child caps its own address space with
:func:`limit_memory` first, and the parent kills it at the deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

#: The folder holding this copy of the package: the child must run the same code, whatever
#: its working directory.
_ROOT = str(Path(__file__).resolve().parents[2])


class LimitedWorkError(Exception):
    """The child did not answer: it ran out of time or memory, or failed; ``message`` says."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def run_limited(
    module: str, payload: bytes, *, time_s: float, memory_bytes: int, args: tuple[str, ...] = ()
) -> bytes:
    """``module``'s stdout for ``payload`` on its stdin; LimitedWorkError past the limits."""
    env = dict(os.environ, PLAYGROUND_CHILD_MEMORY=str(memory_bytes))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH", "")) if p)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        async with asyncio.timeout(time_s):
            out, err = await process.communicate(payload)
    except TimeoutError:
        raise LimitedWorkError(f"it took longer than {time_s:g} s and was stopped") from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    if process.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no details"]
        if "MemoryError" in tail[0] or (process.returncode or 0) < 0:
            raise LimitedWorkError(f"it needed more than {memory_bytes // 2**20} MiB of memory")
        raise LimitedWorkError(f"it failed ({tail[0][:200]})")
    return out


def limit_memory() -> None:
    """In the child: cap the address space at what the parent passed (Linux/macOS only)."""
    value = os.environ.get("PLAYGROUND_CHILD_MEMORY", "")
    if not value.isdigit():
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (int(value), int(value)))
    except (ImportError, ValueError, OSError):
        pass  # Windows, or a hard limit below ours: the time limit still holds

"""The child side of isolated extraction: limit this process, read one file, print its text.

Run as ``python -m playground.runtime.file_search.worker --memory BYTES --cpu SECONDS``.
The limits are set on this process first thing (not through ``preexec_fn``, which is unsafe
in the threaded server), so a hostile document can at most exhaust this child. Input on
stdin: one JSON header line (``{"filename", "limits"}``) and then the file's bytes. Output on
stdout: ``T`` and the text as UTF-8, or ``E`` and a JSON ``{"kind", "message"}``.
"""

from __future__ import annotations

import json
import sys

#: Exit status when the child ran out of its memory allowance (the parent says so plainly).
EXIT_OUT_OF_MEMORY = 3


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    if sys.platform == "win32":
        return
    import resource

    for name, soft, hard in (
        ("RLIMIT_AS", memory_bytes, memory_bytes),
        ("RLIMIT_CPU", cpu_seconds, cpu_seconds + 5),
        ("RLIMIT_CORE", 0, 0),
    ):
        limit = getattr(resource, name)
        _, current_hard = resource.getrlimit(limit)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        try:
            resource.setrlimit(limit, (soft, hard))
        except (ValueError, OSError):
            pass  # macOS refuses RLIMIT_AS; the parent's wall-clock limit still holds


def _peak_bytes() -> int:
    """This process image's own peak resident size.

    ``ru_maxrss`` survives ``execve`` on Linux: a child started from a big parent reports the
    parent's peak, which once made every malformed file look like a memory bomb. ``VmHWM``
    belongs to the new address space alone.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


def _near_memory_limit(memory_bytes: int) -> bool:
    if sys.platform == "win32":
        return False
    return _peak_bytes() > memory_bytes // 2


def _reply(kind: bytes, payload: bytes) -> None:
    sys.stdout.buffer.write(kind + payload)
    sys.stdout.buffer.flush()


def main(argv: list[str]) -> int:
    options = dict(zip(argv[::2], argv[1::2], strict=True))
    _limit(int(options["--memory"]), int(options["--cpu"]))
    try:
        from .errors import FileSearchError, UnsupportedFileType
        from .extract import extract_text
        from .limits import ExtractionLimits

        header = json.loads(sys.stdin.buffer.readline())
        data = sys.stdin.buffer.read()
        limits = ExtractionLimits(**header["limits"])
        try:
            text = extract_text(header["filename"], data, limits)
        except UnsupportedFileType as exc:
            kind, message = "unsupported", str(exc)
        except FileSearchError as exc:
            # Parsers in C (lxml) report a failed allocation as some parse error; a peak
            # near the allowance says what really happened.
            kind = "memory" if _near_memory_limit(int(options["--memory"])) else "invalid"
            message = str(exc)
        else:
            del data
            _reply(b"T", text.encode("utf-8", "surrogatepass"))
            return 0
        _reply(b"E", json.dumps({"kind": kind, "message": message}).encode())
        return 0
    except MemoryError:
        # Nothing may be allocated any more; the exit status carries the reason.
        return EXIT_OUT_OF_MEMORY


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

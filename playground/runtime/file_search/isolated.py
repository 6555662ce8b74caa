"""Extraction in a child process with memory, CPU and wall-clock limits.

Document parsers (python-docx/lxml, pypdf, html.parser, ElementTree) run on untrusted
bytes. Inside the server, one 730 KB DOCX holding 240 MB of XML took minutes of parsing,
6 GB of memory that was never given back, and seconds-long stalls of every request. Here
each file is read by a fresh ``python -m playground.runtime.file_search.worker`` that
limits its own address space and CPU time; the parent waits with a wall-clock timeout and
kills the child when it passes. Whatever the document does, the server only loses that
one file, with a reason a person can read, and its memory stays where it was.

The async entry point waits on the child without occupying a worker thread, so a batch of
slow documents cannot starve the database calls that share asyncio's default executor.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import subprocess
import sys

from .errors import ExtractionError, FileSearchError, FileTooLarge, UnsupportedFileType
from .limits import ExtractionLimits
from .worker import EXIT_OUT_OF_MEMORY

# Exit statuses of a child stopped by its CPU limit (SIGXCPU, then SIGKILL at the hard limit).
_CPU_LIMIT_STATUSES = frozenset(
    -number
    for number in (getattr(signal, "SIGXCPU", None), getattr(signal, "SIGKILL", None))
    if number
)
_BOMB_HINT = "The document may be a decompression bomb or far too complex."


class ExtractionFailed(FileSearchError):
    """The child died for a reason that is not the document's fault (maps to ``server_error``)."""


def _check_size(filename: str, data: bytes, limits: ExtractionLimits) -> None:
    if len(data) > limits.max_file_bytes:
        raise FileTooLarge(
            f"{filename!r} is {len(data)} bytes; file search reads files up to "
            f"{limits.max_file_bytes} bytes."
        )


def _command(limits: ExtractionLimits) -> list[str]:
    return [
        sys.executable,
        "-m",
        "playground.runtime.file_search.worker",
        "--memory",
        str(limits.worker_memory_bytes),
        "--cpu",
        str(max(1, int(limits.worker_seconds))),
    ]


def _payload(filename: str, data: bytes, limits: ExtractionLimits) -> bytes:
    header = {"filename": filename, "limits": dataclasses.asdict(limits)}
    return json.dumps(header).encode() + b"\n" + data


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def _timed_out(filename: str, limits: ExtractionLimits) -> FileTooLarge:
    return FileTooLarge(
        f"Reading {filename!r} took longer than {limits.worker_seconds:g} seconds, the limit "
        f"for one file, so it was stopped. {_BOMB_HINT}"
    )


def extract_text_isolated(filename: str, data: bytes, limits: ExtractionLimits) -> str:
    """The text of ``filename``, extracted by a limited child process (blocking).

    Raises the same errors as :func:`~.extract.extract_text`; a document that needs more
    memory or time than allowed raises :class:`FileTooLarge` saying which limit it hit.
    """
    _check_size(filename, data, limits)
    process = subprocess.Popen(
        _command(limits),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_environment(),
    )
    try:
        output, _ = process.communicate(
            _payload(filename, data, limits), timeout=limits.worker_seconds
        )
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise _timed_out(filename, limits) from None
    except BaseException:
        process.kill()
        process.wait()
        raise
    return _result(filename, process.returncode, output, limits)


async def aextract_text_isolated(filename: str, data: bytes, limits: ExtractionLimits) -> str:
    """:func:`extract_text_isolated` for the event loop (no thread is held while waiting)."""
    _check_size(filename, data, limits)
    process = await asyncio.create_subprocess_exec(
        *_command(limits),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_environment(),
    )
    try:
        output, _ = await asyncio.wait_for(
            process.communicate(_payload(filename, data, limits)), limits.worker_seconds
        )
    except TimeoutError:
        process.kill()
        await process.wait()
        raise _timed_out(filename, limits) from None
    except BaseException:
        # Cancelled (file detached, server stopping): the child must not outlive the wish.
        if process.returncode is None:
            process.kill()
        raise
    assert process.returncode is not None
    return _result(filename, process.returncode, output, limits)


def _result(filename: str, status: int, output: bytes, limits: ExtractionLimits) -> str:
    if status == 0 and output[:1] == b"T":
        return output[1:].decode("utf-8", "surrogatepass")
    out_of_memory = status in (EXIT_OUT_OF_MEMORY, -signal.SIGSEGV, -signal.SIGABRT)
    if status == 0 and output[:1] == b"E":
        error = json.loads(output[1:])
        if error["kind"] == "unsupported":
            raise UnsupportedFileType(error["message"])
        if error["kind"] != "memory":
            raise ExtractionError(error["message"])
        out_of_memory = True
    if out_of_memory:
        # A parser that cannot allocate raises MemoryError, fails with some parse error
        # (lxml), or aborts inside C code.
        megabytes = limits.worker_memory_bytes // (1024 * 1024)
        raise FileTooLarge(
            f"Reading {filename!r} needed more than {megabytes} MB of memory, the limit for "
            f"one file, so it was stopped. {_BOMB_HINT}"
        )
    if status in _CPU_LIMIT_STATUSES:
        raise FileTooLarge(
            f"Reading {filename!r} needed more than {limits.worker_seconds:g} seconds of "
            f"processor time, the limit for one file, so it was stopped. {_BOMB_HINT}"
        )
    if status == 0:
        raise ExtractionFailed(f"The text extractor for {filename!r} sent an unreadable answer.")
    raise ExtractionFailed(
        f"The text extractor for {filename!r} stopped unexpectedly (exit status {status})."
    )

"""One runtime per data folder: an OS file lock held for the life of the runtime process.

The window's embedded runtime and ``assistants-playground test`` both use the same data
folder, so the assistants a person built are the ones a suite tests. Two runtimes on one
folder would be two writers on one SQLite database, two code-interpreter folder trees and
two recoveries of "interrupted" runs each killing the other's. The runtime therefore takes
an exclusive lock on ``<folder>/runtime.lock`` before anything else, and a second one stops
at once with :class:`FolderInUse` saying who holds it.

The lock is the kernel's (``flock`` on POSIX, ``msvcrt.locking`` on Windows), so it goes
away with the process however it ends (SIGKILL included): no stale lock files. Standard
library only, so the runtime and the headless ``test`` command can both import it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

LOCK_NAME = "runtime.lock"
#: The runtime's exit status when its data folder is in use, so launchers can tell.
EXIT_FOLDER_IN_USE = 3
_WINDOWS_LOCK_OFFSET = 4096


class FolderInUse(Exception):
    """Another process holds the folder's lock; ``message`` names the folder and the holder."""

    def __init__(self, folder: Path, holder: int | None) -> None:
        who = f"process {holder}" if holder else "another process"
        self.message = (
            f"The data folder {folder} is in use by another runtime ({who}): the playground "
            "window or an `assistants-playground test` run. Only one runtime may use a data "
            "folder at a time: close the other one first (or start this one with another "
            "--data-dir)."
        )
        super().__init__(self.message)
        self.folder = folder
        self.holder = holder


class FolderLock:
    """The held lock; it is released by :meth:`release` or when the process ends."""

    def __init__(self, folder: Path, fd: int) -> None:
        self.folder = folder
        self._fd: int | None = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the lock on every platform

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_folder(folder: Path) -> FolderLock:
    """Take the folder's lock (creating the folder 0700), or raise :class:`FolderInUse`."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            holder = _read_holder(path)
            raise FolderInUse(folder, holder)
        # Who holds it, for the message the next comer shows (the lock itself is the truth).
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
    except BaseException:
        os.close(fd)
        raise
    return FolderLock(folder, fd)


def folder_in_use(folder: Path) -> FolderInUse | None:
    """Whether another process holds the folder's lock now (it is not kept)."""
    if not (folder / LOCK_NAME).exists():
        return None
    try:
        lock = lock_folder(folder)
    except FolderInUse as busy:
        return busy
    except OSError:
        return None
    lock.release()
    return None


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        # One byte past the process id, so others can still read who holds the lock.
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_holder(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text(encoding="ascii").strip())
    return None

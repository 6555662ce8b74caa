"""Session folders: safe names, and which files a cell created or changed.

Change detection compares (size, mtime_ns) snapshots taken before and after a cell,
which is cheap and needs no cooperation from user code.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from pathlib import Path

_SESSION_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_SKIP_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints"})
_MAX_SCANNED = 10_000

Snapshot = dict[Path, tuple[int, int]]


def check_session_id(session_id: str) -> str:
    if (
        not isinstance(session_id, str)
        or not _SESSION_ID.match(session_id)
        or session_id in {".", ".."}
    ):
        raise ValueError(
            "A code-interpreter session id may only contain letters, digits, '_', '-' and '.' "
            f"(1-128 characters); got {session_id!r}."
        )
    return session_id


def safe_file_name(name: str) -> str:
    """Reduce an uploaded file name to a plain name inside the session folder."""
    base = os.path.basename(str(name).replace("\\", "/")).strip()
    if base in {"", ".", ".."} or "\x00" in base:
        raise ValueError(f"{name!r} is not a usable file name.")
    return base


def snapshot(folder: Path) -> Snapshot:
    """Size and modification time of every regular file under ``folder``."""
    found: Snapshot = {}
    if not folder.is_dir():
        return found
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        for name in files:
            path = Path(root, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            found[path] = (st.st_size, st.st_mtime_ns)
            if len(found) >= _MAX_SCANNED:
                return found
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[Path]:
    """Files that are new or whose size/mtime differ, in a stable order."""
    return sorted(path for path, stamp in after.items() if before.get(path) != stamp)


def folder_size(folder: Path) -> int:
    """Bytes a folder takes on disk (allocated blocks, plus a little per entry).

    Allocated blocks rather than apparent sizes, so a sparse file counts for what it
    really uses; never follows symlinks out of the folder.
    """
    total = 0
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            total += st.st_blocks * 512 + 512
    return total


def adopt_folder(spare: Path, target: Path) -> None:
    """Make ``spare`` (a warm kernel's /mnt/data) become ``target``, keeping target's files.

    The kernel's bind mount follows the folder itself, not its name, so renaming the
    spare's folder to the thread's name gives the thread its folder inside the sandbox
    without any mount. Entries already in ``target`` (uploaded inputs, files of an
    earlier kernel) are moved over first; renames on one filesystem copy nothing.
    """
    if target.exists():
        for child in target.iterdir():
            os.rename(child, spare / child.name)
        target.rmdir()
    os.rename(spare, target)


class UnsafePath(OSError):
    """A produced file that is not a regular file inside its session folder."""


def open_inside(path: Path, folder: Path) -> int:
    """Open ``path`` for reading only if it really is a regular file inside ``folder``.

    Code in the sandbox can swap a file for a symlink between the snapshot and the
    read; opening without following the last link and then checking where the open
    file actually is stops that from reading a host file. Returns a file descriptor.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafePath(f"{path} is not a regular file")
        if os.path.isdir("/proc/self/fd"):
            real = Path(os.readlink(f"/proc/self/fd/{fd}"))
            if not real.is_relative_to(Path(folder).resolve()):
                raise UnsafePath(f"{path} is not inside the session folder")
    except BaseException:
        os.close(fd)
        raise
    return fd


def copy_into(source: Path, folder: Path, name: str) -> Path:
    """Stream ``source`` into ``folder/name`` without following a link planted there.

    The copy goes to a fresh temporary name first and then replaces the entry, so a
    symlink the sandboxed code left under that name is replaced, never written through.
    """
    target = folder / safe_file_name(name)
    temp = folder / f".pg-incoming-{os.getpid()}-{id(target)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return target
